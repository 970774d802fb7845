"""Reads about the code of conduct and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from hemonc.core.models import AuditEntry
from hemonc.moderation.models import ConductAcceptance, ConductVersion


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
