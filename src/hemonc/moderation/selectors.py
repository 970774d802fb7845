"""Reads about the code of conduct and the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from hemonc.core.models import AuditEntry
from hemonc.moderation.models import (
    Appeal,
    Case,
    CaseStatus,
    ConductAcceptance,
    ConductVersion,
    Outcome,
    Report,
)


def conduct_current() -> ConductVersion | None:
    """The latest published version: the one members must have accepted to post."""
    return ConductVersion.objects.filter(published_at__isnull=False).first()


def conduct_pending_for(user: Any, *, current: ConductVersion | None = None) -> bool:
    """Whether `user` (signed in) must still accept the current version before posting."""
    current = current if current is not None else conduct_current()
    if current is None or not getattr(user, "pk", None):
        return False
    return not ConductAcceptance.objects.filter(user=user, version=current).exists()


def conduct_published() -> QuerySet[ConductVersion]:
    return ConductVersion.objects.filter(published_at__isnull=False)


# A member's own rows are audited under these labels: "everything about Ana" finds them.
MEMBER_TARGETS = ("members.user", "members.profile")


def audit_search(
    *,
    person: Any | None = None,
    action: str = "",
    target_type: str = "",
    target_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit rows, newest first: by or about `person`, an action (exact, or a prefix ending in
    "."), an item (its kind, and its id), a day range (inclusive, in the server's zone)."""
    rows = AuditEntry.objects.select_related("actor__profile")
    if person is not None:
        about = Q(target_type="members.user", target_id=str(person.pk))
        profile = getattr(person, "profile", None)
        if profile is not None:
            about |= Q(target_type="members.profile", target_id=str(profile.pk))
        rows = rows.filter(Q(actor=person) | about)
    if action.endswith("."):
        rows = rows.filter(action__startswith=action)
    elif action:
        rows = rows.filter(action=action)
    if target_type:
        rows = rows.filter(target_type=target_type)
        if target_id:
            rows = rows.filter(target_id=target_id)
    if since is not None:
        rows = rows.filter(created_at__date__gte=since)
    if until is not None:
        rows = rows.filter(created_at__date__lte=until)
    return rows.order_by("-created_at", "-id")


def audit_actions() -> list[str]:
    """Every action the log holds, sorted, for the filter's choices."""
    return sorted(AuditEntry.objects.values_list("action", flat=True).distinct())


def audit_target_types() -> list[str]:
    return sorted(
        AuditEntry.objects.exclude(target_type="").values_list("target_type", flat=True).distinct()
    )


# ---------------------------------------------------------------------------------------------
# Cases

# The queue's order: patient data first, then the oldest (the id keeps pages apart).
QUEUE_ORDER = ("-patient_data", "created_at", "id")


def cases_open_for(moderator: Any) -> QuerySet[Case]:
    """Open cases this moderator may handle (never about them, nor routed away from their
    institution) in the queue's order: patient data first, then oldest first.

    The index moderation_case_queue gives the order, so a page reads its own rows and no
    more, and counting the cases reads no reports. `with_report_counts` counts the reports
    of the rows shown.
    """
    institution = moderator.profile.institution.strip()
    rows = Case.objects.filter(status=CaseStatus.OPEN).exclude(author=moderator)
    if institution:
        rows = rows.exclude(excluded_institution__iexact=institution)
    return rows.select_related("claimed_by__profile").order_by(*QUEUE_ORDER)


def with_report_counts(cases: Iterable[Case]) -> list[Case]:
    """The cases, each with its `report_count`, counted in one query for them all (not per
    row, nor for cases not shown: a page far into the queue counts only its own)."""
    rows = list(cases)
    if not rows:
        return rows
    counts = dict(
        Report.objects.filter(case__in=rows)
        .order_by()
        .values_list("case")
        .annotate(count=Count("pk"))
        .values_list("case", "count")
    )
    for case in rows:
        case.report_count = counts.get(case.pk, 0)  # type: ignore[attr-defined]
    return rows


def appeals_waiting_for(moderator: Any) -> QuerySet[Appeal]:
    institution = moderator.profile.institution.strip()
    rows = (
        Appeal.objects.filter(upheld__isnull=True)
        .exclude(author=moderator)
        .exclude(case__decided_by=moderator)
    )
    if institution:
        rows = rows.exclude(case__excluded_institution__iexact=institution)
    return rows.select_related("case").order_by("created_at", "id")


def case_reports(case: Case) -> QuerySet[Report]:
    return case.reports.select_related("reporter__profile")


def cases_earlier_about(case: Case) -> QuerySet[Case]:
    if case.author_id is None:
        return Case.objects.none()
    return (
        Case.objects.filter(author_id=case.author_id)
        .exclude(pk=case.pk)
        .order_by("-created_at")[:10]
    )


def author_recent_actions(case: Case) -> QuerySet[AuditEntry]:
    """What the author did lately, as the audit log has it (no texts)."""
    if case.author_id is None:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(actor_id=case.author_id).order_by("-created_at")[:10]


def reports_by(user: Any) -> QuerySet[Report]:
    return Report.objects.filter(reporter=user).select_related("case").order_by("-created_at")


def decisions_about(user: Any) -> QuerySet[Case]:
    """Closed cases with a decision against the member, for their notices page."""
    return (
        Case.objects.filter(author=user, status=CaseStatus.CLOSED)
        .exclude(outcome=Outcome.DISMISSED)
        .prefetch_related("decisions")
        .select_related("appeal")
        .order_by("-decided_at")
    )


def moderation_needs(user: Any) -> dict[str, Any]:
    """What waits for this moderator: open cases and appeals ("Needs you")."""
    return {
        "cases": with_report_counts(cases_open_for(user)[:10]),
        "appeals": appeals_waiting_for(user)[:10],
    }
