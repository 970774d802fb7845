"""Writes about live sessions: seasons and the schedule, sessions, RSVPs and the waitlist,
reminders, check-ins, questions, calendar feeds and attendance.

RSVP changes lock the session's row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions serialize writers anyway), so concurrent cancels promote each
waitlisted person exactly once and never past the capacity.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.mail import mailers
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from hemonc.core.audit import audit
from hemonc.core.bulkmail import BulkSender
from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.ratelimit import Limit, limit_consume
from hemonc.core.text import one_line
from hemonc.core.timezones import is_time_zone
from hemonc.events.emails import SessionBulkMail, rsvp_message
from hemonc.events.enums import (
    QuestionStatus,
    ReminderKind,
    RsvpStatus,
    SessionKind,
    SessionStatus,
)
from hemonc.events.importers.sessions_csv import SessionRow, SessionsFileError, join_guests
from hemonc.events.models import (
    CalendarFeed,
    CheckIn,
    Guest,
    LiveSession,
    Question,
    QuestionVote,
    ReminderDelivery,
    Rsvp,
    Season,
    new_feed_token,
    validate_paper,
)
from hemonc.members.models import User
from hemonc.taxonomy.models import Topic

logger = logging.getLogger(__name__)

REMINDER_OFFSETS = {
    ReminderKind.DAY_BEFORE: timedelta(hours=24),
    ReminderKind.HOUR_BEFORE: timedelta(hours=1),
}
# A reminder task that runs this late (a worker was down) still sends; later it gives way.
VISITOR_MAIL_INTERVAL = timedelta(minutes=10)
REMINDER_RETRY_DELAY = timedelta(minutes=5)
QUESTION_LIMIT = Limit(
    name="events.question",
    count=3,
    seconds=60,
    message="You asked 3 questions in the last minute. Please wait a moment before the next.",
)

SESSION_FIELDS = {
    "season", "title", "description", "starts_at", "duration_minutes", "time_zone", "kind",
    "paper", "hashtag", "venue", "conference_tag", "join_url", "join_url_for_rsvps_only",
    "capacity", "status", "recording_url", "show_notes", "resources", "peak_listeners",
}  # fmt: skip
SEASON_FIELDS = {"name", "starts_on", "ends_on", "time_zone", "description"}


def _require_organizer(actor: User | None) -> None:
    if actor is not None and not actor.is_organizer:
        raise PermissionDenied("Only organizers can do this.")


def _check_time_zone(name: str) -> None:
    if not is_time_zone(name):
        raise DomainError(f"{name!r} is not an IANA time zone (e.g. America/New_York).")


def _enqueue_at(task: Any, when: datetime, *args: Any) -> None:
    """Enqueue `task` to run at `when`, on a backend that can defer work.

    The ImmediateBackend (unit tests) cannot wait, and running a reminder at once would be
    wrong, so nothing is enqueued there.
    """
    if not task.get_backend().supports_defer:
        logger.debug("tasks backend cannot defer: %s not scheduled", task.name)
        return
    task.using(run_after=max(when, timezone.now())).enqueue(*args)


# ---------------------------------------------------------------------------------------------
# Seasons and the schedule generator


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:120] or "season"
    slug, n = base, 2
    taken = Season.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    slugs = set(taken.values_list("slug", flat=True))
    while slug in slugs:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def season_create(
    *,
    actor: User | None,
    name: str,
    starts_on: date,
    ends_on: date,
    time_zone: str = "UTC",
    description: str = "",
) -> Season:
    _require_organizer(actor)
    _check_time_zone(time_zone)
    name = one_line(name)
    if ends_on < starts_on:
        raise DomainError("A season ends on or after the day it starts.")
    if Season.objects.filter(name__iexact=name.strip()).exists():
        raise DomainError(f"There is already a season called {name.strip()!r}.")
    season = Season.objects.create(
        name=name.strip(),
        slug=_unique_slug(name),
        starts_on=starts_on,
        ends_on=ends_on,
        time_zone=time_zone,
        description=description,
    )
    audit(actor=actor, action="season.create", target=season)
    return season


@transaction.atomic
def season_update(*, season: Season, actor: User | None, **fields: Any) -> Season:
    _require_organizer(actor)
    unknown = set(fields) - SEASON_FIELDS
    if unknown:
        raise DomainError(f"Unknown season fields: {', '.join(sorted(unknown))}.")
    if "time_zone" in fields:
        _check_time_zone(fields["time_zone"])
    if "name" in fields:
        fields["name"] = one_line(fields["name"])
        if Season.objects.filter(name__iexact=fields["name"]).exclude(pk=season.pk).exists():
            raise DomainError(f"There is already a season called {fields['name']!r}.")
    changed = sorted(name for name, value in fields.items() if getattr(season, name) != value)
    for name, value in fields.items():
        setattr(season, name, value)
    if season.ends_on < season.starts_on:
        raise DomainError("A season ends on or after the day it starts.")
    season.save()
    audit(actor=actor, action="season.update", target=season, changes={"fields": changed})
    return season


def schedule_start_times(
    *,
    first_date: date,
    last_date: date,
    weekday: int,
    every_weeks: int,
    local_time: time,
    time_zone: str,
    skip_dates: Iterable[date] = (),
) -> list[datetime]:
    """Start times every `every_weeks` weeks on `weekday` (0 = Monday) from `first_date` to
    `last_date`, at `local_time` in `time_zone`, minus `skip_dates`.

    Each time is built from the local date and clock time, so 8 pm US Eastern stays 8 pm
    Eastern across the DST changes (its UTC time moves instead). A skipped date leaves its
    slot empty; the cadence does not shift.
    """
    if every_weeks < 1:
        raise DomainError("The cadence is every 1 week or more.")
    if not 0 <= weekday <= 6:
        raise DomainError("The weekday is 0 (Monday) to 6 (Sunday).")
    _check_time_zone(time_zone)
    zone = ZoneInfo(time_zone)
    skipped = set(skip_dates)
    day = first_date + timedelta(days=(weekday - first_date.weekday()) % 7)
    times = []
    while day <= last_date:
        if day not in skipped:
            local = datetime.combine(day, local_time, tzinfo=zone)
            # A clock time inside a spring-forward gap does not exist: move past the gap.
            round_trip = local.astimezone(ZoneInfo("UTC")).astimezone(zone)
            if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
                local = round_trip
            times.append(local)
        day += timedelta(weeks=every_weeks)
    return times


@transaction.atomic
def season_schedule_sessions(
    *,
    season: Season,
    actor: User | None,
    first_date: date,
    weekday: int,
    every_weeks: int,
    local_time: time,
    time_zone: str,
    skip_dates: Iterable[date] = (),
    title: str = "Live session",
    kind: str = SessionKind.REGULAR,
    duration_minutes: int = 60,
    join_url: str = "",
) -> list[LiveSession]:
    """Create the season's sessions on a regular cadence until the season ends.

    A slot that already has a session at that very time is left as it is, so running the
    generator again after skipping a date adds nothing twice.
    """
    _require_organizer(actor)
    title = one_line(title) or "Live session"
    starts = schedule_start_times(
        first_date=max(first_date, season.starts_on),
        last_date=season.ends_on,
        weekday=weekday,
        every_weeks=every_weeks,
        local_time=local_time,
        time_zone=time_zone,
        skip_dates=skip_dates,
    )
    taken = set(season.sessions.values_list("starts_at", flat=True))
    created = []
    for number, starts_at in enumerate(starts, start=1):
        if starts_at in taken:
            continue
        session = LiveSession.objects.create(
            season=season,
            title=title.replace("{n}", str(number)),
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            time_zone=time_zone,
            kind=kind,
            join_url=join_url,
            created_by=actor,
        )
        _schedule_reminders(session)
        created.append(session)
    audit(
        actor=actor,
        action="season.schedule",
        target=season,
        changes={"created": len(created), "every_weeks": every_weeks, "weekday": weekday},
    )
    return created


# ---------------------------------------------------------------------------------------------
# Sessions


# A session's one-line fields: a line break there would reach mail subjects and calendars.
SESSION_ONE_LINE_FIELDS = ("title", "venue", "hashtag", "conference_tag", "paper")


def _normalize_session_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise DomainError(f"Unknown session fields: {', '.join(sorted(unknown))}.")
    for name in SESSION_ONE_LINE_FIELDS:
        if isinstance(fields.get(name), str):
            fields[name] = one_line(fields[name])
    if "title" in fields and not fields["title"]:
        raise DomainError("A session needs a title.")
    if "time_zone" in fields:
        _check_time_zone(fields["time_zone"])
    if "starts_at" in fields and timezone.is_naive(fields["starts_at"]):
        raise DomainError("A session's start needs a time zone.")
    if fields.get("paper"):
        try:
            validate_paper(fields["paper"])
        except ValidationError as error:
            raise DomainError(" ".join(error.messages)) from None
    if fields.get("hashtag"):
        fields["hashtag"] = fields["hashtag"].lstrip("#")
    if fields.get("conference_tag"):
        fields["conference_tag"] = fields["conference_tag"].lstrip("#")


@transaction.atomic
def session_create(
    *,
    actor: User | None,
    title: str,
    starts_at: datetime,
    hosts: Iterable[User] = (),
    guests: Iterable[Guest] = (),
    topics: Iterable[Topic] = (),
    **fields: Any,
) -> LiveSession:
    _require_organizer(actor)
    fields.update(title=title, starts_at=starts_at)
    _normalize_session_fields(fields)
    if "time_zone" not in fields and fields.get("season") is not None:
        fields["time_zone"] = fields["season"].time_zone
    session = LiveSession.objects.create(created_by=actor, **fields)
    session.hosts.set(hosts)
    session.guests.set(guests)
    session.topics.set(topics)
    _schedule_reminders(session)
    audit(actor=actor, action="session.create", target=session)
    return session


@transaction.atomic
def session_update(
    *,
    session: LiveSession,
    actor: User | None,
    hosts: Iterable[User] | None = None,
    guests: Iterable[Guest] | None = None,
    topics: Iterable[Topic] | None = None,
    **fields: Any,
) -> LiveSession:
    """Change a session. A new time raises SEQUENCE, mails everyone with a seat the updated
    .ics and moves their reminders; cancelling goes through `session_cancel`."""
    _require_organizer(actor)
    _normalize_session_fields(fields)
    if fields.get("status") == SessionStatus.CANCELLED and not session.is_cancelled:
        fields.pop("status")
        session = session_update(session=session, actor=actor, hosts=hosts, guests=guests,
                                 topics=topics, **fields)  # fmt: skip
        return session_cancel(session=session, actor=actor)
    session = LiveSession.objects.select_for_update().get(pk=session.pk)
    moved = ("starts_at" in fields and fields["starts_at"] != session.starts_at) or (
        "duration_minutes" in fields and fields["duration_minutes"] != session.duration_minutes
    )
    changed = sorted(name for name, value in fields.items() if getattr(session, name) != value)
    for name, value in fields.items():
        setattr(session, name, value)
    if moved:
        session.sequence += 1
    session.save()
    if hosts is not None:
        session.hosts.set(hosts)
        changed.append("hosts")
    if guests is not None:
        session.guests.set(guests)
        changed.append("guests")
    if topics is not None:
        session.topics.set(topics)
        changed.append("topics")
    if "capacity" in fields:
        _promote_waitlist(session)
    if moved and not session.is_cancelled:
        _schedule_reminders(session)
        if session.starts_at > timezone.now():
            _notify_session_change(session, kind="update")
    audit(actor=actor, action="session.update", target=session, changes={"fields": changed})
    return session


@transaction.atomic
def session_cancel(*, session: LiveSession, actor: User | None) -> LiveSession:
    """Call a session off: everyone with a seat or on the waitlist gets METHOD:CANCEL, and
    the reminders already queued find a cancelled session and send nothing."""
    _require_organizer(actor)
    session = LiveSession.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        return session
    session.status = SessionStatus.CANCELLED
    session.sequence += 1
    session.save(update_fields=["status", "sequence", "updated_at"])
    _notify_session_change(session, kind="cancelled")
    audit(actor=actor, action="session.cancel", target=session)
    return session


@transaction.atomic
def session_record_attendance(
    *, session: LiveSession, actor: User | None, peak_listeners: int | None
) -> LiveSession:
    _require_organizer(actor)
    if peak_listeners is not None and peak_listeners < 0:
        raise DomainError("The listener count cannot be negative.")
    session.peak_listeners = peak_listeners
    if session.status in {SessionStatus.SCHEDULED, SessionStatus.LIVE} and (
        session.ends_at <= timezone.now()
    ):
        session.status = SessionStatus.ENDED
    session.save(update_fields=["peak_listeners", "status", "updated_at"])
    audit(actor=actor, action="session.attendance", target=session)
    return session


def _notify_session_change(session: LiveSession, *, kind: str) -> None:
    from hemonc.events.tasks import send_session_change_task

    transaction.on_commit(
        partial(send_session_change_task.enqueue, session.pk, kind, session.sequence)
    )


def session_send_change(*, session: LiveSession, kind: str, sequence: int) -> int:
    """Mail everyone with a seat or on the waitlist about an update or a cancellation.

    A newer change (a higher SEQUENCE) has its own mail on the way, so an older one is
    dropped. Returns how many mails went out.
    """
    if session.sequence != sequence:
        return 0
    rsvps = (
        session.rsvps.filter(status__in=[RsvpStatus.GOING, RsvpStatus.WAITLISTED])
        .select_related("user__profile", "session")
        .order_by("id")
    )
    sent = 0
    with mailers.default as mailer:
        bodies: dict[tuple[Any, ...], tuple[str, str]] = {}
        for rsvp in rsvps.iterator(chunk_size=500):
            sent += mailer.send_messages([rsvp_message(rsvp, kind=kind, bodies=bodies)]) or 0
    return sent


# ---------------------------------------------------------------------------------------------
# Guests


@transaction.atomic
def guest_create(
    *, actor: User | None, name: str, member: User | None = None, **fields: Any
) -> Guest:
    _require_organizer(actor)
    allowed = {"title", "bio", "handle", "photo"}
    if set(fields) - allowed:
        raise DomainError(f"Unknown guest fields: {', '.join(sorted(set(fields) - allowed))}.")
    if member is not None and Guest.objects.filter(member=member).exists():
        raise DomainError(f"{member} is already a guest.")
    _one_line_guest_fields(fields)
    guest = Guest.objects.create(name=one_line(name), member=member, **fields)
    audit(actor=actor, action="guest.create", target=guest)
    return guest


@transaction.atomic
def guest_update(*, guest: Guest, actor: User | None, **fields: Any) -> Guest:
    _require_organizer(actor)
    allowed = {"name", "title", "bio", "handle", "photo", "member"}
    if set(fields) - allowed:
        raise DomainError(f"Unknown guest fields: {', '.join(sorted(set(fields) - allowed))}.")
    _one_line_guest_fields(fields)
    changed = sorted(name for name, value in fields.items() if getattr(guest, name) != value)
    for name, value in fields.items():
        setattr(guest, name, value)
    guest.save()
    audit(actor=actor, action="guest.update", target=guest, changes={"fields": changed})
    return guest


def _one_line_guest_fields(fields: dict[str, Any]) -> None:
    for name in ("name", "title", "handle"):
        if isinstance(fields.get(name), str):
            fields[name] = one_line(fields[name])


def guest_for_name(*, name: str) -> Guest:
    """The guest an organizer names, by a key members cannot choose. Runs inside the caller's
    transaction.

    A member's email address links that member (their guest, created when new); any other text
    is the name of a guest (an existing one of that name, else a new external guest). A
    member's display name never links them: they choose it, and could take a guest's.
    """
    return guests_for_names(names=[name])[_guest_key(name)]


def _guest_key(name: str) -> str:
    return one_line(name).lower()


class UnknownGuestAddress(DomainError):
    """A guest given by an email address that no active member has."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(f"no member has the address {address}")


# Names looked up per query: far below the parameters SQLite and PostgreSQL take.
_NAMES_PER_QUERY = 20_000


def _chunks(keys: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(keys), _NAMES_PER_QUERY):
        yield keys[start : start + _NAMES_PER_QUERY]


def guests_for_names(*, names: Iterable[str]) -> dict[str, Guest]:
    """`guest_for_name` for many names at once, in a number of queries that does not grow
    with the names (one for the members given by address, one for their guests, one for the
    guests given by name, one insert of the new ones): each name's guest, keyed by
    `_guest_key`. An address of no member raises `UnknownGuestAddress` before anything is
    created. Runs inside the caller's transaction."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(_guest_key(name), one_line(name))
    addresses = [key for key in wanted if "@" in key]
    plain = [key for key in wanted if "@" not in key]
    found: dict[str, Guest] = {}
    new: list[Guest] = []
    if addresses:
        members: dict[str, User] = {}
        for chunk in _chunks(addresses):
            matches = (
                User.objects.filter(is_active=True)
                .annotate(email_key=Lower("email"))
                .filter(email_key__in=chunk)
                .select_related("profile")
                .order_by("id")
            )
            for match in matches:
                members.setdefault(match.email_key, match)
        missing = [key for key in addresses if key not in members]
        if missing:
            raise UnknownGuestAddress(wanted[missing[0]])
        by_member = {
            guest.member_id: guest
            for guest in Guest.objects.filter(member__in=[m.pk for m in members.values()])
        }
        for key, member in members.items():
            guest = by_member.get(member.pk)
            if guest is None:
                guest = by_member[member.pk] = Guest(member=member, name=str(member))
                new.append(guest)
            found[key] = guest
    for chunk in _chunks(plain):
        named = Guest.objects.annotate(name_key=Lower("name")).filter(name_key__in=chunk)
        for guest in named.order_by("id"):
            found.setdefault(guest.name_key, guest)
    for key in plain:
        if key not in found:
            found[key] = Guest(name=wanted[key])
            new.append(found[key])
    Guest.objects.bulk_create(new)
    return found


# ---------------------------------------------------------------------------------------------
# RSVPs and the waitlist


def _lock(session: LiveSession) -> LiveSession:
    return LiveSession.objects.select_for_update().get(pk=session.pk)


def _check_open_for_rsvp(session: LiveSession) -> None:
    if session.is_cancelled:
        raise DomainError("This session is cancelled.")
    if session.ends_at <= timezone.now():
        raise DomainError("This session is over.")


def _seat_status(session: LiveSession) -> RsvpStatus:
    if session.capacity is None:
        return RsvpStatus.GOING
    seated = session.rsvps.filter(status=RsvpStatus.GOING).count()
    waiting = session.rsvps.filter(status=RsvpStatus.WAITLISTED).exists()
    return RsvpStatus.GOING if seated < session.capacity and not waiting else RsvpStatus.WAITLISTED


def _seat(rsvp: Rsvp, session: LiveSession) -> None:
    """Give a confirmed RSVP a seat, or a place at the end of the waitlist."""
    now = timezone.now()
    rsvp.status = _seat_status(session)
    rsvp.waitlisted_at = now if rsvp.status == RsvpStatus.WAITLISTED else None
    rsvp.confirmed_at = now
    rsvp.cancelled_at = None


def _mail_rsvp(rsvp: Rsvp, kind: str) -> None:
    from hemonc.events.tasks import send_rsvp_mail_task

    transaction.on_commit(partial(send_rsvp_mail_task.enqueue, rsvp.pk, kind))


@transaction.atomic
def rsvp_create(*, session: LiveSession, user: User) -> Rsvp:
    """A member's one-click RSVP: a seat, or the waitlist when the session is full."""
    session = _lock(session)
    _check_open_for_rsvp(session)
    rsvp = Rsvp.objects.filter(session=session, user=user).first()
    if rsvp is not None and rsvp.status in {RsvpStatus.GOING, RsvpStatus.WAITLISTED}:
        return rsvp
    rsvp = rsvp or Rsvp(session=session, user=user)
    _seat(rsvp, session)
    rsvp.save()
    audit(actor=user, action="rsvp.create", target=rsvp, changes={"status": rsvp.status})
    _mail_rsvp(rsvp, str(rsvp.status))
    return rsvp


@transaction.atomic
def rsvp_request(*, session: LiveSession, email: str, name: str = "") -> Rsvp:
    """A visitor's RSVP: held until they confirm by the link mailed to `email`.

    A pending request is mailed again at most every ten minutes, so the form cannot be used
    to flood someone's inbox; an address that already has a seat gets no mail at all.
    """
    session = _lock(session)
    _check_open_for_rsvp(session)
    email = email.strip().lower()
    rsvp = Rsvp.objects.filter(session=session, user__isnull=True, email__iexact=email).first()
    if rsvp is not None and rsvp.status in {RsvpStatus.GOING, RsvpStatus.WAITLISTED}:
        return rsvp
    if (
        rsvp is not None
        and rsvp.status == RsvpStatus.PENDING
        and rsvp.updated_at > timezone.now() - VISITOR_MAIL_INTERVAL
    ):
        return rsvp
    rsvp = rsvp or Rsvp(session=session, email=email)
    rsvp.name = one_line(name)[:80]
    rsvp.status = RsvpStatus.PENDING
    rsvp.cancelled_at = None
    rsvp.save()
    audit(actor=None, action="rsvp.request", target=rsvp)
    _mail_rsvp(rsvp, "confirm_email")
    return rsvp


@transaction.atomic
def rsvp_confirm(*, rsvp_id: int, email: str) -> Rsvp:
    """The visitor followed the link in the mail: the RSVP now takes a seat (or waits)."""
    rsvp = Rsvp.objects.select_related("session").filter(pk=rsvp_id).first()
    if rsvp is None or rsvp.user_id is not None or rsvp.email.lower() != email.lower():
        raise DomainError("This confirmation link is not valid.")
    session = _lock(rsvp.session)
    rsvp = Rsvp.objects.select_for_update().get(pk=rsvp.pk)
    if rsvp.status in {RsvpStatus.GOING, RsvpStatus.WAITLISTED}:
        return rsvp
    if rsvp.status == RsvpStatus.CANCELLED:
        raise DomainError("This RSVP was cancelled. RSVP again from the session page.")
    _check_open_for_rsvp(session)
    _seat(rsvp, session)
    rsvp.save()
    audit(actor=None, action="rsvp.confirm", target=rsvp, changes={"status": rsvp.status})
    _mail_rsvp(rsvp, str(rsvp.status))
    return rsvp


@transaction.atomic
def rsvp_cancel(*, rsvp: Rsvp, actor: User | None) -> Rsvp:
    """Give up a seat (or leave the waitlist). A freed seat goes to the first person waiting."""
    if actor is not None and rsvp.user_id != actor.pk and not actor.is_organizer:
        raise PermissionDenied("You can only cancel your own RSVP.")
    session = _lock(rsvp.session)
    rsvp = Rsvp.objects.select_for_update().get(pk=rsvp.pk)
    if rsvp.status == RsvpStatus.CANCELLED:
        return rsvp
    had_seat = rsvp.status == RsvpStatus.GOING
    rsvp.status = RsvpStatus.CANCELLED
    rsvp.cancelled_at = timezone.now()
    rsvp.waitlisted_at = None
    rsvp.save(update_fields=["status", "cancelled_at", "waitlisted_at", "updated_at"])
    audit(actor=actor, action="rsvp.cancel", target=rsvp)
    if had_seat:
        _promote_waitlist(session)
    return rsvp


def _promote_waitlist(session: LiveSession) -> list[Rsvp]:
    """Fill free seats from the waitlist in order; each promoted person is told by mail.

    The caller holds the session's row lock, so two cancels never hand out the same seat.
    """
    if session.is_cancelled or session.ends_at <= timezone.now():
        return []
    waiting = session.rsvps.filter(status=RsvpStatus.WAITLISTED).order_by("waitlisted_at", "id")
    if session.capacity is not None:
        seated = session.rsvps.filter(status=RsvpStatus.GOING).count()
        free = session.capacity - seated
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    for rsvp in promoted:
        rsvp.status = RsvpStatus.GOING
        rsvp.waitlisted_at = None
        rsvp.save(update_fields=["status", "waitlisted_at", "updated_at"])
        audit(actor=None, action="rsvp.promote", target=rsvp)
        _mail_rsvp(rsvp, "promoted")
    return promoted


def rsvp_send_mail(*, rsvp: Rsvp, kind: str) -> bool:
    """Send one mail about an RSVP, unless its state changed since it was queued."""
    expected = {
        "confirm_email": RsvpStatus.PENDING,
        "going": RsvpStatus.GOING,
        "promoted": RsvpStatus.GOING,
        "waitlisted": RsvpStatus.WAITLISTED,
    }
    if kind in expected and rsvp.status != expected[kind]:
        return False
    return bool(rsvp_message(rsvp, kind=kind).send())


# ---------------------------------------------------------------------------------------------
# Reminders


def _schedule_reminders(session: LiveSession) -> None:
    """Queue the 24-hour and 1-hour reminders for the session's current start time.

    The tasks carry that start time: after a reschedule the old ones find it changed and
    send nothing, and the new ones go out at the new times.
    """
    from hemonc.events.tasks import send_session_reminders_task

    if session.is_cancelled:
        return
    now = timezone.now()
    for kind, offset in REMINDER_OFFSETS.items():
        when = session.starts_at - offset
        if when < now - timedelta(minutes=1):
            continue  # too late for this one: the session is closer than its offset
        transaction.on_commit(
            partial(
                _enqueue_at,
                send_session_reminders_task,
                when,
                session.pk,
                str(kind),
                session.starts_at.isoformat(),
            )
        )


def _reminder_insert_sql() -> str:
    """One ReminderDelivery row in plain SQL, as it runs once per message."""
    table = connection.ops.quote_name(ReminderDelivery._meta.db_table)
    return (
        f"INSERT INTO {table} (rsvp_id, kind, session_starts_at, sent_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s)"
    )


@dataclass(frozen=True)
class ReminderRun:
    sent: int
    already_sent: int
    failed: int
    skipped_reason: str = ""


def session_send_reminders(
    *, session: LiveSession, kind: str, starts_at: datetime, now: datetime | None = None
) -> ReminderRun:
    """Send the `kind` reminder to everyone with a seat who has not had it yet.

    Each mail is recorded (ReminderDelivery, unique per RSVP, kind and start time) in its own
    transaction together with the send, so a rerun, a retry or a second worker skips the
    people already reminded; a failed send leaves no record and is retried a few minutes on.
    """
    from hemonc.events.tasks import send_session_reminders_task

    now = now or timezone.now()
    kind = ReminderKind(kind)
    if session.is_cancelled:
        return ReminderRun(0, 0, 0, "cancelled")
    if session.starts_at != starts_at:
        return ReminderRun(0, 0, 0, "rescheduled")
    if now >= session.starts_at:
        return ReminderRun(0, 0, 0, "started")
    if (
        kind == ReminderKind.DAY_BEFORE
        and now >= session.starts_at - REMINDER_OFFSETS[ReminderKind.HOUR_BEFORE]
    ):
        return ReminderRun(0, 0, 0, "superseded by the 1-hour reminder")
    reminded = ReminderDelivery.objects.filter(
        rsvp__session=session, kind=kind, session_starts_at=starts_at
    ).values("rsvp_id")
    rsvps = (
        session.rsvps.filter(status=RsvpStatus.GOING)
        .exclude(id__in=reminded)
        .select_related("user__profile")
        .only("id", "name", "email", "user__email", "user__profile__time_zone")
        .order_by("id")
    )
    already = ReminderDelivery.objects.filter(
        rsvp__session=session, kind=kind, session_starts_at=starts_at
    ).count()
    mail = SessionBulkMail(session, kind=f"reminder_{kind.value}")
    record = _reminder_insert_sql()
    starts_at_db = connection.ops.adapt_datetimefield_value(starts_at)
    sent = failed = 0
    pending = list(rsvps)
    with BulkSender() as sender, connection.cursor() as cursor:
        for index, rsvp in enumerate(pending):
            try:
                # The record and the send commit together: the server's refusal rolls the
                # record back (retried later), a duplicate record stops the send.
                with transaction.atomic():
                    cursor.execute(
                        record,
                        [
                            rsvp.pk,
                            kind.value,
                            starts_at_db,
                            connection.ops.adapt_datetimefield_value(timezone.now()),
                        ],
                    )
                    mail.send(sender, rsvp)
            except IntegrityError:
                already += 1  # another worker reminded this person a moment ago
            except Exception as error:
                logger.exception("reminder %s for RSVP %s failed", kind, rsvp.pk)
                failed += 1
                if isinstance(error, OSError) and not sender.connected:  # SMTP errors too
                    # The server is gone or refused us: the rest wait for the retry.
                    failed += len(pending) - index - 1
                    break
            else:
                sent += 1
    if failed and timezone.now() + REMINDER_RETRY_DELAY < session.starts_at:
        transaction.on_commit(
            partial(
                _enqueue_at,
                send_session_reminders_task,
                timezone.now() + REMINDER_RETRY_DELAY,
                session.pk,
                str(kind),
                starts_at.isoformat(),
            )
        )
    return ReminderRun(sent, already, failed)


# ---------------------------------------------------------------------------------------------
# Attendance


@transaction.atomic
def checkin_create(*, session: LiveSession, user: User, now: datetime | None = None) -> CheckIn:
    """ "I am here": open from 15 minutes before the start to 30 minutes after the end."""
    now = now or timezone.now()
    if session.is_cancelled:
        raise DomainError("This session is cancelled.")
    if now < session.check_in_opens_at:
        raise DomainError("Check-in opens 15 minutes before the session starts.")
    if now > session.check_in_closes_at:
        raise DomainError("Check-in closed 30 minutes after the session ended.")
    check_in, created = CheckIn.objects.get_or_create(session=session, user=user)
    if created:
        audit(actor=user, action="checkin.create", target=check_in)
    return check_in


# ---------------------------------------------------------------------------------------------
# Questions


def user_may_moderate_questions(*, user: Any, session: LiveSession) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_organizer or user.is_moderator or session.hosts.filter(pk=user.pk).exists())


@transaction.atomic
def question_create(
    *, session: LiveSession, author: User, text: str, is_anonymous: bool = False
) -> Question:
    text = text.strip()
    if not text:
        raise DomainError("Write a question first.")
    if len(text) > 500:
        raise DomainError("A question has at most 500 characters.")
    if not session.accepts_questions(timezone.now()):
        raise DomainError("This session no longer takes questions.")
    limit_consume(QUESTION_LIMIT, (author.pk, session.pk))
    question = Question.objects.create(
        session=session, author=author, text=text, is_anonymous=is_anonymous
    )
    audit(actor=author, action="question.create", target=question)
    return question


@transaction.atomic
def question_toggle_vote(*, question: Question, user: User) -> bool:
    """Upvote, or take the upvote back. Returns whether the member now votes for it."""
    if question.is_hidden:
        raise DomainError("This question is hidden.")
    deleted, _ = QuestionVote.objects.filter(question=question, user=user).delete()
    if deleted:
        return False
    QuestionVote.objects.create(question=question, user=user)
    return True


QUESTION_ACTIONS: dict[str, dict[str, Any]] = {
    "answer": {"status": QuestionStatus.ANSWERED},
    "reopen": {"status": QuestionStatus.OPEN},
    "pin": {"is_pinned": True},
    "unpin": {"is_pinned": False},
    "hide": {"is_hidden": True, "is_pinned": False},
    "show": {"is_hidden": False},
}


@transaction.atomic
def question_moderate(*, question: Question, actor: User, action: str) -> Question:
    """Hosts, organizers and moderators mark a question answered, pin it or hide it."""
    if action not in QUESTION_ACTIONS:
        raise DomainError(f"Unknown action {action!r}.")
    if not user_may_moderate_questions(user=actor, session=question.session):
        raise PermissionDenied("Only the session's hosts and moderators can do this.")
    for name, value in QUESTION_ACTIONS[action].items():
        setattr(question, name, value)
    question.save()
    audit(actor=actor, action=f"question.{action}", target=question)
    return question


# ---------------------------------------------------------------------------------------------
# Calendar feeds


@transaction.atomic
def calendar_feed_get_or_create(*, user: User) -> CalendarFeed:
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if created:
        audit(actor=user, action="calendar_feed.create", target=feed)
    return feed


@transaction.atomic
def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """Revoke the old private address (anyone holding it gets nothing) and issue a new one."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    feed.token = new_feed_token()
    feed.save(update_fields=["token"])
    audit(actor=user, action="calendar_feed.renew", target=feed)
    return feed


# ---------------------------------------------------------------------------------------------
# Import and export of a season's sessions


@dataclass(frozen=True)
class ImportSummary:
    season: Season
    season_created: bool
    created: int
    updated: int


@transaction.atomic
def sessions_import(
    *,
    season_name: str,
    rows: Iterable[SessionRow],
    time_zone: str = "UTC",
    actor: User | None = None,
) -> ImportSummary:
    """Write the rows of a sessions file into a season, all or nothing.

    A row is the same session as one already there when season, start and title match:
    its attendance, guests and recording are updated and nothing new is created. The rows
    are read (and so validated) before anything is written.
    """
    rows = list(rows)
    _check_time_zone(time_zone)
    if len(season_name.strip()) > 120:
        raise DomainError("The season name is longer than 120 characters.")
    zone = ZoneInfo(time_zone)
    season_name = one_line(season_name)
    season = Season.objects.filter(name__iexact=season_name.strip()).first()
    season_created = season is None
    days = [row.starts_at.astimezone(zone).date() for row in rows]
    if season is None:
        if not rows:
            raise DomainError("The file has no sessions, so the season cannot be created.")
        season = Season.objects.create(
            name=season_name.strip(),
            slug=_unique_slug(season_name),
            starts_on=min(days),
            ends_on=max(days),
            time_zone=time_zone,
        )
        audit(actor=actor, action="season.create", target=season)
    elif days and (min(days) < season.starts_on or max(days) > season.ends_on):
        season.starts_on = min(season.starts_on, *days)
        season.ends_on = max(season.ends_on, *days)
        season.save(update_fields=["starts_on", "ends_on", "updated_at"])
    now = timezone.now()
    created = updated = 0
    try:
        guests_by_key = guests_for_names(names=[name for row in rows for name in row.guests])
    except UnknownGuestAddress as error:
        key = _guest_key(error.address)
        line = next(r.line for r in rows if any(_guest_key(n) == key for n in r.guests))
        raise SessionsFileError(line=line, field="guests", problem=str(error)) from None
    for row in rows:
        guests = [guests_by_key[_guest_key(name)] for name in row.guests]
        title = one_line(row.title)  # a quoted cell may hold a line break
        session = LiveSession.objects.filter(
            season=season, starts_at=row.starts_at, title=title
        ).first()
        if session is None:
            session = LiveSession.objects.create(
                season=season,
                title=title,
                starts_at=row.starts_at,
                kind=row.kind,
                time_zone=season.time_zone,
                peak_listeners=row.attendance,
                recording_url=row.recording_url,
                status=SessionStatus.ENDED if row.starts_at < now else SessionStatus.SCHEDULED,
                created_by=actor,
            )
            _schedule_reminders(session)
            created += 1
        else:
            session.peak_listeners = row.attendance
            session.recording_url = row.recording_url
            session.save(update_fields=["peak_listeners", "recording_url", "updated_at"])
            updated += 1
        session.guests.set(guests)
    audit(
        actor=actor,
        action="season.import_sessions",
        target=season,
        changes={"created": created, "updated": updated},
    )
    return ImportSummary(season, season_created, created, updated)


def sessions_export_rows(*, season: Season) -> list[list[str]]:
    """The season's sessions as rows of the sessions file, times in the season's zone."""
    from hemonc.events.selectors import with_attendance

    zone = ZoneInfo(season.time_zone) if is_time_zone(season.time_zone) else ZoneInfo("UTC")
    sessions = (
        with_attendance(season.sessions.all()).prefetch_related("guests").order_by("starts_at")
    )
    rows = []
    for session in sessions:
        counted: Any = session  # annotated by with_attendance
        has_figure = session.peak_listeners is not None or counted.check_in_count
        attendance = counted.attendance if has_figure else None
        rows.append(
            [
                session.starts_at.astimezone(zone).isoformat(),
                session.title,
                session.kind,
                join_guests(sorted(g.name for g in session.guests.all())),
                "" if attendance is None else str(attendance),
                session.recording_url,
            ]
        )
    return rows
