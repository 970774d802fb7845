"""Reads about the code of conduct and the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, Prefetch, Q, QuerySet, Value

from hemonc.community.enums import ReviewState
from hemonc.community.models import Discussion, Message, Participant, Reply
from hemonc.core.models import AuditEntry
from hemonc.moderation.models import (
    Appeal,
    Case,
    CaseStatus,
    ConductAcceptance,
    ConductVersion,
    Outcome,
    Report,
    Vouch,
)


def conduct_current() -> ConductVersion | None:
    """The latest published version: the one members must have accepted to post."""
    return ConductVersion.objects.filter(published_at__isnull=False).first()


# Asked on every page a member opens (the banner), so written out: the ORM took longer to
# build it than the database to answer. No version's text is read.
_PENDING_SQL = (
    f"SELECT NOT EXISTS (SELECT 1 FROM {ConductAcceptance._meta.db_table} a "  # noqa: S608
    "WHERE a.user_id = %s AND a.version_id = v.id) "
    f"FROM {ConductVersion._meta.db_table} v WHERE v.published_at IS NOT NULL "
    "ORDER BY v.number DESC LIMIT 1"
)


def conduct_pending_for(user: Any) -> bool:
    """Whether `user` (signed in) must still accept the current version before posting."""
    if not getattr(user, "pk", None):
        return False
    with connection.cursor() as cursor:
        cursor.execute(_PENDING_SQL, [user.pk])
        row = cursor.fetchone()
    return bool(row and row[0])


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


# ---------------------------------------------------------------------------------------------
# New accounts: posts waiting for review


@dataclass(frozen=True)
class HeldPost:
    """A new account's discussion, reply or message waiting for a moderator."""

    label: str  # "community.reply", as the audit log names rows
    post: Any
    noun: str
    where: str  # in words
    url: str  # where it will show ("" for a message: only those in it read it)
    to: str  # a message's recipients, by name
    author: Any = None

    @property
    def anchor(self) -> str:
        return held_anchor(self.label, self.post.pk)


def held_anchor(label: str, pk: Any) -> str:
    """Its place in the queue, and its reject form's prefix: "held-reply-12"."""
    return f"held-{label.rpartition('.')[2]}-{pk}"


def _held_label(model: type[Any]) -> str:
    return model._meta.label_lower


def held_posts(*, limit: int = 100) -> list[HeldPost]:
    """Posts waiting for review, the oldest first (moderators read messages only here).

    One query finds them, and only what it finds is read whole: the queue asks on every
    page, and mostly nothing waits."""
    oldest = held_needs(limit=limit)
    if not oldest:
        return []
    ids: dict[str, list[Any]] = {}
    for label, pk, _since in oldest:
        ids.setdefault(label, []).append(pk)
    waiting = {"review_state": ReviewState.WAITING}
    found: list[HeldPost] = []
    for discussion in Discussion.objects.filter(
        pk__in=ids.get(_held_label(Discussion), ()), **waiting
    ).select_related("author__profile", "space"):
        found.append(
            HeldPost(
                label=_held_label(Discussion),
                post=discussion,
                noun="A discussion",
                where=f"in {discussion.space.name}",
                url=discussion.get_absolute_url(),
                to="",
                author=discussion.author,
            )
        )
    for reply in Reply.objects.filter(
        pk__in=ids.get(_held_label(Reply), ()), **waiting
    ).select_related("author__profile", "discussion__space"):
        found.append(
            HeldPost(
                label=_held_label(Reply),
                post=reply,
                noun="A reply",
                where=f"to “{reply.discussion.title}” in {reply.discussion.space.name}",
                url=f"{reply.discussion.get_absolute_url()}#reply-{reply.pk}",
                to="",
                author=reply.author,
            )
        )
    messages = list(
        Message.objects.filter(pk__in=ids.get(_held_label(Message), ()), **waiting)
        .select_related("sender__profile")
        .prefetch_related(
            Prefetch(
                "conversation__participants",
                queryset=Participant.objects.select_related("user__profile"),
            )
        )
    )
    for message in messages:
        names = ", ".join(
            str(p.user)
            for p in message.conversation.participants.all()
            if p.user_id != message.sender_id
        )
        found.append(
            HeldPost(
                label=_held_label(Message),
                post=message,
                noun="A message",
                where="in a private conversation",
                url="",
                to=names,
                author=message.sender,
            )
        )
    found.sort(key=lambda held: (held.post.created_at, held.label, held.post.pk))
    return found[:limit]


def held_post_count() -> int:
    waiting = {"review_state": ReviewState.WAITING}
    return (
        Discussion.objects.filter(**waiting).count()
        + Reply.objects.filter(**waiting).count()
        + Message.objects.filter(**waiting).count()
    )


def held_needs(*, limit: int = 5) -> list[tuple[str, int, Any]]:
    """(label, id, since) of the oldest posts waiting for review, in one query ("Needs
    you")."""
    waiting = {"review_state": ReviewState.WAITING}

    def rows(model: type[Any]) -> QuerySet[Any]:
        return (
            model.objects.filter(**waiting)
            .annotate(label=Value(_held_label(model), output_field=CharField()))
            .values_list("label", "pk", "created_at")
            .order_by()
        )

    return list(
        rows(Discussion).union(rows(Reply), rows(Message), all=True).order_by("created_at")[:limit]
    )


def vouch_for(user: Any) -> Vouch | None:
    return Vouch.objects.filter(user_id=user.pk).select_related("vouched_by__profile").first()
