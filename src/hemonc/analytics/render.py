"""The network report as Markdown, HTML (a standalone file or the page's body) and PDF.

All three render the dict of `report.network_report`; counts of people under 5 read "<5"
unless `exact` (the JSON is always exact). Charts are the server-drawn SVG of core.charts,
each with its data table.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from hemonc.analytics import prose
from hemonc.core.charts import bar_chart, column_chart
from hemonc.core.countries import country_name
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
        small = not exact and n < prose.SMALL_GROUP
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
            "top_shown": [
                {**top, "shown": prose.count(top["attendance"], exact=exact)}
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
        "mentorship": report.get("mentorship"),
        "charts": charts,
    }


def report_markdown(report: dict[str, Any], *, exact: bool) -> str:
    c = report_context(report, exact=exact)
    period = report["period"]
    o = c["outreach"]
    lines = [
        f"# Network report, {period['from']} to {period['to']}",
        "",
        "## Results",
        "",
        c["results"],
        "",
        "## Outreach",
        "",
    ]
    if report.get("account"):
        lines += [f"Account: @{report['account']}", ""]
    lines += [
        f"- Followers at the end of the period: {c['followers_shown']}",
        f"- Posts with metrics: {o['posts']:,} (without metrics: {o['posts_without_metrics']:,})",
        f"- Impressions: {o['impressions']:,}; engagements: {o['engagements']:,}",
        f"- Mean engagement rate per post: {c['mean_rate_shown']}",
    ]
    if c["peak_shown"]:
        p = c["peak_shown"]
        lines.append(
            f"- Peak month: {p['month']}, {p['impressions']} impressions, mean {p['mean']} per post"
        )
    if c["months"]:
        lines += [
            "",
            "| Month | Posts | Impressions | Engagements | Mean impressions per post "
            "| Engagement rate |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {m['month']} | {m['posts']:,} | {m['impressions']:,} | {m['engagements']:,} "
            f"| {m['mean_shown']} | {m['rate_shown']} |"
            for m in c["months"]
        ]
    lines += ["", "## Sessions", ""]
    if not c["seasons"]:
        lines += ["No sessions in the period.", ""]
    for s in c["seasons"]:
        lines += [
            f"### {s['name']}",
            "",
            f"{s['count']} sessions; attendance mean {s['mean_shown']}, median "
            f"{s['attendance_median'] if s['attendance_median'] is not None else '—'}, "
            f"range {s['min_shown']}-{s['max_shown']}.",
            "",
        ]
        if s["top_shown"]:
            lines += ["| Session | Date | Attendance |", "|---|---|---:|"]
            lines += [
                f"| {_md(t['title'])} | {t['starts_at'][:10]} | {t['shown']} |"
                for t in s["top_shown"]
            ]
            lines.append("")
    lines += [
        "## Newsletter",
        "",
        f"{c['newsletter_total_shown']} subscribers from {c['countries_shown']} countries.",
        "",
    ]
    for title, rows in (("Training stage", c["stage_rows"]), ("Gender", c["gender_rows"])):
        lines += [f"| {title} | Subscribers | Share |", "|---|---:|---:|"]
        lines += [f"| {r['label']} | {r['shown']} | {r['share']} |" for r in rows]
        lines.append("")
    if c["country_rows"]:
        lines += ["| Country | Subscribers |", "|---|---:|"]
        lines += [f"| {r['label']} | {r['shown']} |" for r in c["country_rows"]]
        lines.append("")
    m = c["members"]
    lines += [
        "## Members",
        "",
        f"{c['members_shown']} members in {m['countries']} countries; "
        f"{prose.count(m['joined_in_period'], exact=exact)} joined in the period.",
        "",
    ]
    if c["mentorship"]:
        mt = c["mentorship"]
        lines += [
            "## Mentorship",
            "",
            f"{prose.count(mt['mentorships_started'], exact=exact)} mentorships started in "
            f"the period; {prose.count(mt['mentorships_active'], exact=exact)} active, "
            f"{prose.count(mt['mentorships_completed'], exact=exact)} completed; "
            f"{prose.count(mt['mentors_accepting'], exact=exact)} mentors accepting mentees.",
            "",
        ]
    if not exact:
        lines += ['Counts of people under 5 are shown as "<5".', ""]
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_html(report: dict[str, Any], *, exact: bool) -> str:
    """A standalone HTML document (its own styles; nothing fetched)."""
    return render_to_string("analytics/report_document.html", report_context(report, exact=exact))


def report_pdf(report: dict[str, Any], *, exact: bool) -> bytes:
    """The HTML document printed by WeasyPrint (no network access: every resource is inline)
    as a tagged PDF/UA-1 file: a structure tree that screen readers follow, the document's
    title (from <title>) shown as the window title, and its language (from <html lang>)."""
    import logging

    from weasyprint import HTML

    # WeasyPrint reports each layout step at INFO; a command's output is the report alone.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    def no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError(f"The report fetches nothing ({url}).")

    return HTML(string=report_html(report, exact=exact), url_fetcher=no_fetch).write_pdf(
        pdf_variant="pdf/ua-1"
    )
