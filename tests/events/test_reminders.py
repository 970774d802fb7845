"""Reminders go out through the task worker at 24 h and 1 h before, never twice.

These tests queue work in the database backend (as production does) and run the worker
(`hemonc db_worker --batch`) at chosen moments with time-machine; the mail lands in a real
SMTP server on loopback.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection, connections
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from hemonc.events.enums import ReminderKind
from hemonc.events.models import LiveSession, ReminderDelivery
from hemonc.events.services import (
    rsvp_cancel,
    rsvp_create,
    session_cancel,
    session_update,
)
from hemonc.events.tasks import send_session_reminders_task
from hemonc.members.enums import Role
from tests.factories import make_member
from tests.smtp import Mailbox, _free_port

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
STARTS = datetime(2026, 3, 5, 1, 0, tzinfo=UTC)  # 8 pm US Eastern on 4 March


@pytest.fixture
def worker(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Tasks go to the database queue; calling the fixture runs the worker once through.

    The worker closes stale connections between tasks; inside a test's transaction that
    would close the test's own connection, so that one step is left out here.
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def _run_at(moment: datetime, worker) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(moment, tick=False):
        worker()


def _subjects(mailbox) -> list[str]:  # type: ignore[no-untyped-def]
    return [m["Subject"] for m in mailbox.messages]


def test_reminders_arrive_24h_and_1h_before_and_never_twice(
    make_session, member, mailbox, worker, committed
) -> None:
    with time_machine.travel(NOW, tick=False), committed():
        session = make_session(starts_at=STARTS, join_url="https://zoom.example/j/1")
        rsvp_create(session=session, user=member)
    runs = sorted(
        DBTaskResult.objects.filter(task_path=send_session_reminders_task.module_path).values_list(
            "run_after", flat=True
        )
    )
    assert runs == [STARTS - timedelta(hours=24), STARTS - timedelta(hours=1)]

    _run_at(NOW, worker)
    assert _subjects(mailbox) == ["You're going: Myeloma in 2026"]
    _run_at(STARTS - timedelta(hours=25), worker)
    assert len(mailbox.messages) == 1

    _run_at(STARTS - timedelta(hours=24) + timedelta(minutes=1), worker)
    mailbox.wait_for(2)
    # The same reminder queued again (a retry, a second worker) sends nothing.
    with time_machine.travel(STARTS - timedelta(hours=23), tick=False):
        send_session_reminders_task.enqueue(session.pk, "24h", STARTS.isoformat())
        worker()
    _run_at(STARTS - timedelta(minutes=59), worker)
    mailbox.wait_for(3)
    _run_at(STARTS - timedelta(minutes=30), worker)

    assert _subjects(mailbox) == [
        "You're going: Myeloma in 2026",
        "Tomorrow: Myeloma in 2026",
        "Starting in an hour: Myeloma in 2026",
    ]
    assert {m["To"] for m in mailbox.messages} == {member.email}
    reminder_text = mailbox.messages[1].get_body(preferencelist=("plain",)).get_content()
    assert "https://zoom.example/j/1" in reminder_text
    assert sorted(ReminderDelivery.objects.values_list("kind", flat=True)) == ["1h", "24h"]


def test_cancelled_rsvp_gets_no_reminder(make_session, mailbox, worker, committed) -> None:
    stays, leaves = make_member(display_name="Stays"), make_member(display_name="Leaves")
    with time_machine.travel(NOW, tick=False), committed():
        session = make_session(starts_at=STARTS)
        rsvp_create(session=session, user=stays)
        rsvp_cancel(rsvp=rsvp_create(session=session, user=leaves), actor=leaves)
    _run_at(NOW, worker)
    mailbox.messages.clear()

    _run_at(STARTS - timedelta(hours=23), worker)

    (reminder,) = mailbox.wait_for(1)
    assert reminder["To"] == stays.email


def test_rescheduling_sends_an_update_and_moves_the_reminders(
    make_session, organizer, member, mailbox, worker, committed
) -> None:
    with time_machine.travel(NOW, tick=False), committed():
        session = make_session(starts_at=STARTS)
        rsvp_create(session=session, user=member)
    _run_at(NOW, worker)
    later = STARTS + timedelta(days=2)

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        with committed():
            session_update(session=session, actor=organizer, starts_at=later)
        worker()

    update = mailbox.wait_for(2)[-1]
    assert update["Subject"] == "New time: Myeloma in 2026"
    (part,) = [p for p in update.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_content())
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == session.ical_uid
    assert int(event["sequence"]) == 1
    assert event.decoded("dtstart") == later
    # The old reminder times pass quietly; the new ones send.
    _run_at(STARTS - timedelta(hours=23), worker)
    _run_at(STARTS - timedelta(minutes=30), worker)
    assert len(mailbox.messages) == 2
    _run_at(later - timedelta(hours=23), worker)
    assert mailbox.wait_for(3)[-1]["Subject"] == "Tomorrow: Myeloma in 2026"


def test_cancelling_a_session_sends_method_cancel_and_drops_the_reminders(
    make_session, organizer, member, mailbox, worker, committed
) -> None:
    with time_machine.travel(NOW, tick=False), committed():
        session = make_session(starts_at=STARTS)
        rsvp_create(session=session, user=member)
    _run_at(NOW, worker)

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        with committed():
            session_cancel(session=session, actor=organizer)
        worker()

    cancel = mailbox.wait_for(2)[-1]
    assert cancel["Subject"] == "Cancelled: Myeloma in 2026"
    (part,) = [p for p in cancel.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "CANCEL"
    calendar = Calendar.from_ical(part.get_content())
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["method"]) == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 1
    _run_at(STARTS - timedelta(hours=23), worker)
    _run_at(STARTS - timedelta(minutes=30), worker)
    assert len(mailbox.messages) == 2
    assert not ReminderDelivery.objects.filter(kind=ReminderKind.DAY_BEFORE).exists()


def test_reminders_are_personal_in_each_zone_and_cancel_with_one_click(
    make_session, mailbox, client
) -> None:
    from hemonc.events.services import session_send_reminders

    tokyo = make_member(display_name="Kenji", time_zone="Asia/Tokyo")
    eastern = make_member(display_name="Ana")  # no zone of her own: the session's
    with time_machine.travel(NOW, tick=False):
        session = make_session(starts_at=STARTS, time_zone="America/New_York")
        for person in (tokyo, eastern):
            rsvp_create(session=session, user=person)
    mailbox.messages.clear()

    with time_machine.travel(STARTS - timedelta(hours=23), tick=False):
        run = session_send_reminders(session=session, kind="24h", starts_at=STARTS)

    assert (run.sent, run.failed) == (2, 0)
    by_address = {m["To"]: m for m in mailbox.wait_for(2)}
    texts = {}
    for address, message in by_address.items():
        assert message["Subject"] == "Tomorrow: Myeloma in 2026"
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        unsubscribe = message["List-Unsubscribe"].strip("<>")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert unsubscribe in text
        assert unsubscribe in html
        texts[address] = text
    # The member's own zone first, the session's beside it; else the session's zone alone.
    assert (
        "When: Thursday 5 March 2026, 10:00 AM JST · Wed 8:00 PM EST (New York), 60 minutes"
        in texts[tokyo.email]
    )
    assert "When: Wednesday 4 March 2026, 8:00 PM EST, 60 minutes" in texts[eastern.email]
    assert (
        by_address[tokyo.email]["List-Unsubscribe"] != by_address[eastern.email]["List-Unsubscribe"]
    )

    response = client.post(by_address[tokyo.email]["List-Unsubscribe"].strip("<>"))

    assert response.status_code == 200
    assert list(session.rsvps.filter(status="going").values_list("user", flat=True)) == [eastern.pk]


def test_a_refused_reminder_leaves_no_record_and_is_retried(
    make_session, member, settings, dummy_tasks, committed
) -> None:
    from hemonc.events.services import session_send_reminders

    with time_machine.travel(NOW, tick=False):
        session = make_session(starts_at=STARTS)
        rsvp_create(session=session, user=member)
    settings.MAILERS = {  # nobody listens on this port
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _free_port(), "timeout": 5},
        }
    }

    with time_machine.travel(STARTS - timedelta(hours=23), tick=False), committed():
        run = session_send_reminders(session=session, kind="24h", starts_at=STARTS)

    assert (run.sent, run.failed) == (0, 1)
    assert not ReminderDelivery.objects.exists()
    assert [(result.task.module_path, result.task.run_after) for result in dummy_tasks.results] == [
        (
            send_session_reminders_task.module_path,
            STARTS - timedelta(hours=23) + timedelta(minutes=5),
        )
    ]


def test_reminders_go_through_other_mail_backends_too(make_session, member, settings) -> None:
    from django.core import mail

    from hemonc.events.services import session_send_reminders

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with time_machine.travel(NOW, tick=False):
        session = make_session(starts_at=STARTS)
        rsvp_create(session=session, user=member)
    mail.outbox.clear()

    with time_machine.travel(STARTS - timedelta(minutes=50), tick=False):
        run = session_send_reminders(session=session, kind="1h", starts_at=STARTS)

    assert run.sent == 1
    (message,) = mail.outbox
    assert message.subject == "Starting in an hour: Myeloma in 2026"
    assert message.to == [member.email]
    assert message.extra_headers["List-Unsubscribe"].strip("<>") in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert ReminderDelivery.objects.get().kind == "1h"


def test_suspended_and_banned_members_get_no_reminder(make_session, member, mailbox) -> None:
    from hemonc.events.services import session_send_reminders

    suspended = make_member(display_name="Sus Pended")
    banned = make_member(display_name="Ban Ned")
    with time_machine.travel(NOW, tick=False):
        session = make_session(starts_at=STARTS)
        for person in (member, suspended, banned):
            rsvp_create(session=session, user=person)
    suspended.suspended_until = STARTS + timedelta(days=3)
    suspended.save()
    banned.is_active = False
    banned.save()
    mailbox.messages.clear()

    with time_machine.travel(STARTS - timedelta(minutes=50), tick=False):
        run = session_send_reminders(session=session, kind="1h", starts_at=STARTS)

    assert run.sent == 1
    assert [message["To"] for message in mailbox.messages] == [member.email]


def test_reminder_runs_after_the_start_or_past_the_one_hour_mark_send_nothing(
    make_session, member, mailbox
) -> None:
    from hemonc.events.services import session_send_reminders

    with time_machine.travel(NOW, tick=False):
        session = make_session(starts_at=STARTS)
        rsvp_create(session=session, user=member)

    late = session_send_reminders(
        session=session, kind="1h", starts_at=STARTS, now=STARTS + timedelta(minutes=1)
    )
    superseded = session_send_reminders(
        session=session, kind="24h", starts_at=STARTS, now=STARTS - timedelta(minutes=30)
    )

    assert (late.sent, late.skipped_reason) == (0, "started")
    assert (superseded.sent, superseded.skipped_reason) == (0, "superseded by the 1-hour reminder")
    assert not ReminderDelivery.objects.exists()
    assert mailbox.messages == []


def test_a_session_created_cancelled_queues_no_reminders(organizer, dummy_tasks, committed) -> None:
    from hemonc.events.services import session_create

    with time_machine.travel(NOW, tick=False), committed():
        session_create(actor=organizer, title="Called off", starts_at=STARTS, status="cancelled")
        session_create(actor=organizer, title="On", starts_at=STARTS)

    queued = [r.args for r in dummy_tasks.results if r.task.name == "send_session_reminders_task"]
    on = LiveSession.objects.get(title="On")
    assert sorted(args[1] for args in queued) == ["1h", "24h"]
    assert {args[0] for args in queued} == {on.pk}


class _RefusingMailbox(Mailbox):
    """A mailbox whose server refuses one address (550) and stays connected."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = refused

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address == self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_address_does_not_stop_the_other_reminders(
    make_session, member, other_member, settings, dummy_tasks, committed
) -> None:
    from hemonc.events.services import session_send_reminders

    with time_machine.travel(NOW, tick=False):
        session = make_session(starts_at=STARTS)
        refused = rsvp_create(session=session, user=member)
        rsvp_create(session=session, user=other_member)
    server = Controller(_RefusingMailbox(member.email), hostname="127.0.0.1", port=_free_port())
    server.start()
    try:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": server.hostname, "port": server.port, "timeout": 10},
            }
        }
        with time_machine.travel(STARTS - timedelta(hours=23), tick=False), committed():
            run = session_send_reminders(session=session, kind="24h", starts_at=STARTS)
    finally:
        server.stop()

    assert (run.sent, run.failed) == (1, 1)
    (message,) = server.handler.messages
    assert message["To"] == other_member.email
    assert list(ReminderDelivery.objects.values_list("rsvp__user", flat=True)) == [other_member.pk]
    assert not ReminderDelivery.objects.filter(rsvp=refused).exists()


class _RacingMailbox(Mailbox):
    """While the first reminder is being sent, another worker reminds `other` (and commits)."""

    def __init__(self, other: int, starts_at: datetime) -> None:
        super().__init__()
        self.other, self.starts_at = other, starts_at

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.messages:
            await asyncio.to_thread(self._other_worker_reminds)
        return await super().handle_DATA(server, session, envelope)

    def _other_worker_reminds(self) -> None:
        try:
            ReminderDelivery.objects.create(
                rsvp_id=self.other, kind=ReminderKind.DAY_BEFORE, session_starts_at=self.starts_at
            )
        finally:
            connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_person_another_worker_just_reminded_is_not_mailed_twice(settings) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("two writers at once need PostgreSQL")
    from hemonc.events.services import session_create, session_send_reminders

    organizer = make_member(display_name="Organizer", role=Role.ORGANIZER)
    first, second = make_member(display_name="First"), make_member(display_name="Second")
    with time_machine.travel(NOW, tick=False):
        session = session_create(actor=organizer, title="Myeloma", starts_at=STARTS)
        rsvp_create(session=session, user=first)
        raced = rsvp_create(session=session, user=second)
    server = Controller(_RacingMailbox(raced.pk, STARTS), hostname="127.0.0.1", port=_free_port())
    server.start()
    try:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": server.hostname, "port": server.port, "timeout": 10},
            }
        }
        with time_machine.travel(STARTS - timedelta(hours=23), tick=False):
            run = session_send_reminders(session=session, kind="24h", starts_at=STARTS)
    finally:
        server.stop()

    assert (run.sent, run.already_sent, run.failed) == (1, 1, 0)
    assert [m["To"] for m in server.handler.messages] == [first.email]
    assert ReminderDelivery.objects.count() == 2
