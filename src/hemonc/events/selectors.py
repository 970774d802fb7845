"""Reads about live sessions shared by pages, feeds, reports and the apps above this one.

Other apps use `session_attendee_user_ids` (who attended a session: its check-ins) and
`season_statistics` (the figures of a season, also on the season page).
"""

from __future__ import annotations

import statistics
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import formats, timezone

from hemonc.core import phi
from hemonc.core.privacy import SMALL_GROUP, is_small_group
from hemonc.events.enums import QuestionStatus, RsvpStatus, SessionStatus
from hemonc.events.models import (
    CheckIn,
    Guest,
    LiveSession,
    Question,
    QuestionVote,
    Rsvp,
    Season,
)
from hemonc.members.models import User
from hemonc.members.selectors import Viewer, user_ids_hidden_from


def seats_left_label(*, capacity: int, going: int, exact: bool) -> str:
    """The seats left, said so that they never reveal a small group that the counts hide
    (`core.privacy`): under 5 going, beyond organizers, only a lower bound is shown."""
    seats_left = max(capacity - going, 0)
    if exact or not is_small_group(going):
        return f"{seats_left:,} of {capacity:,} seats left."
    if capacity > SMALL_GROUP:
        return f"More than {capacity - SMALL_GROUP:,} of {capacity:,} seats left."
    return "Seats left."


def viewer_is_organizer(viewer: Viewer) -> bool:
    return bool(viewer is not None and viewer.is_authenticated and viewer.is_organizer)


# ---------------------------------------------------------------------------------------------
# Lists of sessions


def with_attendance(qs: QuerySet[LiveSession]) -> QuerySet[LiveSession]:
    """Annotate `check_in_count` and `attendance`: the recorded peak listener count when
    there is one, else the number of check-ins."""
    check_ins = (
        CheckIn.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(
        check_in_count=Coalesce(check_ins, Value(0), output_field=IntegerField()),
    ).annotate(attendance=Coalesce("peak_listeners", "check_in_count", output_field=IntegerField()))


def session_list_upcoming(
    *, now: datetime | None = None, limit: int | None = None, include_cancelled: bool = True
) -> list[LiveSession]:
    """Sessions not over yet (a live one included), soonest first. Cancelled ones stay
    listed, marked, until their time passes, so nobody wonders where they went."""
    now = now or timezone.now()
    # A session lasts at most a day, so anything that started earlier is over.
    qs = (
        LiveSession.objects.filter(starts_at__gte=now - timedelta(hours=24))
        .exclude(status=SessionStatus.ENDED)
        .select_related("season")
        .prefetch_related("guests", "topics")
        .order_by("starts_at", "id")
    )
    if not include_cancelled:
        qs = qs.exclude(status=SessionStatus.CANCELLED)
    upcoming = []
    for session in qs.iterator(chunk_size=200) if limit is None else qs[: limit + 10]:
        if session.ends_at > now:
            upcoming.append(session)
            if limit is not None and len(upcoming) == limit:
                break
    return upcoming


def session_list_past(*, now: datetime | None = None) -> QuerySet[LiveSession]:
    """Sessions that happened (not cancelled), newest first, with their attendance."""
    now = now or timezone.now()
    return with_attendance(
        LiveSession.objects.filter(starts_at__lt=now)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("season")
        .prefetch_related("guests")
        .order_by("-starts_at", "-id")
    )


@dataclass
class MonthDay:
    day: date
    in_month: bool
    is_today: bool
    sessions: list[LiveSession] = field(default_factory=list)


def session_month(*, year: int, month: int, zone: ZoneInfo) -> list[list[MonthDay]]:
    """The weeks (Monday first) of a month in the viewer's zone, each day with its sessions."""
    first = date(year, month, 1)
    last = date(year, month, monthrange(year, month)[1])
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    start = datetime.combine(grid_start, time.min, tzinfo=zone)
    end = datetime.combine(grid_end + timedelta(days=1), time.min, tzinfo=zone)
    by_day: dict[date, list[LiveSession]] = {}
    for session in LiveSession.objects.filter(starts_at__gte=start, starts_at__lt=end).order_by(
        "starts_at"
    ):
        by_day.setdefault(session.starts_at.astimezone(zone).date(), []).append(session)
    today = timezone.now().astimezone(zone).date()
    weeks, day = [], grid_start
    while day <= grid_end:
        week = []
        for _ in range(7):
            week.append(MonthDay(day, day.month == month, day == today, by_day.get(day, [])))
            day += timedelta(days=1)
        weeks.append(week)
    return weeks


def sessions_for_feed() -> QuerySet[LiveSession]:
    return LiveSession.objects.order_by("starts_at", "id")


@dataclass(frozen=True)
class FeedState:
    """The public feed's cache key and when its content last changed (None: no session)."""

    version: str
    changed_at: datetime | None


def feed_state() -> FeedState:
    """`version` changes whenever a session is added, changed or removed."""
    figures = LiveSession.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    last = figures["last"].timestamp() if figures["last"] else 0
    return FeedState(f"{figures['n']}-{figures['top']}-{last}", figures["last"])


def sessions_of_member(*, user: User) -> QuerySet[LiveSession]:
    """Sessions `user` holds a seat for or waits for: their private calendar feed."""
    return LiveSession.objects.filter(
        rsvps__user=user, rsvps__status__in=[RsvpStatus.GOING, RsvpStatus.WAITLISTED]
    ).order_by("starts_at", "id")


def member_feed_changed_at(*, user: User) -> datetime | None:
    """When `user`'s private feed last changed: their latest RSVP change (a cancelled seat
    leaves the feed) or the latest change of a session they ever answered."""
    figures = Rsvp.objects.filter(user=user).aggregate(
        rsvp=Max("updated_at"), session=Max("session__updated_at")
    )
    moments = [moment for moment in figures.values() if moment is not None]
    return max(moments, default=None)


# ---------------------------------------------------------------------------------------------
# One session


def session_people(*, session: LiveSession, viewer: Viewer) -> dict[str, list[Any]]:
    """Hosts and guests as `viewer` may see them: blocked members (either way) are left out."""
    hidden = user_ids_hidden_from(viewer=viewer)
    hosts = session.hosts.filter(is_active=True).select_related("profile")
    guests = session.guests.select_related("member__profile").order_by("name")
    if hidden is not None:
        hosts = hosts.exclude(id__in=hidden)
        guests = guests.exclude(member_id__in=hidden)
    return {"hosts": list(hosts), "guests": list(guests)}


def rsvp_of(*, session: LiveSession, user: Viewer) -> Rsvp | None:
    if user is None or not user.is_authenticated:
        return None
    return Rsvp.objects.filter(session=session, user_id=user.pk).first()


@dataclass(frozen=True)
class RsvpCounts:
    going: int
    waitlisted: int
    seats_left: int | None


def session_rsvp_counts(*, session: LiveSession) -> RsvpCounts:
    counts = session.rsvps.aggregate(
        going=Count("id", filter=Q(status=RsvpStatus.GOING)),
        waitlisted=Count("id", filter=Q(status=RsvpStatus.WAITLISTED)),
    )
    seats_left = None if session.capacity is None else max(session.capacity - counts["going"], 0)
    return RsvpCounts(counts["going"], counts["waitlisted"], seats_left)


def waitlist_position(*, rsvp: Rsvp) -> int | None:
    if rsvp.status != RsvpStatus.WAITLISTED or rsvp.waitlisted_at is None:
        return None
    ahead = Rsvp.objects.filter(session_id=rsvp.session_id, status=RsvpStatus.WAITLISTED).filter(
        Q(waitlisted_at__lt=rsvp.waitlisted_at)
        | Q(waitlisted_at=rsvp.waitlisted_at, id__lt=rsvp.pk)
    )
    return ahead.count() + 1


def session_attendee_user_ids(*, session: LiveSession) -> QuerySet[Any]:
    """Ids of the members who attended `session` (checked in), as a subquery-ready values
    queryset: `User.objects.filter(id__in=session_attendee_user_ids(session=s))`."""
    return CheckIn.objects.filter(session=session).values("user_id")


def session_attendance(*, session: LiveSession) -> int | None:
    """The recorded peak listener count, else the number of check-ins (None if neither)."""
    if session.peak_listeners is not None:
        return session.peak_listeners
    count = session.check_ins.count()
    return count or None


def user_attended(*, user: User, session: LiveSession) -> bool:
    return CheckIn.objects.filter(session=session, user=user).exists()


def session_check_ins_for_export(*, session: LiveSession) -> QuerySet[CheckIn]:
    return session.check_ins.select_related("user__profile").order_by("created_at", "id")


@dataclass(frozen=True)
class QuestionView:
    """A question as one viewer may see it: the author is None when hidden from them."""

    question: Question
    author_name: str | None
    author_id: int | None
    votes: int
    voted: bool
    is_own: bool
    # A held question's text with what may identify a patient marked (for its author and
    # the moderators, the only ones who see it); "" otherwise.
    marked: str = ""


def session_questions(
    *, session: LiveSession, viewer: Viewer, may_moderate: bool
) -> list[QuestionView]:
    """Questions, pinned first, then by votes and age. Hidden ones only for moderators, held
    ones (they may identify a patient) for moderators and their author; questions by people
    hidden from the viewer (blocks, mutes) are left out. Anonymous questions show no author
    to other members, but always to hosts and moderators."""
    qs = (
        Question.objects.filter(session=session)
        .select_related("author__profile")
        .annotate(vote_count=Count("votes"))
    )
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    if not may_moderate:
        qs = qs.filter(Q(is_hidden=False) | Q(is_held=True, author_id=viewer_id))
    hidden = user_ids_hidden_from(viewer=viewer)
    if hidden is not None:
        qs = qs.exclude(author_id__in=hidden)
    if viewer_id is not None:
        qs = qs.annotate(
            voted=Exists(QuestionVote.objects.filter(question=OuterRef("pk"), user_id=viewer_id))
        )
    ordered = sorted(
        qs,
        key=lambda q: (
            not q.is_pinned,
            q.status == QuestionStatus.ANSWERED,
            -q.vote_count,
            q.created_at,
        ),
    )
    views = []
    for q in ordered:
        is_own = viewer_id == q.author_id
        shows_author = not q.is_anonymous or may_moderate or is_own
        views.append(
            QuestionView(
                question=q,
                author_name=str(q.author) if shows_author else None,
                author_id=q.author_id if shows_author else None,
                votes=q.vote_count,
                voted=bool(getattr(q, "voted", False)),
                is_own=is_own,
                marked=phi.highlight(q.text, phi.scan(q.text)) if q.is_held else "",
            )
        )
    return views


def guest_sessions(*, guest: Guest) -> QuerySet[LiveSession]:
    return guest.sessions.exclude(status=SessionStatus.CANCELLED).order_by("-starts_at")


# ---------------------------------------------------------------------------------------------
# Season statistics


@dataclass(frozen=True)
class SessionFigure:
    session: LiveSession
    attendance: int


@dataclass(frozen=True)
class SeasonStatistics:
    """A season in figures; attendance is per session (peak listeners, else check-ins)."""

    season: Season
    sessions_held: int
    sessions_with_attendance: int
    attendance_mean: float | None
    attendance_median: float | None
    attendance_min: int | None
    attendance_max: int | None
    top_sessions: list[SessionFigure]
    # Over the sessions with check-ins: check-ins / RSVPs that held a seat.
    rsvps_with_check_ins: int
    check_ins: int
    rsvp_conversion: float | None


def season_statistics(
    *, season: Season, now: datetime | None = None, top: int = 3
) -> SeasonStatistics:
    """Per season: sessions held (past, not cancelled), attendance mean / median / min / max,
    the top sessions by attendance, and RSVP-to-attendance conversion where check-ins exist."""
    now = now or timezone.now()
    held = with_attendance(
        season.sessions.filter(starts_at__lte=now).exclude(status=SessionStatus.CANCELLED)
    ).annotate(seat_count=Count("rsvps", filter=Q(rsvps__status=RsvpStatus.GOING), distinct=True))
    sessions = list(held.order_by("starts_at", "id"))
    figures = [
        SessionFigure(s, s.attendance)  # type: ignore[attr-defined]
        for s in sessions
        if s.attendance is not None and (s.peak_listeners is not None or s.check_in_count)  # type: ignore[attr-defined]
    ]
    values = [f.attendance for f in figures]
    with_check_ins = [s for s in sessions if s.check_in_count]  # type: ignore[attr-defined]
    check_ins = sum(s.check_in_count for s in with_check_ins)  # type: ignore[attr-defined]
    seats = sum(s.seat_count for s in with_check_ins)
    return SeasonStatistics(
        season=season,
        sessions_held=len(sessions),
        sessions_with_attendance=len(values),
        attendance_mean=round(statistics.fmean(values), 1) if values else None,
        attendance_median=statistics.median(values) if values else None,
        attendance_min=min(values) if values else None,
        attendance_max=max(values) if values else None,
        top_sessions=sorted(figures, key=lambda f: (-f.attendance, f.session.starts_at))[:top],
        rsvps_with_check_ins=seats,
        check_ins=check_ins,
        rsvp_conversion=round(check_ins / seats, 3) if seats else None,
    )


# ---------------------------------------------------------------------------------------------
# A member's home


def member_upcoming_rsvps(*, user: User, now: datetime | None = None, limit: int = 5) -> list[Rsvp]:
    """`user`'s answers for sessions not over yet (a seat, a waitlist place, an RSVP waiting
    for its confirmation), soonest first, each with its session: their home's "your
    sessions". One query."""
    now = now or timezone.now()
    rsvps = (
        Rsvp.objects.filter(
            user=user,
            status__in=[RsvpStatus.GOING, RsvpStatus.WAITLISTED, RsvpStatus.PENDING],
            session__starts_at__gte=now - timedelta(hours=24),
        )
        .exclude(session__status__in=[SessionStatus.ENDED, SessionStatus.CANCELLED])
        .select_related("session__season")
        .order_by("session__starts_at", "session_id")
    )
    # A session lasts at most a day: those that started earlier are over, the rest by its end.
    return [rsvp for rsvp in rsvps[: limit + 10] if rsvp.session.ends_at > now][:limit]


def session_pick(*, query: str, limit: int = 10) -> list[dict[str, Any]]:
    """Sessions whose title holds every word of `query`, newest first, for a picker."""
    words = query.split()[:8]
    if not words:
        return []
    qs = LiveSession.objects.select_related("season")
    for word in words:
        qs = qs.filter(title__icontains=word)
    return [
        {
            "id": session.pk,
            "label": session.title,
            "detail": " · ".join(
                part
                for part in (
                    formats.date_format(
                        timezone.localtime(session.starts_at, ZoneInfo(session.time_zone)),
                        "D j M Y",
                    ),
                    session.season.name if session.season else "",
                )
                if part
            ),
        }
        for session in qs.order_by("-starts_at", "-id")[:limit]
    ]


def guest_pick(*, query: str, limit: int = 10) -> list[dict[str, Any]]:
    """Guests whose name holds every word of `query`, by name, for a picker."""
    words = query.split()[:8]
    if not words:
        return []
    qs = Guest.objects.all()
    for word in words:
        qs = qs.filter(name__icontains=word)
    return [
        {"id": guest.pk, "label": guest.name, "detail": guest.title}
        for guest in qs.order_by("name", "id")[:limit]
    ]


def guest_list() -> QuerySet[Guest]:
    """Every guest, by name, with how many sessions they are on (cancelled ones aside)."""
    return Guest.objects.select_related("member__profile").annotate(
        session_count=Count("sessions", filter=~Q(sessions__status=SessionStatus.CANCELLED))
    )


@dataclass(frozen=True)
class SessionRoster:
    """Who is coming to a session and who came, for its organizers."""

    going: list[Rsvp]
    waitlisted: list[Rsvp]  # first come, first promoted
    pending: list[Rsvp]  # visitors who have not confirmed their address yet
    check_ins: list[CheckIn]


def session_roster(*, session: LiveSession) -> SessionRoster:
    rsvps = list(
        session.rsvps.exclude(status=RsvpStatus.CANCELLED)
        .select_related("user__profile")
        .order_by("created_at", "id")
    )
    waitlisted = sorted(
        (r for r in rsvps if r.status == RsvpStatus.WAITLISTED),
        key=lambda r: (r.waitlisted_at or r.created_at, r.pk),
    )
    return SessionRoster(
        going=[r for r in rsvps if r.status == RsvpStatus.GOING],
        waitlisted=waitlisted,
        pending=[r for r in rsvps if r.status == RsvpStatus.PENDING],
        check_ins=list(session_check_ins_for_export(session=session)),
    )


def sessions_with_open_questions(*, now: datetime | None = None, limit: int = 5) -> list[Any]:
    """Sessions not over yet with questions still open (neither answered nor hidden) or held
    (they may identify a patient), soonest first, each with `open_questions` and
    `held_questions`: what waits for moderators before and during them."""
    now = now or timezone.now()
    open_questions = Count(
        "questions",
        filter=Q(questions__status=QuestionStatus.OPEN, questions__is_hidden=False),
    )
    held_questions = Count("questions", filter=Q(questions__is_held=True))
    sessions = (
        LiveSession.objects.filter(starts_at__gte=now - timedelta(hours=24))
        .exclude(status__in=[SessionStatus.ENDED, SessionStatus.CANCELLED])
        .annotate(open_questions=open_questions, held_questions=held_questions)
        .filter(Q(open_questions__gt=0) | Q(held_questions__gt=0))
        .order_by("starts_at", "id")
    )
    return [session for session in sessions[: limit + 10] if session.ends_at > now][:limit]
