"""The 24-hour and 1-hour reminders: queued per start time, each sent once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from hemonc.core.bulkmail import BulkSender

# A module import: tasks.py imports these services too, and either may load first.
from hemonc.events import tasks
from hemonc.events.emails import SessionBulkMail
from hemonc.events.enums import ReminderKind, RsvpStatus
from hemonc.events.models import LiveSession, ReminderDelivery
from hemonc.events.services._shared import _enqueue_later

logger = logging.getLogger(__name__)

REMINDER_OFFSETS = {
    ReminderKind.DAY_BEFORE: timedelta(hours=24),
    ReminderKind.HOUR_BEFORE: timedelta(hours=1),
}
REMINDER_RETRY_DELAY = timedelta(minutes=5)


def _schedule_reminders(session: LiveSession) -> None:
    """Queue the 24-hour and 1-hour reminders for the session's current start time.

    The tasks carry that start time: after a reschedule the old ones find it changed and
    send nothing, and the new ones go out at the new times.
    """
    if session.is_cancelled:
        return
    now = timezone.now()
    for kind, offset in REMINDER_OFFSETS.items():
        when = session.starts_at - offset
        if when < now - timedelta(minutes=1):
            continue  # too late for this one: the session is closer than its offset
        _enqueue_later(
            tasks.send_session_reminders_task,
            when,
            session.pk,
            str(kind),
            session.starts_at.isoformat(),
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
        # A banned or suspended member's reminders stop.
        .exclude(Q(user__is_active=False) | Q(user__suspended_until__gt=now))
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
        _enqueue_later(
            tasks.send_session_reminders_task,
            timezone.now() + REMINDER_RETRY_DELAY,
            session.pk,
            str(kind),
            starts_at.isoformat(),
        )
    return ReminderRun(sent, already, failed)
