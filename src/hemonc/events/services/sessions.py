"""Sessions: create, change, cancel, attendance and the mails about a change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import mailers
from django.db import transaction
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.text import one_line
from hemonc.events.emails import rsvp_message
from hemonc.events.enums import RsvpStatus, SessionStatus
from hemonc.events.models import Guest, LiveSession, validate_paper
from hemonc.events.services._shared import _check_time_zone, _require_organizer
from hemonc.events.services.reminders import _schedule_reminders
from hemonc.events.services.rsvps import _promote_waitlist
from hemonc.members.models import User
from hemonc.taxonomy.models import Topic

SESSION_FIELDS = {
    "season", "title", "description", "starts_at", "duration_minutes", "time_zone", "kind",
    "paper", "hashtag", "venue", "conference_tag", "join_url", "join_url_for_rsvps_only",
    "capacity", "status", "recording_url", "show_notes", "resources", "peak_listeners",
}  # fmt: skip


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
