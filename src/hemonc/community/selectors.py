"""Reads of the community that several pages (and the weekly digest) share."""

from __future__ import annotations

# ---- opportunities (+ sponsorship) ----
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from hemonc.community.models.opportunities import (
    Nomination,
    Opportunity,
    OpportunityStatus,
    SavedOpportunity,
)
from hemonc.members.models import User
from hemonc.members.selectors import user_ids_hidden_from
from hemonc.mentorship.models import MentorOffer, Mentorship
from hemonc.taxonomy.enums import Stage

# How near a deadline is "soon" on the board's filter.
DEADLINE_SOON = timedelta(days=14)
# Stages that can be put forward by a sponsor (the trainees).
NOMINEE_STAGES = frozenset(
    {
        Stage.MEDICAL_STUDENT,
        Stage.RESIDENT,
        Stage.FELLOW,
        Stage.ADVANCED_FELLOW,
        Stage.PHD_TRAINEE,
    }
)


def open_to_stage(stage: str) -> Q:
    """Opportunities open to `stage` (those open to every stage among them)."""
    return Q(stages="") | Q(stages__contains=f" {stage} ") if stage else Q(stages="")


def open_to_country(country: str) -> Q:
    """Opportunities open to members in `country` (those open everywhere among them)."""
    return Q(countries="") | Q(countries__contains=f" {country} ") if country else Q(countries="")


def _fits(user: User) -> Q:
    profile = getattr(user, "profile", None)
    stage = getattr(profile, "stage", "") or ""
    country = getattr(profile, "country", "") or ""
    return open_to_stage(stage) & open_to_country(country)


def opportunities_open(*, now: datetime | None = None) -> QuerySet[Opportunity]:
    """Approved opportunities whose deadline is still ahead, nearest deadline first."""
    return Opportunity.objects.filter(
        status=OpportunityStatus.APPROVED, deadline__gt=now or timezone.now()
    ).order_by("deadline", "id")


def opportunities_archived(*, now: datetime | None = None) -> QuerySet[Opportunity]:
    """Approved opportunities whose deadline has passed, latest first: the archive."""
    return Opportunity.objects.filter(
        status=OpportunityStatus.APPROVED, deadline__lte=now or timezone.now()
    ).order_by("-deadline", "-id")


def opportunities_fitting(user: User, *, since: datetime | None = None) -> QuerySet[Opportunity]:
    """Open, approved opportunities that fit `user`'s stage and country (an opportunity open
    to every stage or everywhere fits anyone); with `since`, those approved since then."""
    qs = opportunities_open().filter(_fits(user))
    if since is not None:
        qs = qs.filter(approved_at__gte=since)
    return qs


@dataclass(frozen=True)
class BoardFilters:
    kind: str = ""
    stage: str = ""
    country: str = ""
    tag: str = ""  # a topic's slug
    fits_me: bool = False
    soon: bool = False


def opportunity_board(
    *, viewer: User, filters: BoardFilters, archived: bool = False
) -> QuerySet[Opportunity]:
    """The board (or the archive) as `filters` narrow it, each row marked `is_saved` for the
    viewer."""
    now = timezone.now()
    qs = opportunities_archived(now=now) if archived else opportunities_open(now=now)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.stage:
        qs = qs.filter(open_to_stage(filters.stage))
    if filters.country:
        qs = qs.filter(open_to_country(filters.country))
    if filters.tag:
        qs = qs.filter(tags__slug=filters.tag)
    if filters.fits_me:
        qs = qs.filter(_fits(viewer))
    if filters.soon and not archived:
        qs = qs.filter(deadline__lte=now + DEADLINE_SOON)
    return with_saved(qs, viewer=viewer).prefetch_related("tags")


def with_saved(qs: QuerySet[Opportunity], *, viewer: User) -> QuerySet[Opportunity]:
    return qs.annotate(
        is_saved=Exists(
            SavedOpportunity.objects.filter(user_id=viewer.pk, opportunity=OuterRef("pk"))
        )
    )


def opportunities_saved(*, user: User) -> QuerySet[Opportunity]:
    """The approved opportunities `user` saved, nearest deadline first."""
    return with_saved(
        Opportunity.objects.filter(status=OpportunityStatus.APPROVED, saves__user=user),
        viewer=user,
    ).order_by("deadline", "id")


def opportunities_pending() -> QuerySet[Opportunity]:
    """Suggestions waiting for an organizer, oldest first."""
    return (
        Opportunity.objects.filter(status=OpportunityStatus.PENDING)
        .select_related("suggested_by__profile")
        .order_by("created_at", "id")
    )


def opportunities_suggested_by(*, user: User) -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(suggested_by=user).order_by("-created_at", "-id")


def opportunity_visible(*, viewer: User, opportunity: Opportunity) -> bool:
    """Approved ones are seen by every member; a suggestion by its author and organizers."""
    if opportunity.status == OpportunityStatus.APPROVED:
        return True
    return viewer.is_organizer or (opportunity.suggested_by_id == viewer.pk)


def user_is_sponsor(user: User) -> bool:
    """Faculty (stage attending) or a mentor (an offer to mentor, or a mentorship as mentor)
    may nominate trainees."""
    if not user.is_authenticated or not user.is_active:
        return False
    profile = getattr(user, "profile", None)
    if getattr(profile, "stage", "") == Stage.ATTENDING:
        return True
    return (
        MentorOffer.objects.filter(user=user).exists()
        or Mentorship.objects.filter(mentor=user).exists()
    )


def user_may_be_nominated(user: User) -> bool:
    profile = getattr(user, "profile", None)
    return user.is_active and getattr(profile, "stage", "") in NOMINEE_STAGES


def _nominations() -> QuerySet[Nomination]:
    return Nomination.objects.select_related(
        "nominator__profile", "nominee__profile", "opportunity"
    )


def nominations_received(*, user: User) -> QuerySet[Nomination]:
    """Nominations of `user`, less those by members hidden from them (blocks)."""
    qs = _nominations().filter(nominee=user)
    hidden = user_ids_hidden_from(viewer=user)
    return qs.exclude(nominator_id__in=hidden) if hidden else qs


def nominations_made(*, user: User) -> QuerySet[Nomination]:
    qs = _nominations().filter(nominator=user)
    hidden = user_ids_hidden_from(viewer=user)
    return qs.exclude(nominee_id__in=hidden) if hidden else qs


def nomination_visible(*, viewer: User, nomination: Nomination) -> bool:
    """Only the sponsor, the trainee and organizers see a nomination: it is never published."""
    if viewer.is_organizer:
        return True
    if viewer.pk not in (nomination.nominator_id, nomination.nominee_id):
        return False
    other = (
        nomination.nominee_id if viewer.pk == nomination.nominator_id else nomination.nominator_id
    )
    return other not in (user_ids_hidden_from(viewer=viewer) or ())


def nominations_by_opportunity() -> list[tuple[Opportunity | None, list[Nomination]]]:
    """Every nomination, grouped by opportunity (latest deadline first), then those for a
    role of the sponsor's own wording (None): the organizers' overview."""
    groups: dict[int | None, list[Nomination]] = {}
    opportunities: dict[int, Opportunity] = {}
    for nomination in _nominations().order_by("-opportunity__deadline", "-created_at"):
        groups.setdefault(nomination.opportunity_id, []).append(nomination)
        if nomination.opportunity_id and nomination.opportunity:
            opportunities[nomination.opportunity_id] = nomination.opportunity
    rows: list[tuple[Opportunity | None, list[Nomination]]] = [
        (opportunities[key], items) for key, items in groups.items() if key is not None
    ]
    if None in groups:
        rows.append((None, groups[None]))
    return rows
