"""The network report: one dict (the JSON of `hemonc report --format json`) built from every
app's selectors; the md, html and pdf formats and the report page render that same dict.

Analytics reads the other apps and never writes to them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from hemonc.core.errors import DomainError
from hemonc.events.enums import SessionStatus
from hemonc.events.models import LiveSession, Season
from hemonc.events.selectors import season_statistics
from hemonc.members.enums import Gender
from hemonc.members.models import Profile, User
from hemonc.members.selectors import member_count
from hemonc.mentorship.enums import MentorshipStatus, OfferStatus
from hemonc.mentorship.models import MentorOffer, Mentorship
from hemonc.newsletter.enums import SubscriberStatus
from hemonc.newsletter.models import Subscriber
from hemonc.newsletter.selectors import UNKNOWN, subscriber_stats
from hemonc.outreach import selectors as outreach
from hemonc.taxonomy.enums import Stage

# The JSON's version: raised when a key is renamed, removed or changes meaning (new keys
# alone do not raise it), so scripts reading the JSON can tell which format they have.
SCHEMA_VERSION = 1
TOP_SESSIONS = 5
TOP_COUNTRIES = 10


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _held_sessions(*, now: datetime) -> Any:
    return LiveSession.objects.filter(starts_at__lte=now).exclude(status=SessionStatus.CANCELLED)


def report_period(
    *, start: date | None, end: date | None, account_ids: list[int] | None, now: datetime
) -> tuple[date, date]:
    """Both days inclusive; a missing end is the first / last day with data."""
    if start and end:
        return start, end
    first, last = outreach.outreach_data_range(account_ids=account_ids)
    days = [day for day in (first, last) if day]
    sessions = _held_sessions(now=now).aggregate(first=Min("starts_at"), last=Max("starts_at"))
    days += [value.astimezone(UTC).date() for value in sessions.values() if value]
    today = now.astimezone(UTC).date()
    start = start or (min(days) if days else today)
    end = end or (max(days) if days else today)
    return start, end


def network_report(
    *,
    start: date | None = None,
    end: date | None = None,
    account: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The report as JSON-ready data (exact counts; see docs/analytics.md for every key)."""
    now = now or timezone.now()
    account_ids = outreach.account_ids_for(account)
    if account and not account_ids:
        raise DomainError(f"No social account has the handle {account!r}.")
    start, end = report_period(start=start, end=end, account_ids=account_ids, now=now)
    if end < start:
        raise DomainError(f"The period ends ({end}) before it starts ({start}).")
    return {
        "schema_version": SCHEMA_VERSION,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "account": account.strip().lstrip("@") if account else None,
        "outreach": outreach_section(start=start, end=end, account_ids=account_ids),
        "sessions": sessions_section(start=start, end=end, now=now),
        "newsletter": newsletter_section(),
        "members": members_section(start=start, end=end),
        "mentorship": mentorship_section(start=start, end=end),
    }


def _month_json(month: outreach.MonthFigures) -> dict[str, Any]:
    return {
        "month": month.label,
        "posts": month.posts,
        "impressions": month.impressions,
        "engagements": month.engagements,
        "mean_impressions_per_post": round(month.mean_impressions_per_post, 2),
        "engagement_rate": round(month.engagement_rate, 6),
        "mean_engagement_rate": round(month.mean_engagement_rate, 6),
    }


def outreach_section(*, start: date, end: date, account_ids: list[int] | None) -> dict[str, Any]:
    months, unmeasured = outreach.months_and_unmeasured(
        start=start, end=end, account_ids=account_ids
    )
    total = outreach.figures_total(months)
    peak = outreach.peak_month(months)
    return {
        "followers": outreach.follower_latest(on_or_before=end, account_ids=account_ids),
        "posts": total.posts,
        "posts_without_metrics": unmeasured,
        "impressions": total.impressions,
        "engagements": total.engagements,
        "engagement_rate": round(total.engagement_rate, 6),
        "mean_engagement_rate": round(total.mean_engagement_rate, 6),
        "mean_impressions_per_post": round(total.mean_impressions_per_post, 2),
        "peak_month": (
            {
                "month": peak.label,
                "impressions": peak.impressions,
                "posts": peak.posts,
                "mean_impressions_per_post": round(peak.mean_impressions_per_post, 2),
            }
            if peak
            else None
        ),
        "months": [_month_json(month) for month in months],
    }


def sessions_section(*, start: date, end: date, now: datetime) -> dict[str, Any]:
    """Seasons with a held session in the period, each in figures for the whole season (the
    events app's own statistics and definition of attendance)."""
    in_period = _held_sessions(now=now).filter(
        starts_at__gte=_day_start(start), starts_at__lt=_day_start(end + timedelta(days=1))
    )
    seasons = Season.objects.filter(
        id__in=in_period.values("season_id").order_by().distinct()
    ).order_by("starts_on", "name")
    result = []
    for season in seasons:
        stats = season_statistics(season=season, now=now, top=TOP_SESSIONS)
        held = _held_sessions(now=now).filter(season=season)
        bounds = held.aggregate(first=Min("starts_at"), last=Max("starts_at"))
        zone = _zone(season.time_zone)
        result.append(
            {
                "name": season.name,
                "count": stats.sessions_held,
                "sessions_with_attendance": stats.sessions_with_attendance,
                "attendance_mean": _float(stats.attendance_mean),
                "attendance_median": _float(stats.attendance_median),
                "attendance_min": stats.attendance_min,
                "attendance_max": stats.attendance_max,
                "first_session": (
                    bounds["first"].astimezone(zone).date().isoformat() if bounds["first"] else None
                ),
                "last_session": (
                    bounds["last"].astimezone(zone).date().isoformat() if bounds["last"] else None
                ),
                "top": [
                    {
                        "title": figure.session.title,
                        "starts_at": figure.session.starts_at.astimezone(zone).isoformat(),
                        "attendance": figure.attendance,
                    }
                    for figure in stats.top_sessions
                ],
            }
        )
    return {"seasons": result}


def _zone(name: str) -> Any:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return UTC


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def newsletter_section() -> dict[str, Any]:
    """Current statuses, from the newsletter's own stats (`hemonc newsletter stats --json`)."""
    stats = subscriber_stats()
    gender = dict.fromkeys([*Gender.values, UNKNOWN], 0)
    gender.update({key: n for key, n in stats["gender"].items() if key in gender})
    gender["unknown"] += sum(n for key, n in stats["gender"].items() if key not in gender)
    stage = dict.fromkeys([*Stage.values, UNKNOWN], 0)
    stage.update({key: n for key, n in stats["stage"].items() if key in stage})
    stage["unknown"] += sum(n for key, n in stats["stage"].items() if key not in stage)
    top_countries = [
        {"country": code, "subscribers": n}
        for code, n in stats["country"].items()
        if code != UNKNOWN
    ][:TOP_COUNTRIES]
    return {
        "subscribers": stats["status"][SubscriberStatus.SUBSCRIBED],
        "gender": gender,
        "stage": stage,
        "countries": stats["countries"],
        "top_countries": top_countries,
        "stage_groups": _stage_groups(stage),
    }


def _stage_groups(stage: dict[str, int]) -> list[dict[str, Any]]:
    """Stages by size (named stages only), with the specialty every one of them shares, if
    any: "internal medicine residents"."""
    specialties: dict[str, set[str]] = {}
    rows = (
        Subscriber.objects.filter(status=SubscriberStatus.SUBSCRIBED)
        .order_by()
        .values_list("stage", "specialty")
        .distinct()
    )
    for key, specialty in rows:
        specialties.setdefault(key, set()).add(specialty)
    groups = [
        {
            "stage": key,
            "specialty": next(iter(specialties[key]))
            if len(specialties.get(key, ())) == 1
            else None,
            "subscribers": n,
        }
        for key, n in stage.items()
        if n and key not in (UNKNOWN, Stage.OTHER)
    ]
    for group in groups:
        group["specialty"] = group["specialty"] or None
    return sorted(groups, key=lambda g: (-g["subscribers"], g["stage"]))


def members_section(*, start: date, end: date) -> dict[str, Any]:
    active = Profile.objects.filter(user__is_active=True)
    stage = dict.fromkeys([*Stage.values, UNKNOWN], 0)
    for key, n in active.order_by().values_list("stage").annotate(n=Count("id")):
        stage[key or UNKNOWN] = stage.get(key or UNKNOWN, 0) + n
    return {
        "members": member_count(),
        "joined_in_period": User.objects.filter(
            is_active=True,
            date_joined__gte=_day_start(start),
            date_joined__lt=_day_start(end + timedelta(days=1)),
        ).count(),
        "stage": stage,
        "countries": active.exclude(country="").values("country").distinct().count(),
    }


def mentorship_section(*, start: date, end: date) -> dict[str, Any]:
    counts = Mentorship.objects.aggregate(
        active=Count("id", filter=Q(status=MentorshipStatus.ACTIVE)),
        completed=Count("id", filter=Q(status=MentorshipStatus.COMPLETED)),
        started_in_period=Count(
            "id",
            filter=Q(
                created_at__gte=_day_start(start),
                created_at__lt=_day_start(end + timedelta(days=1)),
            ),
        ),
    )
    return {
        "mentorships_started": counts["started_in_period"],
        "mentorships_active": counts["active"],
        "mentorships_completed": counts["completed"],
        "mentors_accepting": MentorOffer.objects.filter(status=OfferStatus.ACCEPTING).count(),
    }
