"""Reads of the newsletter: audiences, the outbox's progress, demographics, the archive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pycountry
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from hemonc.core.countries import country_name
from hemonc.core.errors import DomainError
from hemonc.core.forms import parse_id
from hemonc.core.phi_guard import Findings, scan_texts
from hemonc.core.privacy import count_for_display
from hemonc.events.models import LiveSession
from hemonc.events.selectors import session_attendee_user_ids
from hemonc.members.enums import Gender
from hemonc.newsletter.enums import DeliveryStatus, IssueStatus, SubscriberStatus
from hemonc.newsletter.models import (
    ConsentText,
    Delivery,
    Issue,
    Subscriber,
    SubscriberImport,
    SubscriberImportFile,
)
from hemonc.taxonomy.enums import Stage

SEGMENT_KEYS = ("stage", "country", "members", "attended")
UNKNOWN = "unknown"


def consent_text_latest() -> ConsentText | None:
    """The consent text the sign-up form shows, or None while none is set up."""
    return ConsentText.objects.order_by("-version").first()


def consent_text_current() -> ConsentText:
    consent = consent_text_latest()
    if consent is None:
        raise DomainError("No consent text is set up: run the migrations.")
    return consent


def segment_validate(segment: dict[str, Any]) -> dict[str, str]:
    """A segment with known keys and valid values, normalized; DomainError otherwise."""
    clean: dict[str, str] = {}
    for key, raw in segment.items():
        value = str(raw).strip()
        if key == "stage":
            if value not in Stage.values:
                raise DomainError(f"stage={value!r}: use one of {', '.join(Stage.values)}.")
        elif key == "country":
            value = value.upper()
            if len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
                raise DomainError(f"country={value!r}: use a two-letter ISO code such as US.")
        elif key == "members":
            if value.lower() not in {"true", "false"}:
                raise DomainError(f"members={value!r}: use true or false.")
            value = value.lower()
        elif key == "attended":
            if parse_id(value) is None:
                raise DomainError(f"attended={value!r}: use a session's id (a number).")
        else:
            raise DomainError(f"Unknown segment {key!r}: use {', '.join(SEGMENT_KEYS)}.")
        clean[key] = value
    return clean


def _attendee_user_ids(session_id: int) -> Any:
    """The members who attended a live session, from the events app."""
    session = LiveSession.objects.filter(pk=session_id).first()
    if session is None:
        raise DomainError(f"attended={session_id}: there is no such session.")
    return session_attendee_user_ids(session=session)


def audience(*, segment: dict[str, str]) -> QuerySet[Subscriber]:
    """Subscribed people matching every filter of `segment`."""
    qs = Subscriber.objects.filter(status=SubscriberStatus.SUBSCRIBED)
    if segment.get("stage"):
        qs = qs.filter(stage=segment["stage"])
    if segment.get("country"):
        qs = qs.filter(country=segment["country"])
    if segment.get("members") == "true":
        qs = qs.filter(user__isnull=False, user__is_active=True)
    elif segment.get("members") == "false":
        qs = qs.filter(user__isnull=True)
    if segment.get("attended"):
        qs = qs.filter(user_id__in=_attendee_user_ids(int(segment["attended"])))
    return qs.order_by("id")


def issue_audience(*, issue: Issue) -> QuerySet[Subscriber]:
    return audience(segment=issue.segment or {})


def segment_label(segment: dict[str, str]) -> str:
    if not segment:
        return "Everyone subscribed"
    parts = []
    for key, value in segment.items():
        if key == "stage":
            parts.append(Stage(value).label)
        elif key == "country":
            parts.append(country_name(value) or value)
        elif key == "members":
            parts.append("members only" if value == "true" else "non-members only")
        elif key == "attended":
            parts.append(_attended_label(value))
    return " · ".join(parts)


def _attended_label(value: str) -> str:
    session_id = parse_id(value)
    session = LiveSession.objects.filter(pk=session_id).first() if session_id else None
    if session is None:
        return "attended a session that no longer exists"
    when = timezone.localtime(session.starts_at)
    return f"attended “{session.title}” ({when.day} {when:%B %Y})"


@dataclass(frozen=True)
class IssueProgress:
    total: int
    pending: int
    sent: int
    bounced: int
    failed: int
    skipped: int
    retrying: int

    @property
    def failures(self) -> int:
        return self.bounced + self.failed

    @property
    def done(self) -> int:
        """Deliveries with their final outcome."""
        return self.total - self.pending


def issue_progress(*, issue: Issue) -> IssueProgress:
    counts = dict(
        Delivery.objects.filter(issue=issue)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    retrying = Delivery.objects.filter(
        issue=issue, status=DeliveryStatus.PENDING, attempts__gt=0
    ).count()
    return IssueProgress(
        total=sum(counts.values()),
        pending=counts.get(DeliveryStatus.PENDING, 0),
        sent=counts.get(DeliveryStatus.SENT, 0),
        bounced=counts.get(DeliveryStatus.BOUNCED, 0),
        failed=counts.get(DeliveryStatus.FAILED, 0),
        skipped=counts.get(DeliveryStatus.SKIPPED, 0),
        retrying=retrying,
    )


def outbox_next_due(*, issue: Issue) -> datetime | None:
    """When the earliest waiting delivery of `issue` may be tried (its retry or its lease)."""
    pending = Delivery.objects.filter(issue=issue, status=DeliveryStatus.PENDING)
    times = pending.aggregate(retry=Min("next_attempt_at"), lease=Min("lease_until"))
    if pending.filter(next_attempt_at__isnull=True, lease_until__isnull=True).exists():
        return timezone.now()
    candidates = [t for t in (times["retry"], times["lease"]) if t is not None]
    return min(candidates) if candidates else None


def issues_archive() -> QuerySet[Issue]:
    """Sent issues, newest first: the public archive and its feed."""
    return Issue.objects.filter(status=IssueStatus.SENT).order_by("-sent_at", "-id")


# ---------------------------------------------------------------------------------------------
# Demographics


def _counts(qs: QuerySet[Subscriber], field: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value, n in qs.values_list(field).annotate(n=Count("id")).values_list(field, "n"):
        key = value or UNKNOWN
        counts[key] = counts.get(key, 0) + n
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def subscriber_stats() -> dict[str, Any]:
    """Exact counts for organizers and `hemonc newsletter stats --json`."""
    status = {s.value: 0 for s in SubscriberStatus}
    for value, n in (
        Subscriber.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    ):
        status[value] = n
    subscribed = Subscriber.objects.filter(status=SubscriberStatus.SUBSCRIBED)
    country = _counts(subscribed, "country")
    return {
        "status": status,
        "gender": _counts(subscribed, "gender"),
        "stage": _counts(subscribed, "stage"),
        "country": country,
        "countries": len([code for code in country if code != UNKNOWN]),
    }


def shown_count(count: int, *, exact: bool) -> str:
    """A count as text: groups under 5 are "<5" anywhere beyond organizers' own pages."""
    return str(count_for_display(count, exact=exact))


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    count: int
    shown: str
    percent: float


def _label(dimension: str, key: str) -> str:
    if key == UNKNOWN:
        return "Not given"
    if dimension == "stage":
        return str(Stage(key).label) if key in Stage.values else key
    if dimension == "gender":
        return str(Gender(key).label) if key in Gender.values else key
    return country_name(key) or key


def subscriber_demographics(*, exact: bool) -> dict[str, Any]:
    """Counts and shares of subscribed people by stage, gender and country.

    `exact` is for organizers' own pages; otherwise groups under 5 read "<5".
    """
    stats = subscriber_stats()
    total = stats["status"][SubscriberStatus.SUBSCRIBED]
    dimensions = {}
    for dimension in ("stage", "gender", "country"):
        dimensions[dimension] = [
            Share(
                key=key,
                label=_label(dimension, key),
                count=count,
                shown=shown_count(count, exact=exact),
                percent=round(100 * count / total, 1) if total else 0.0,
            )
            for key, count in stats[dimension].items()
        ]
    return {
        "total": total,
        "total_shown": shown_count(total, exact=exact),
        "countries": stats["countries"],
        "countries_shown": shown_count(stats["countries"], exact=exact),
        "status": stats["status"],
        **dimensions,
    }


def subscribers_search(*, q: str = "", status: str = "") -> QuerySet[Subscriber]:
    """Subscribers for the organizers' list: every word of `q` in the address, name or
    institution; `status` one of SubscriberStatus (else any)."""
    qs = Subscriber.objects.all()
    for word in q.split()[:10]:
        qs = qs.filter(
            Q(email__icontains=word) | Q(name__icontains=word) | Q(institution__icontains=word)
        )
    if status in SubscriberStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("email")


def subscriber_imports() -> QuerySet[SubscriberImport]:
    return SubscriberImport.objects.select_related("created_by__profile").prefetch_related(
        Prefetch("files", queryset=SubscriberImportFile.objects.defer("content"))
    )


def issues_by_status() -> dict[str, list[Issue]]:
    """The organizers' issues list: drafts, scheduled, being sent, sent (newest first)."""
    groups: dict[str, list[Issue]] = {status.value: [] for status in IssueStatus}
    for issue in Issue.objects.order_by("-created_at", "-id")[:500]:
        issue.audience_label = segment_label(issue.segment or {})  # type: ignore[attr-defined]
        groups[issue.status].append(issue)
    groups[IssueStatus.SCHEDULED].sort(key=lambda i: i.scheduled_for or i.created_at)
    groups[IssueStatus.SENT].sort(key=lambda i: i.sent_at or i.created_at, reverse=True)
    return groups


def subscriber_for_member(*, user_id: int) -> Subscriber | None:
    return Subscriber.objects.filter(Q(user_id=user_id)).first()


def outbox_leased_elsewhere(*, issue: Issue) -> bool:
    """Is some process holding live leases on this issue's deliveries right now?"""
    return Delivery.objects.filter(
        issue=issue, status=DeliveryStatus.PENDING, lease_until__gt=timezone.now()
    ).exists()


def outbox_lease_held_until(*, issue: Issue, owner: str) -> datetime | None:
    """Until when `owner` holds deliveries of `issue` (its latest lease), or None."""
    return Delivery.objects.filter(
        issue=issue, status=DeliveryStatus.PENDING, lease_owner=owner
    ).aggregate(until=Max("lease_until"))["until"]


# ---------------------------------------------------------------------------------------------
# A member's home


def issue_latest_sent() -> Issue | None:
    """The newest issue of the public archive, if any."""
    return issues_archive().first()


def issues_unsent() -> list[Issue]:
    """Issues organizers still have work or an eye on: drafts, scheduled and sending ones,
    sending first."""
    order = {IssueStatus.SENDING: 0, IssueStatus.SCHEDULED: 1, IssueStatus.DRAFT: 2}
    issues = Issue.objects.filter(status__in=list(order)).order_by("-updated_at", "-id")
    return sorted(issues[:20], key=lambda issue: order[IssueStatus(issue.status)])


# What readers get of an issue, checked for patient identifiers (core/phi_guard.py).
PHI_FIELDS = ("subject", "preheader", "body")


def issue_phi_pending(*, issue: Issue) -> Findings:
    """What may identify a patient in an issue no one attested: sending waits for an edit or
    the attestation ({} for a clean or attested issue)."""
    if issue.phi_attested_at is not None:
        return {}
    return scan_texts({name: getattr(issue, name) for name in PHI_FIELDS})
