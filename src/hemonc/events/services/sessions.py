"""Sessions: create, change, cancel, attendance and the mails about a change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypedDict, Unpack, cast

from django.core.exceptions import ValidationError
from django.core.mail import mailers
from django.db import transaction
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import require
from hemonc.core.phi_guard import changed_texts, phi_check, phi_record
from hemonc.core.tasks import enqueue_on_commit
from hemonc.core.text import one_line
from hemonc.core.updates import model_update

# A module import: tasks.py imports these services too, and either may load first.
from hemonc.events import tasks
from hemonc.events.emails import rsvp_message
from hemonc.events.enums import RsvpStatus, SessionStatus
from hemonc.events.models import Guest, LiveSession, Season, validate_paper
from hemonc.events.services._shared import Actor, _check_fields, _check_time_zone, _member
from hemonc.events.services.guests import _guest_key, _guests_for_names
from hemonc.events.services.reminders import _schedule_reminders
from hemonc.events.services.rsvps import _promote_waitlist
from hemonc.members.models import User
from hemonc.taxonomy.models import Topic


class SessionFields(TypedDict, total=False):
    """A new session's fields beyond its title and start."""

    season: Season | None
    description: str
    duration_minutes: int
    time_zone: str
    kind: str
    paper: str
    hashtag: str
    venue: str
    conference_tag: str
    join_url: str
    join_url_for_rsvps_only: bool
    capacity: int | None
    status: str
    recording_url: str
    show_notes: str
    resources: str
    peak_listeners: int | None


class SessionChanges(SessionFields, total=False):
    """What `session_update` may change."""

    title: str
    starts_at: datetime


# What others read of a session, checked for patient identifiers (core/phi_guard.py).
SESSION_PHI_FIELDS = ("description", "show_notes")

# A session's one-line fields: a line break there would reach mail subjects and calendars.
SESSION_ONE_LINE_FIELDS = ("title", "venue", "hashtag", "conference_tag", "paper")


def _normalize_session_fields(fields: SessionChanges) -> None:
    _check_fields(fields, SessionChanges, "session")
    values = cast(dict[str, Any], fields)
    for name in SESSION_ONE_LINE_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = one_line(values[name])
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


def _with_named_guests(guests: Iterable[Guest], names: Iterable[str]) -> list[Guest]:
    """`guests` and the guests named by `names` (a member's address or a guest's name)."""
    names = list(names)
    named = _guests_for_names(names=names)
    return [*guests, *(named[_guest_key(name)] for name in names)]


@transaction.atomic(durable=True)
def session_create(
    *,
    actor: Actor,
    title: str,
    starts_at: datetime,
    hosts: Iterable[User] = (),
    guests: Iterable[Guest] = (),
    guest_names: Iterable[str] = (),
    topics: Iterable[Topic] = (),
    phi_attested: bool = False,
    **fields: Unpack[SessionFields],
) -> LiveSession:
    """A new session; `guest_names` adds guests by a member's address or a guest's name
    (`guest_for_name`), creating those that are new. A description or notes that may identify
    a patient are stored only with `phi_attested` (audited with what was found)."""
    require(actor, "events.manage_sessions")
    _check_fields(fields, SessionFields, "session")
    values = SessionChanges(**fields, title=title, starts_at=starts_at)
    _normalize_session_fields(values)
    found = phi_check(
        actor=actor,
        target=None,
        texts=changed_texts(None, values, SESSION_PHI_FIELDS),
        attested=phi_attested,
    )
    season = values.get("season")
    if "time_zone" not in values and season is not None:
        values["time_zone"] = season.time_zone
    session = LiveSession.objects.create(created_by=_member(actor), **values)
    session.hosts.set(hosts)
    session.guests.set(_with_named_guests(guests, guest_names))
    session.topics.set(topics)
    _schedule_reminders(session)
    audit(actor=actor, action="session.create", target=session)
    if found:
        phi_record(actor=actor, target=session, found=found)
    return session


@transaction.atomic(durable=True)
def session_update(
    *,
    session: LiveSession,
    actor: Actor,
    hosts: Iterable[User] | None = None,
    guests: Iterable[Guest] | None = None,
    guest_names: Iterable[str] = (),
    topics: Iterable[Topic] | None = None,
    phi_attested: bool = False,
    **fields: Unpack[SessionChanges],
) -> LiveSession:
    """Change a session. A new time raises SEQUENCE, mails everyone with a seat the updated
    .ics and moves their reminders; a status of cancelled cancels it as `session_cancel`.
    `guest_names` adds guests as in `session_create` (to `guests`, else to the current ones).
    A changed description or notes are checked for patient identifiers as in `session_create`."""
    require(actor, "events.manage_sessions")
    _normalize_session_fields(fields)
    phi_check(
        actor=actor,
        target=session,
        texts=changed_texts(session, fields, SESSION_PHI_FIELDS),
        attested=phi_attested,
    )
    cancel = fields.get("status") == SessionStatus.CANCELLED and not session.is_cancelled
    if cancel:
        fields.pop("status")
    if guest_names:
        guests = _with_named_guests(session.guests.all() if guests is None else guests, guest_names)
    session = _update(session, actor, hosts=hosts, guests=guests, topics=topics, fields=fields)
    if cancel:
        session = _cancel(session, actor)
    return session


def _update(
    session: LiveSession,
    actor: Actor,
    *,
    hosts: Iterable[User] | None,
    guests: Iterable[Guest] | None,
    topics: Iterable[Topic] | None,
    fields: SessionChanges,
) -> LiveSession:
    session = LiveSession.objects.select_for_update().get(pk=session.pk)
    moved = ("starts_at" in fields and fields["starts_at"] != session.starts_at) or (
        "duration_minutes" in fields and fields["duration_minutes"] != session.duration_minutes
    )
    changed = model_update(session, fields)
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


@transaction.atomic(durable=True)
def session_cancel(*, session: LiveSession, actor: Actor) -> LiveSession:
    """Call a session off: everyone with a seat or on the waitlist gets METHOD:CANCEL, and
    the reminders already queued find a cancelled session and send nothing."""
    require(actor, "events.manage_sessions")
    return _cancel(session, actor)


def _cancel(session: LiveSession, actor: Actor) -> LiveSession:
    session = LiveSession.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        return session
    session.status = SessionStatus.CANCELLED
    session.sequence += 1
    session.save(update_fields=["status", "sequence", "updated_at"])
    _notify_session_change(session, kind="cancelled")
    audit(actor=actor, action="session.cancel", target=session)
    return session


@transaction.atomic(durable=True)
def session_record_attendance(
    *, session: LiveSession, actor: Actor, peak_listeners: int | None
) -> LiveSession:
    require(actor, "events.manage_sessions")
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
    enqueue_on_commit(tasks.send_session_change_task, session.pk, kind, session.sequence)


def session_send_change(*, session: LiveSession, kind: str, sequence: int) -> int:
    """Mail everyone with a seat or on the waitlist about an update or a cancellation (run by
    `send_session_change_task`, outside any transaction: mails cannot be rolled back).

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
