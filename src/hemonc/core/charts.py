"""Charts as accessible SVG, drawn on the server (no JavaScript): the one charting path of the
web pages and the HTML/PDF reports. Each chart carries a <title> and a <desc> with its
figures; pages put a data table with the same figures beside it."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 26
GAP = 8
LABEL_WIDTH = 190
CHART_WIDTH = 640
VALUE_WIDTH = 90
INK = "#1f2937"
BAR = "#9f1239"
GRID = "#d1d5db"


def _open(title: str, description: str, width: int, height: int, css_class: str) -> list[str]:
    return [
        f'<svg class="{css_class}" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]


def bar_chart(*, title: str, bars: list[tuple[str, int | float, str]]) -> SafeString:
    """Horizontal bars. `bars` are (label, value, value as shown). The table beside it carries
    the same figures for screen readers; the SVG says so in its description."""
    if not bars:
        return mark_safe("")
    largest = max(value for _, value, _ in bars) or 1
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    description = "; ".join(f"{label}: {shown}" for label, _, shown in bars)
    parts = _open(title, description, CHART_WIDTH, height, "bar-chart")
    for index, (label, value, shown) in enumerate(bars):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = max(2, round(span * value / largest))
        text_y = y + BAR_HEIGHT / 2 + 5
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{text_y}" text-anchor="end" '
            f'font-size="14" fill="{INK}">{escape(label[:28])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" rx="4" '
            f'fill="{BAR}"></rect>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{text_y}" font-size="14" '
            f'fill="{INK}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above


def column_chart(
    *,
    title: str,
    columns: list[tuple[str, int | float, str]],
    line: bool = False,
    axis: Callable[[float], str] | None = None,
) -> SafeString:
    """Vertical columns over time (or a line through the points with `line`), labelled below
    with every n-th label so they never overlap. `columns` are (label, value, shown);
    `axis` formats the top of the value axis (default 93.4K style)."""
    if not columns:
        return mark_safe("")
    width, height, left, bottom, top = CHART_WIDTH, 300, 64, 48, 16
    plot_w, plot_h = width - left - 12, height - top - bottom
    largest = max(value for _, value, _ in columns) or 1
    step = plot_w / len(columns)
    description = "; ".join(f"{label}: {shown}" for label, _, shown in columns)
    parts = _open(title, description, width, height, "column-chart")
    # Axis: zero and the largest value, with a light grid line at each.
    for fraction, text in ((0, "0"), (1, (axis or _short)(largest))):
        y = top + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 12}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 5:.1f}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{escape(text)}</text>'
        )
    every = max(1, round(len(columns) / 8))
    points = []
    for index, (label, value, _shown) in enumerate(columns):
        x = left + index * step
        bar_h = plot_h * value / largest
        if line:
            points.append(f"{x + step / 2:.1f},{top + plot_h - bar_h:.1f}")
        else:
            parts.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_h - bar_h:.1f}" '
                f'width="{max(step * 0.7, 1):.1f}" height="{max(bar_h, 0.5):.1f}" '
                f'fill="{BAR}"></rect>'
            )
        if index % every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - bottom + 20}" text-anchor="middle" '
                f'font-size="13" fill="{INK}">{escape(label)}</text>'
            )
    if line:
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{BAR}" '
            f'stroke-width="3" stroke-linejoin="round"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above


def _short(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 1_000:
        return f"{value / 1_000:.1f}K"
    return f"{value:g}" if isinstance(value, float) else str(value)
