"""Reads of mentorship shared by pages, services and the demo: the finder, seats, matcher input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from hemonc.core.timezones import is_time_zone
from hemonc.members.models import Block, User
from hemonc.members.selectors import Viewer, user_ids_hidden_from
from hemonc.mentorship.enums import (
    MentorshipStatus,
    OfferStatus,
    ProgramRole,
    ProgramStatus,
    RequestStatus,
)
from hemonc.mentorship.matching import Mentee, Mentor, ScoreTerms, ineligibility, score_terms
from hemonc.mentorship.models import (
    MenteeGoals,
    MentorOffer,
    Mentorship,
    MentorshipMessage,
    MentorshipRequest,
    Program,
    ProgramApplication,
    SpeedMentoringEvent,
)


def seats_left(*, offer: MentorOffer) -> int:
    active = Mentorship.objects.filter(
        mentor_id=offer.user_id, status=MentorshipStatus.ACTIVE
    ).count()
    return max(0, offer.capacity - active)


@dataclass(frozen=True)
class FinderFilters:
    topic: str = ""  # a topic slug
    career_path: str = ""  # a career path slug
    stage: str = ""  # the viewer's stage the mentor should take
    format: str = ""
    language: str = ""
    with_seats: bool = True


def mentor_finder(*, viewer: Viewer, filters: FinderFilters) -> QuerySet[MentorOffer]:
    """Accepting mentors the viewer may see, with `seats_left` annotated; blocks hide both ways."""
    offers = (
        MentorOffer.objects.filter(status=OfferStatus.ACCEPTING, user__is_active=True)
        .exclude(user__profile__display_name="")
        .annotate(
            active_count=Count(
                "user__mentorships_as_mentor",
                filter=Q(user__mentorships_as_mentor__status=MentorshipStatus.ACTIVE),
                distinct=True,
            )
        )
        .select_related("user__profile")
        .prefetch_related("topics", "career_paths")
    )
    hidden = user_ids_hidden_from(viewer=viewer)
    if viewer is not None and viewer.is_authenticated:
        offers = offers.exclude(user_id__in=[*(hidden or ()), viewer.pk])
    if filters.topic:
        offers = offers.filter(topics__slug=filters.topic)
    if filters.career_path:
        offers = offers.filter(career_paths__slug=filters.career_path)
    # JSON lists: "contains" is not on SQLite, so match the quoted value in the text.
    for field, value in (
        ("stages", filters.stage),
        ("formats", filters.format),
        ("languages", filters.language),
    ):
        if value:
            offers = offers.filter(Q(**{f"{field}__icontains": f'"{value}"'}) | Q(**{field: []}))
    if filters.with_seats:
        offers = offers.filter(active_count__lt=F("capacity"))
    return offers.order_by("user__profile__display_name", "id").distinct()


def requests_for(*, user: User) -> dict[str, QuerySet[MentorshipRequest]]:
    # A member (never a visitor) has a set, perhaps empty, of people hidden from them.
    hidden = user_ids_hidden_from(viewer=user) or frozenset()
    received = (
        MentorshipRequest.objects.filter(mentor=user)
        .exclude(mentee_id__in=hidden)
        .select_related("mentee__profile")
    )
    sent = (
        MentorshipRequest.objects.filter(mentee=user)
        .exclude(mentor_id__in=hidden)
        .select_related("mentor__profile")
    )
    return {"received": received, "sent": sent}


def mentorships_for(*, user: User) -> QuerySet[Mentorship]:
    return (
        Mentorship.objects.filter(Q(mentor=user) | Q(mentee=user))
        .select_related("mentor__profile", "mentee__profile", "program")
        .order_by("status", "-created_at")
    )


def terms_dict(terms: ScoreTerms) -> dict[str, float]:
    return {key: round(value, 4) for key, value in asdict(terms).items()}


def _utc_offset(time_zone: str, when: datetime) -> float:
    if not time_zone or not is_time_zone(time_zone):
        return 0.0
    offset = when.astimezone(ZoneInfo(time_zone)).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0


def _communities(user: User, extra: list[str] | None = None) -> frozenset[str]:
    """Identity communities reach the matcher only when the member opted in."""
    profile = user.profile
    if not profile.share_communities_with_matcher:
        return frozenset()
    return frozenset([*profile.identity_communities, *(extra or [])])


def mentor_input(*, offer: MentorOffer, capacity: int, when: datetime) -> Mentor:
    profile = offer.user.profile
    return Mentor(
        id=str(offer.user_id),
        capacity=capacity,
        stages=frozenset(offer.stages),
        topics=frozenset(t.slug for t in offer.topics.all()),
        career_paths=frozenset(c.slug for c in offer.career_paths.all()),
        languages=frozenset(offer.languages),
        formats=frozenset(offer.formats),
        utc_offset=_utc_offset(profile.time_zone, when),
        institution=profile.institution,
        communities=_communities(offer.user, offer.communities),
    )


def mentee_input(
    *, user: User, goals: MenteeGoals | None, when: datetime, blocked: set[int]
) -> Mentee:
    profile = user.profile
    topics = goals.topics.all() if goals else profile.interests.all()
    paths = goals.career_paths.all() if goals else profile.career_paths.all()
    excluded = {str(m.pk) for m in goals.excluded_mentors.all()} if goals else set()
    return Mentee(
        id=str(user.pk),
        stage=profile.stage,
        topics=frozenset(t.slug for t in topics),
        career_paths=frozenset(c.slug for c in paths),
        languages=frozenset(goals.languages if goals else []),
        formats=frozenset(goals.formats if goals else []),
        utc_offset=_utc_offset(profile.time_zone, when),
        institution=profile.institution,
        avoid_own_institution=bool(goals and goals.avoid_own_institution),
        communities=_communities(user),
        prefers_shared_community=bool(goals and goals.prefers_shared_community),
        ranked_mentors=tuple(str(pk) for pk in (goals.ranked_mentors if goals else [])),
        # Members who blocked each other are never matched.
        excluded_mentors=frozenset(excluded | {str(pk) for pk in blocked}),
    )


def _blocked_pairs(user_ids: list[int]) -> dict[int, set[int]]:
    pairs: dict[int, set[int]] = {}
    for a, b in Block.objects.filter(blocker_id__in=user_ids, blocked_id__in=user_ids).values_list(
        "blocker_id", "blocked_id"
    ):
        pairs.setdefault(a, set()).add(b)
        pairs.setdefault(b, set()).add(a)
    return pairs


def program_matcher_input(*, program: Program) -> tuple[list[Mentor], list[Mentee]]:
    applications = list(
        ProgramApplication.objects.filter(program=program, user__is_active=True).select_related(
            "user__profile"
        )
    )
    when = timezone.now()
    blocked = _blocked_pairs([a.user_id for a in applications])
    offers = {
        o.user_id: o
        for o in MentorOffer.objects.filter(
            user_id__in=[a.user_id for a in applications if a.role == ProgramRole.MENTOR]
        )
        .select_related("user__profile")
        .prefetch_related("topics", "career_paths")
    }
    goals = {
        g.user_id: g
        for g in MenteeGoals.objects.filter(
            user_id__in=[a.user_id for a in applications if a.role == ProgramRole.MENTEE]
        ).prefetch_related("topics", "career_paths", "excluded_mentors")
    }
    mentors = [
        mentor_input(offer=offers[a.user_id], capacity=a.capacity, when=when)
        for a in applications
        if a.role == ProgramRole.MENTOR and a.user_id in offers
    ]
    mentees = [
        mentee_input(
            user=a.user,
            goals=goals.get(a.user_id),
            when=when,
            blocked=blocked.get(a.user_id, set()),
        )
        for a in applications
        if a.role == ProgramRole.MENTEE
    ]
    return mentors, mentees


@dataclass(frozen=True)
class PairCheck:
    terms: ScoreTerms | None
    rule: str | None


def program_pair(*, program: Program, mentor: User, mentee: User) -> PairCheck:
    """The matcher's view of one pair: its score terms, or the rule it breaks."""
    if Block.objects.filter(
        Q(blocker=mentor, blocked=mentee) | Q(blocker=mentee, blocked=mentor)
    ).exists():
        return PairCheck(None, "blocked")
    offer = MentorOffer.objects.filter(user=mentor).first()
    if offer is None:
        return PairCheck(None, "no offer")
    when = timezone.now()
    mentor_in = mentor_input(offer=offer, capacity=1, when=when)
    mentee_in = mentee_input(
        user=mentee, goals=MenteeGoals.objects.filter(user=mentee).first(), when=when, blocked=set()
    )
    rule = ineligibility(mentor_in, mentee_in)
    if rule is not None:
        return PairCheck(None, rule)
    return PairCheck(score_terms(mentor_in, mentee_in), None)


def speed_event_input(*, event: SpeedMentoringEvent) -> tuple[list[Mentor], list[Mentee]]:
    """The checked-in people of a speed-mentoring event, with blocked pairs kept apart."""
    participants = list(
        event.participants.filter(checked_in=True, user__is_active=True).select_related(
            "user__profile"
        )
    )
    blocked = _blocked_pairs([p.user_id for p in participants])
    offers = {
        o.user_id: o
        for o in MentorOffer.objects.filter(
            user_id__in=[p.user_id for p in participants]
        ).prefetch_related("topics")
    }
    mentors, mentees = [], []
    for p in participants:
        profile = p.user.profile
        if p.role == ProgramRole.MENTOR:
            offer = offers.get(p.user_id)
            topics = offer.topics.all() if offer else profile.interests.all()
            mentors.append(
                Mentor(
                    id=str(p.user_id),
                    capacity=event.table_size,
                    topics=frozenset(t.slug for t in topics),
                )
            )
        else:
            mentees.append(
                Mentee(
                    id=str(p.user_id),
                    topics=frozenset(t.slug for t in profile.interests.all()),
                    excluded_mentors=frozenset(str(pk) for pk in blocked.get(p.user_id, set())),
                )
            )
    return mentors, mentees


def session_check_in_user_ids(*, session_id: int) -> list[int]:
    """Who checked in at a live session of the events app (read through the app registry)."""
    check_in = apps.get_model("events", "CheckIn")
    return list(
        check_in.objects.filter(session_id=session_id)
        .exclude(user=None)
        .values_list("user_id", flat=True)
    )


def program_counts(*, program: Program) -> dict[str, Any]:
    rows = ProgramApplication.objects.filter(program=program).values("role").annotate(n=Count("id"))
    counts = {row["role"]: row["n"] for row in rows}
    return {
        "mentors": counts.get(ProgramRole.MENTOR, 0),
        "mentees": counts.get(ProgramRole.MENTEE, 0),
    }


# ---------------------------------------------------------------------------------------------
# A member's home


@dataclass(frozen=True)
class MemberMentoring:
    """What of mentoring waits for a member: requests pending either way, and active
    mentorships with who wrote last in their thread (there is no read marker, so "your
    turn" stands in for unread: the other side wrote last)."""

    received: Sequence[MentorshipRequest]
    sent: Sequence[MentorshipRequest]
    active: Sequence[Mentorship]

    @property
    def is_empty(self) -> bool:
        return not (self.received or self.sent or self.active)


def member_mentoring(*, user: User, limit: int = 5) -> MemberMentoring:
    """Pending requests and active mentorships of `user`, people hidden from them left
    out. Three queries; each active mentorship carries `last_message_at` and
    `last_author_id` (None without messages)."""
    hidden = user_ids_hidden_from(viewer=user) or frozenset()
    pending = MentorshipRequest.objects.filter(status=RequestStatus.PENDING).order_by(
        "-created_at", "-id"
    )
    received = list(
        pending.filter(mentor=user)
        .exclude(mentee_id__in=hidden)
        .select_related("mentee__profile")[:limit]
    )
    sent = list(
        pending.filter(mentee=user)
        .exclude(mentor_id__in=hidden)
        .select_related("mentor__profile")[:limit]
    )
    last = MentorshipMessage.objects.filter(mentorship=OuterRef("pk")).order_by(
        "-created_at", "-id"
    )
    active = list(
        Mentorship.objects.filter(Q(mentor=user) | Q(mentee=user), status=MentorshipStatus.ACTIVE)
        .exclude(mentor_id__in=hidden)
        .exclude(mentee_id__in=hidden)
        .select_related("mentor__profile", "mentee__profile")
        .annotate(
            last_message_at=Subquery(last.values("created_at")[:1]),
            last_author_id=Subquery(last.values("author_id")[:1]),
        )
        .order_by(F("last_message_at").desc(nulls_last=True), "-created_at")[:limit]
    )
    return MemberMentoring(received=received, sent=sent, active=active)


def programs_awaiting_review(*, now: datetime | None = None) -> list[Program]:
    """Programs that wait for organizers: applications closed but not matched yet, or the
    matcher's proposals not published yet. Oldest deadline first."""
    now = now or timezone.now()
    return list(
        Program.objects.filter(
            Q(status=ProgramStatus.MATCHING)
            | Q(status=ProgramStatus.OPEN, applications_close_at__lte=now)
        ).order_by("applications_close_at", "id")
    )
