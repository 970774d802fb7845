"""The server-drawn SVG charts: what a reader and a screen reader get."""

from hemonc.core.charts import bar_chart, column_chart


def test_charts_of_nothing_draw_nothing():
    assert column_chart(title="Members", columns=[]) == ""
    assert bar_chart(title="Countries", bars=[]) == ""


def test_column_chart_carries_its_figures_and_escapes_labels():
    columns = [(f"<M{n}>", n * 1000, f"{n},000") for n in range(1, 17)]

    svg = column_chart(title="Members & guests", columns=columns)

    assert svg.startswith('<svg class="column-chart" role="img"')
    assert 'aria-label="Members &amp; guests"' in svg
    assert "<desc>&lt;M1&gt;: 1,000; &lt;M2&gt;: 2,000" in svg
    assert svg.count("<rect") == 16
    assert ">16.0K</text>" in svg  # the top of the value axis
    # 16 columns: every second label is shown, so none overlap.
    assert ">&lt;M1&gt;</text>" in svg
    assert ">&lt;M2&gt;</text>" not in svg
    assert ">&lt;M3&gt;</text>" in svg
    assert "<M1>" not in svg


def test_column_chart_as_a_line_draws_one_polyline():
    svg = column_chart(
        title="Open rate",
        columns=[("Jan", 0.5, "50%"), ("Feb", 0.25, "25%")],
        line=True,
        axis=lambda top: f"{top:.0%}",
    )

    assert "<rect" not in svg
    assert svg.count("<polyline") == 1
    assert ">50%</text>" in svg


def test_column_chart_axis_reads_millions_and_small_numbers():
    assert ">2.5M</text>" in column_chart(title="Views", columns=[("2026", 2_500_000, "2.5M")])
    assert ">7</text>" in column_chart(title="Talks", columns=[("2026", 7, "7")])
    assert ">0.5</text>" in column_chart(title="Share", columns=[("2026", 0.5, "0.5")])
    # All zero: the columns still stand on the axis, nothing divides by zero.
    assert ">0</text>" in column_chart(title="None yet", columns=[("2026", 0, "0")])


def test_bar_chart_shows_each_value_and_cuts_long_labels():
    svg = bar_chart(
        title="Countries",
        bars=[
            ("Nigeria", 120, "120"),
            ("The United Kingdom of Great Britain", 30, "30"),
            ("Nauru", 0, "0"),
        ],
    )

    assert svg.startswith('<svg class="bar-chart" role="img"')
    assert "<desc>Nigeria: 120; The United Kingdom of Great Britain: 30; Nauru: 0</desc>" in svg
    assert ">The United Kingdom of Great </text>" in svg  # 28 characters beside the bar
    assert 'width="360"' in svg  # the largest bar spans the plot
    assert 'width="90"' in svg  # a quarter of it
    assert 'width="2"' in svg  # a zero still shows as a sliver
    assert svg.count("<rect") == 3
