"""Every report figure against values computed by hand from the small fixture:

posts with metrics (the overlap rule applied): June 1000/50, 500/10, 0/0; July 2500/50,
600/30, 1500/45; one archive-only post. June: 1,500 impressions, 60 engagements; July: 4,600
and 125. Mean of per-post rates: (0.05 + 0.02 + 0.02 + 0.05 + 0.03) / 5 = 0.034.
"""

from __future__ import annotations

import io
import json
import re
import zlib
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command

from hemonc.analytics import prose
from hemonc.events.models import LiveSession, Season
from hemonc.newsletter.enums import SubscriberStatus
from hemonc.newsletter.models import Subscriber
from hemonc.outreach.models import FollowerSnapshot, SocialAccount
from tests.outreach.conftest import ALL_X, FOLLOWERS

NOW = datetime(2022, 8, 15, tzinfo=UTC)


@pytest.fixture
def network(db, import_x):  # type: ignore[no-untyped-def]
    import_x(*ALL_X)
    call_command("import-followers", str(FOLLOWERS), "--account", "ExampleNet",
                 stdout=io.StringIO())  # fmt: skip
    season = Season.objects.create(
        name="Season 1", slug="season-1", starts_on=date(2022, 6, 1), ends_on=date(2022, 7, 31),
        time_zone="America/New_York",
    )  # fmt: skip
    for day, attendance in ((2, 22), (9, 40), (16, 187), (23, None)):
        LiveSession.objects.create(
            season=season, title=f"Session {day}", peak_listeners=attendance,
            starts_at=datetime(2022, 6, day, 0, 0, tzinfo=UTC),
        )  # fmt: skip
    people = [("male", "fellow", "hematology_oncology", "US")] * 6 + [
        ("female", "resident", "internal_medicine", "US")] * 3 + [
        ("", "", "", "CA")]  # fmt: skip
    for index, (gender, stage, specialty, country) in enumerate(people):
        Subscriber.objects.create(
            email=f"reader{index}@example.org", status=SubscriberStatus.SUBSCRIBED,
            gender=gender, stage=stage, specialty=specialty, country=country,
        )  # fmt: skip
    Subscriber.objects.create(email="gone@example.org", status=SubscriberStatus.UNSUBSCRIBED)


def _json(*args: str) -> dict:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return json.loads(out.getvalue())


def test_report_json_outreach_figures_match_hand_computed_values(network, time_machine):
    time_machine.move_to(NOW)

    report = _json()

    assert report["period"] == {"from": "2022-06-01", "to": "2022-07-31"}
    outreach = report["outreach"]
    assert outreach["followers"] == 3412
    assert (outreach["posts"], outreach["posts_without_metrics"]) == (6, 1)
    assert (outreach["impressions"], outreach["engagements"]) == (6100, 185)
    assert outreach["mean_engagement_rate"] == pytest.approx(0.034)
    assert outreach["peak_month"] == {
        "month": "2022-07", "impressions": 4600, "posts": 3, "mean_impressions_per_post": 1533.33,
    }  # fmt: skip
    june, july = outreach["months"]
    assert {k: june[k] for k in ("month", "posts", "impressions", "engagements")} == {
        "month": "2022-06", "posts": 3, "impressions": 1500, "engagements": 60,
    }  # fmt: skip
    assert june["mean_impressions_per_post"] == 500.0
    assert june["engagement_rate"] == pytest.approx(0.04)
    assert july["engagement_rate"] == pytest.approx(125 / 4600, abs=1e-6)


def test_report_json_sessions_and_newsletter(network, time_machine):
    time_machine.move_to(NOW)

    report = _json()

    (season,) = report["sessions"]["seasons"]
    assert season["name"] == "Season 1"
    assert season["count"] == 4
    assert season["attendance_mean"] == pytest.approx(83.0)  # (22 + 40 + 187) / 3
    assert season["attendance_median"] == 40
    assert (season["attendance_min"], season["attendance_max"]) == (22, 187)
    assert season["top"][0] == {
        "title": "Session 16", "starts_at": "2022-06-15T20:00:00-04:00", "attendance": 187,
    }  # fmt: skip
    newsletter = report["newsletter"]
    assert newsletter["subscribers"] == 10
    assert newsletter["gender"] == {
        "female": 3, "male": 6, "non_binary": 0, "other": 0, "prefer_not_to_say": 0, "unknown": 1,
    }  # fmt: skip
    assert newsletter["stage"]["fellow"] == 6
    assert newsletter["stage"]["resident"] == 3
    assert newsletter["stage"]["unknown"] == 1
    assert newsletter["countries"] == 2
    assert newsletter["top_countries"] == [
        {"country": "US", "subscribers": 9}, {"country": "CA", "subscribers": 1},
    ]  # fmt: skip


def test_report_period_and_account_filter(network, time_machine):
    time_machine.move_to(NOW)

    june = _json("--from", "2022-06-01", "--to", "2022-06-30", "--account", "@examplenet")

    assert june["outreach"]["posts"] == 3
    assert june["outreach"]["followers"] == 3000
    assert june["outreach"]["peak_month"]["month"] == "2022-06"


def test_report_with_no_posts_has_null_peak_month(db):
    report = _json("--from", "2020-01-01", "--to", "2020-01-31")

    assert report["outreach"]["peak_month"] is None
    assert report["outreach"]["posts"] == 0
    assert report["outreach"]["followers"] is None


def test_report_rejects_unknown_account_and_bad_dates(db):
    with pytest.raises(CommandError, match="No social account"):
        _json("--account", "nobody")
    with pytest.raises(CommandError, match="not a date"):
        _json("--from", "June")


def test_markdown_report_has_the_results_paragraph_and_hides_small_groups(network, time_machine):
    time_machine.move_to(NOW)
    out = io.StringIO()

    call_command("report", "--format", "md", stdout=out)

    text = out.getvalue()
    assert (
        "Since its inception, the network has grown to more than 3,400 followers. The highest "
        "impressions per month have been 4.6K, with a mean of 1,533 impressions per post in "
        "the month of July 2022. The mean engagement per post was 3.4%."
    ) in text
    assert "4 live sessions were held between June 2022 and June 2022 (Season 1)." in text
    assert "The average attendance was 83.0 persons per session (range 22-187)." in text
    assert "60% of subscribers were male." in text
    assert "60% were hematology-oncology fellows." in text  # residents are <5: left out
    assert "| Resident | <5 |  |" in text
    assert "| Female | <5 |  |" in text


def test_markdown_report_exact_shows_small_groups(network, time_machine):
    time_machine.move_to(NOW)
    out = io.StringIO()

    call_command("report", "--format", "md", "--exact", stdout=out)

    assert "| Resident | 3 | 30% |" in out.getvalue()
    assert "30% internal medicine residents" in out.getvalue()


def test_markdown_report_shows_typed_titles_as_text_not_markup(network, time_machine):
    time_machine.move_to(NOW)
    season = Season.objects.create(
        name="Season *2* | [x](https://evil.example)", slug="season-2",
        starts_on=date(2022, 6, 1), ends_on=date(2022, 7, 31), time_zone="America/New_York",
    )  # fmt: skip
    LiveSession.objects.create(
        season=season, title="CAR-T | *new* <img src=x onerror=alert(1)>\n## Heading",
        peak_listeners=30, starts_at=datetime(2022, 6, 5, tzinfo=UTC),
    )  # fmt: skip
    out = io.StringIO()

    call_command("report", "--format", "md", stdout=out)

    text = out.getvalue()
    assert "### Season \\*2\\* \\| \\[x\\](https://evil.example)\n" in text
    assert (
        "| CAR-T \\| \\*new\\* \\<img src=x onerror=alert(1)> ## Heading | 2022-06-04 | 30 |"
    ) in text
    assert "(Season \\*2\\* \\| \\[x\\](https://evil.example))." in text  # the Results
    assert " <img" not in text and "\n## Heading" not in text
    assert "| Resident | <5 |  |" in text  # "<5" stays as it reads


def test_html_and_pdf_reports_are_written(network, time_machine, tmp_path):
    time_machine.move_to(NOW)

    call_command("report", "--format", "html", "--output", str(tmp_path / "r.html"),
                 stderr=io.StringIO())  # fmt: skip
    call_command("report", "--format", "pdf", "--output", str(tmp_path / "r.pdf"),
                 stderr=io.StringIO())  # fmt: skip

    html = (tmp_path / "r.html").read_text()
    assert "<svg" in html and "Impressions per month" in html and "<5" not in html
    assert "&lt;5" in html
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("value", "shown"),
    [(93365, "93.4K"), (999, "999"), (4600, "4.6K"), (1_250_000, "1.3M")],
)
def test_thousands_are_written_like_a_paper(value, shown):
    assert prose.thousands(value) == shown


def test_percentages_and_means_are_rounded_like_a_paper():
    assert prose.percent(0.034) == "3.4%"
    assert prose.percent(0.0345) == "3.5%"
    assert prose.percent(64 / 121, people_of=121) == "53%"
    assert prose.percent(11 / 121, people_of=121) == "9%"
    assert prose.percent(11 / 121) == "9.1%"
    assert prose.whole(262.99) == "263"
    assert prose.one_decimal(49.55) == "49.6"
    assert prose.followers_phrase(3468) == "more than 3,400"


def test_report_to_a_folder_that_does_not_exist_fails_naming_it(network, time_machine, tmp_path):
    time_machine.move_to(NOW)
    target = tmp_path / "missing" / "report.json"

    with pytest.raises(CommandError, match=r"missing/report\.json: No such file or directory"):
        call_command("report", "--output", str(target), stderr=io.StringIO())

    assert not target.parent.exists()


def _pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes with every compressed stream (object streams too) inflated."""
    parts = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, flags=re.DOTALL):
        try:
            parts.append(zlib.decompressobj().decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_pdf_report_is_tagged_with_its_title_and_language(network, time_machine, tmp_path):
    time_machine.move_to(NOW)

    call_command("report", "--format", "pdf", "--output", str(tmp_path / "r.pdf"),
                 stderr=io.StringIO())  # fmt: skip

    pdf = _pdf_objects((tmp_path / "r.pdf").read_bytes())
    assert b"/StructTreeRoot" in pdf
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", pdf)
    assert re.search(rb"/Lang\s*\(en\)", pdf)
    assert b"/Title" in pdf and b"/DisplayDocTitle true" in pdf
    assert b"pdfuaid:part" in pdf


def test_json_report_names_its_schema_version_and_keeps_every_key(network, time_machine):
    time_machine.move_to(NOW)

    report = _json()

    assert report["schema_version"] == 1
    assert list(report) == [
        "schema_version", "period", "account", "outreach", "sessions", "newsletter", "members",
        "mentorship",
    ]  # fmt: skip


def test_report_rejects_a_period_that_ends_before_it_starts(db):
    with pytest.raises(CommandError) as error:
        _json("--from", "2022-07-02", "--to", "2022-07-01")

    assert str(error.value) == "The period ends (2022-07-01) before it starts (2022-07-02)."


def test_markdown_report_of_a_small_network_leaves_out_what_it_lacks(db, time_machine):
    time_machine.move_to(NOW)
    account = SocialAccount.objects.create(platform="x", handle="YoungNet")
    FollowerSnapshot.objects.create(account=account, date=date(2022, 6, 1), followers=800)
    season = Season.objects.create(
        name="2022. Pilot", slug="pilot", starts_on=date(2022, 6, 1), ends_on=date(2022, 7, 31),
        time_zone="Mars/Olympus_Mons",
    )  # fmt: skip
    LiveSession.objects.create(
        season=season, title="Welcome", starts_at=datetime(2022, 6, 5, 1, 0, tzinfo=UTC)
    )
    for index in range(3):
        Subscriber.objects.create(
            email=f"reader{index}@example.org", status=SubscriberStatus.SUBSCRIBED, gender="male"
        )
    out = io.StringIO()

    call_command("report", "--format", "md", stdout=out)
    data = _json()

    text = out.getvalue()
    assert (
        "Since its inception, the network has grown to 800 followers. 1 live session was "
        "held between June 2022 and June 2022 (2022. Pilot). <5 people subscribed to the "
        "newsletter.\n"
    ) in text
    assert "### 2022\\. Pilot\n" in text  # a heading, not a numbered list
    assert "average attendance" not in text and "of subscribers were" not in text
    assert "different countries" not in text
    # A season's zone that the zone database does not know: its days are told in UTC.
    (pilot,) = data["sessions"]["seasons"]
    assert (pilot["first_session"], pilot["last_session"]) == ("2022-06-05", "2022-06-05")


def test_pdf_report_without_output_goes_to_standard_output(network, time_machine, capsysbinary):
    time_machine.move_to(NOW)

    call_command("report", "--format", "pdf")

    assert capsysbinary.readouterr().out.startswith(b"%PDF-")


def _page_texts(html: str) -> list[str]:
    """The text of each page WeasyPrint lays out, margin boxes (page numbers) included."""
    from weasyprint import HTML

    def text(box: object, out: list[str]) -> list[str]:
        if getattr(box, "text", None):
            out.append(box.text)  # type: ignore[attr-defined]
        for child in getattr(box, "children", None) or []:
            text(child, out)
        return out

    document = HTML(string=html).render()
    return [" ".join(text(page._page_box, [])) for page in document.pages]


def test_pdf_pages_are_numbered_and_the_first_holds_the_headline_figures(network, time_machine):
    from hemonc.analytics.render import report_html
    from hemonc.analytics.report import network_report

    time_machine.move_to(NOW)
    pages = _page_texts(report_html(network_report(), exact=False))

    total = len(pages)
    assert total >= 2
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {total}" in text
    first = pages[0]
    # The figures, the results paragraph and the first chart: not a page left mostly blank.
    for phrase in ("Followers", "3,412", "Impressions", "6,100", "Mean engagement per post",
                   "Live sessions held", "Newsletter subscribers", "Results",
                   "Impressions per month"):  # fmt: skip
        assert phrase in first, phrase
