"""The network report as Markdown, HTML (a standalone file or the page's body) and PDF.

All three render the dict of `report.network_report` through templates
(`analytics/report.md`, `analytics/report_document.html`); counts of people under 5 read "<5"
unless `exact` (the JSON is always exact). Charts are the server-drawn SVG of core.charts,
each with its data table. The Markdown template escapes whatever people typed (session
titles, season names) with the `md` filter, so it reads as text and never as markup.
"""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from hemonc.analytics import prose
from hemonc.core.charts import bar_chart, column_chart
from hemonc.core.countries import country_name
from hemonc.core.privacy import is_small_group
from hemonc.members.enums import Gender
from hemonc.taxonomy.enums import Stage


def _stage_label(key: str) -> str:
    return str(Stage(key).label) if key in Stage.values else "Not given"


def _gender_label(key: str) -> str:
    return str(Gender(key).label) if key in Gender.values else "Not given"


def _share_rows(
    counts: dict[str, int], total: int, label: Any, *, exact: bool
) -> list[dict[str, Any]]:
    rows = []
    for key, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if not n:
            continue
        small = not exact and is_small_group(n)
        rows.append(
            {
                "key": key,
                "label": label(key),
                "count": n,
                "shown": prose.count(n, exact=exact),
                "share": "" if small or not total else prose.percent(n / total, people_of=total),
            }
        )
    return rows


def _counted(shown: str, one: str, many: str) -> str:
    """'1 member', '3 members', '<5 members' (a hidden count reads as several)."""
    return f"{shown} {one if shown == '1' else many}"


def _members_sentence(members: dict[str, Any], *, exact: bool) -> str:
    shown = prose.count(members["members"], exact=exact)
    countries = f"{members['countries']:,}"
    joined = prose.count(members["joined_in_period"], exact=exact)
    return (
        f"{_counted(shown, 'member', 'members')} in "
        f"{_counted(countries, 'country', 'countries')}; {joined} joined in the period."
    )


def _mentorship_sentence(mentorship: dict[str, Any], *, exact: bool) -> str:
    def shown(key: str) -> str:
        return prose.count(mentorship[key], exact=exact)

    return (
        f"{_counted(shown('mentorships_started'), 'mentorship', 'mentorships')} started in the "
        f"period; {shown('mentorships_active')} active, {shown('mentorships_completed')} "
        f"completed; {_counted(shown('mentors_accepting'), 'mentor', 'mentors')} accepting "
        "mentees."
    )


def report_context(report: dict[str, Any], *, exact: bool) -> dict[str, Any]:
    """What the templates need: the report, its tables with counts as shown, and charts."""
    outreach = report["outreach"]
    newsletter = report["newsletter"]
    total = newsletter["subscribers"]
    months = outreach["months"]
    stage_rows = _share_rows(newsletter["stage"], total, _stage_label, exact=exact)
    gender_rows = _share_rows(newsletter["gender"], total, _gender_label, exact=exact)
    country_rows = [
        {
            "label": country_name(c["country"]) or c["country"],
            "code": c["country"],
            "shown": prose.count(c["subscribers"], exact=exact),
            "count": c["subscribers"],
        }
        for c in newsletter["top_countries"]
    ]
    seasons = [
        {
            **season,
            "mean_shown": prose.one_decimal(season["attendance_mean"])
            if season["attendance_mean"] is not None
            else "—",
            "min_shown": prose.count(season["attendance_min"], exact=exact),
            "max_shown": prose.count(season["attendance_max"], exact=exact),
            "median_shown": season["attendance_median"]
            if season["attendance_median"] is not None
            else "—",
            "top_shown": [
                {
                    **top,
                    "shown": prose.count(top["attendance"], exact=exact),
                    "date": top["starts_at"][:10],
                }
                for top in season["top"]
            ],
        }
        for season in report["sessions"]["seasons"]
    ]
    members = report["members"]
    member_stage_rows = _share_rows(members["stage"], members["members"], _stage_label, exact=exact)
    charts: dict[str, SafeString] = {
        "impressions": column_chart(
            title="Impressions per month",
            columns=[(m["month"], m["impressions"], f"{m['impressions']:,}") for m in months],
        ),
        "engagement": column_chart(
            title="Engagement rate per month",
            columns=[
                (m["month"], m["engagement_rate"], prose.percent(m["engagement_rate"]))
                for m in months
            ],
            line=True,
            axis=prose.percent,
        ),
        "stage": bar_chart(
            title="Newsletter subscribers by training stage",
            bars=[(r["label"], r["count"], r["shown"]) for r in stage_rows if r["share"]],
        ),
        "seasons": bar_chart(
            title="Mean attendance per session, by season",
            bars=[
                (s["name"], s["attendance_mean"], s["mean_shown"])
                for s in seasons
                if s["attendance_mean"] is not None
            ],
        ),
    }
    return {
        "report": report,
        "exact": exact,
        "results": prose.results_paragraph(report, exact=exact),
        "outreach": outreach,
        "outreach_shown": {
            key: f"{outreach[key]:,}"
            for key in ("posts", "posts_without_metrics", "impressions", "engagements")
        },
        "followers_shown": f"{outreach['followers']:,}" if outreach["followers"] else "—",
        "months": [
            {
                **m,
                "mean_shown": prose.whole(m["mean_impressions_per_post"]),
                "rate_shown": prose.percent(m["engagement_rate"]),
                "mean_rate_shown": prose.percent(m["mean_engagement_rate"]),
                "impressions_short": prose.thousands(m["impressions"]),
                "posts_shown": f"{m['posts']:,}",
                "impressions_shown": f"{m['impressions']:,}",
                "engagements_shown": f"{m['engagements']:,}",
            }
            for m in months
        ],
        "peak_shown": (
            {
                "month": prose.month_name(outreach["peak_month"]["month"]),
                "impressions": prose.thousands(outreach["peak_month"]["impressions"]),
                "mean": prose.whole(outreach["peak_month"]["mean_impressions_per_post"]),
            }
            if outreach["peak_month"]
            else None
        ),
        "mean_rate_shown": prose.percent(outreach["mean_engagement_rate"]),
        "seasons": seasons,
        "newsletter_total_shown": prose.count(total, exact=exact),
        "countries_shown": prose.count(newsletter["countries"], exact=exact),
        "stage_rows": stage_rows,
        "gender_rows": gender_rows,
        "country_rows": country_rows,
        "members": members,
        "members_shown": prose.count(members["members"], exact=exact),
        "member_stage_rows": member_stage_rows,
        "joined_shown": prose.count(members["joined_in_period"], exact=exact),
        "mentorship": report.get("mentorship"),
        "mentorship_shown": {
            key: prose.count(value, exact=exact)
            for key, value in (report.get("mentorship") or {}).items()
            if isinstance(value, int)
        },
        "charts": charts,
        "sessions_held_shown": f"{sum(s['count'] for s in seasons):,}",
        "members_sentence": _members_sentence(members, exact=exact),
        "mentorship_sentence": (
            _mentorship_sentence(report["mentorship"], exact=exact)
            if report.get("mentorship")
            else ""
        ),
    }


def report_markdown(report: dict[str, Any], *, exact: bool) -> str:
    """The report as Markdown (GitHub tables), for a paper's draft or a wiki."""
    return render_to_string("analytics/report.md", report_context(report, exact=exact))


def report_html(report: dict[str, Any], *, exact: bool) -> str:
    """A standalone HTML document (its own styles; nothing fetched)."""
    return render_to_string("analytics/report_document.html", report_context(report, exact=exact))


def report_pdf(report: dict[str, Any], *, exact: bool) -> bytes:
    """The HTML document printed by WeasyPrint (no network access: every resource is inline)
    as a tagged PDF/UA-1 file: a structure tree that screen readers follow, the document's
    title (from <title>) shown as the window title, and its language (from <html lang>)."""
    # Imported when a PDF is asked for: WeasyPrint takes a while to load, and pages never need it.
    from weasyprint import HTML

    # WeasyPrint reports each layout step at INFO; a command's output is the report alone.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    def no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError(f"The report fetches nothing ({url}).")

    return HTML(string=report_html(report, exact=exact), url_fetcher=no_fetch).write_pdf(
        pdf_variant="pdf/ua-1"
    )
