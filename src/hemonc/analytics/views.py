"""The organizers' outreach dashboard and the network report as a page (and its downloads)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hemonc.analytics import prose
from hemonc.analytics.forms import PeriodForm, ReportForm
from hemonc.analytics.render import report_context, report_html, report_markdown, report_pdf
from hemonc.analytics.report import network_report, report_period
from hemonc.core.charts import bar_chart, column_chart
from hemonc.core.errors import DomainError
from hemonc.core.permissions import permission_required
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.outreach import selectors as outreach


def _period(form: PeriodForm) -> dict[str, Any]:
    data = form.cleaned_data if form.is_valid() else {}
    return {
        "start": data.get("start"),
        "end": data.get("end"),
        "account": data.get("account") or None,
    }


@permission_required("analytics.view_dashboard")
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    chosen = _period(form)
    account_ids = outreach.account_ids_for(chosen["account"])
    start, end = report_period(
        start=chosen["start"], end=chosen["end"], account_ids=account_ids, now=timezone.now()
    )
    report = network_report(start=start, end=end, account=chosen["account"])
    context = report_context(report, exact=True)
    followers = outreach.follower_series(start=start, end=end, account_ids=account_ids)
    hashtags = outreach.hashtag_performance(start=start, end=end, account_ids=account_ids)
    timing = outreach.performance_by_weekday_hour(start=start, end=end, account_ids=account_ids)
    desk = outreach.desk_performance(start=start, end=end, account_ids=account_ids)
    context.update(
        {
            "form": form,
            "followers": followers,
            "followers_chart": column_chart(
                title="Followers over time",
                columns=[
                    (p.date.strftime("%Y-%m"), p.followers, f"{p.followers:,}") for p in followers
                ],
                line=True,
            ),
            "top_posts": outreach.top_posts(start=start, end=end, account_ids=account_ids),
            "hashtags": [
                {
                    "figures": h,
                    "rate_shown": prose.percent(h.mean_engagement_rate),
                    "mean_shown": prose.whole(h.mean_impressions_per_post),
                }
                for h in hashtags
            ],
            "hashtag_chart": bar_chart(
                title="Impressions by hashtag",
                bars=[
                    (f"#{h.spelling}", h.impressions, f"{h.impressions:,}") for h in hashtags[:10]
                ],
            ),
            "desk": {
                group: [
                    {
                        "figures": f,
                        "rate_shown": prose.percent(f.engagement_rate) if f.impressions else "—",
                    }
                    for f in rows
                ]
                for group, rows in desk.items()
            },
            "desk_chart": bar_chart(
                title="Impressions by kind of post",
                bars=[
                    (f.label, f.impressions, f"{f.impressions:,}")
                    for f in desk["kinds"]
                    if f.impressions
                ],
            ),
            "weekdays": [
                {
                    "label": label,
                    "figures": f,
                    "rate_shown": prose.percent(f.mean_engagement_rate),
                    "mean_shown": prose.whole(f.mean_impressions_per_post),
                }
                for label, f in timing["weekday"]
            ],
        }
    )
    context["desk_tables"] = [
        (context["desk"]["kinds"], "Per kind of post", "Kind"),
        (context["desk"]["accounts"], "Per account", "Account"),
    ]
    return render(request, "analytics/dashboard.html", context)


CONTENT_TYPES = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


@permission_required("analytics.view_dashboard")
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ReportForm(request.GET or None)
    chosen = _period(form)
    exact = bool(form.is_valid() and form.cleaned_data.get("exact"))
    try:
        data = network_report(**chosen)
    except DomainError as error:
        form.add_error(None, str(error))
        data = network_report()
    fmt = request.GET.get("format", "")
    if fmt in CONTENT_TYPES:
        body: str | bytes
        if fmt == "json":
            body = json.dumps(data, indent=2, ensure_ascii=False)
        elif fmt == "md":
            body = report_markdown(data, exact=exact)
        elif fmt == "html":
            body = report_html(data, exact=exact)
        else:
            body = report_pdf(data, exact=exact)
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
        name = f"network-report-{data['period']['from']}-{data['period']['to']}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = report_context(data, exact=exact)
    query = request.GET.copy()
    query.pop("format", None)
    context.update({"form": form, "query": query.urlencode()})
    return render(request, "analytics/report.html", context)
