"""Deadline reminders go out through the task worker a week and a day before, once each, to
the members who saved the opportunity.

The tests queue work in the database backend (as production does) and run the worker
(`hemonc db_worker --batch`) at chosen moments with time-machine; the mail lands in a real
SMTP server on loopback (tests/smtp.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from hemonc.community.models.opportunities import OpportunityReminder
from hemonc.community.services.opportunities import (
    opportunity_approve,
    opportunity_save,
    opportunity_send_reminders,
    opportunity_suggest,
    opportunity_unsave,
    opportunity_update,
)
from hemonc.community.tasks import send_opportunity_reminders_task
from hemonc.members.services import profile_update
from tests.factories import make_member

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 20, 3, 59, tzinfo=UTC)  # 11:59 PM US Eastern (EDT) on 19 March


@pytest.fixture
def worker(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Tasks go to the database queue; calling the fixture runs the worker once through."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _run_at(moment: datetime, worker) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(moment, tick=False):
        worker()


def _subjects(mailbox) -> list[str]:  # type: ignore[no-untyped-def]
    return [m["Subject"] for m in mailbox.messages]


def test_reminders_a_week_and_a_day_before_and_never_twice(
    make_opportunity, member, mailbox, worker, committed
) -> None:
    other = make_member(display_name="Ben Okafor")
    make_member(display_name="Did Not Save")
    with time_machine.travel(NOW, tick=False), committed():
        opportunity = make_opportunity(title="Leukemia grant", deadline=DEADLINE)
    for person in (member, other):
        with time_machine.travel(NOW, tick=False):
            opportunity_save(opportunity=opportunity, user=person, actor=person)
    runs = sorted(
        DBTaskResult.objects.filter(
            task_path=send_opportunity_reminders_task.module_path
        ).values_list("run_after", flat=True)
    )
    assert runs == [DEADLINE - timedelta(days=7), DEADLINE - timedelta(days=1)]

    _run_at(NOW, worker)
    _run_at(DEADLINE - timedelta(days=8), worker)
    assert mailbox.messages == []

    _run_at(DEADLINE - timedelta(days=7) + timedelta(minutes=1), worker)
    mailbox.wait_for(2)
    # The same reminder queued again (a retry, a second worker) sends nothing more.
    with time_machine.travel(DEADLINE - timedelta(days=6), tick=False):
        send_opportunity_reminders_task.enqueue(opportunity.pk, "week", DEADLINE.isoformat())
        worker()
    _run_at(DEADLINE - timedelta(days=1) + timedelta(minutes=1), worker)
    mailbox.wait_for(4)
    _run_at(DEADLINE - timedelta(hours=2), worker)

    assert sorted(_subjects(mailbox)) == sorted(
        ["[Hem-Onc Network] A week left to apply: Leukemia grant"] * 2
        + ["[Hem-Onc Network] Deadline tomorrow: Leukemia grant"] * 2
    )
    assert sorted(m["To"] for m in mailbox.messages) == sorted([member.email, other.email] * 2)
    assert OpportunityReminder.objects.count() == 4
    assert all(m["Auto-Submitted"] == "auto-generated" for m in mailbox.messages)


def test_rerun_sends_nothing_to_members_already_reminded(make_opportunity, member, mailbox) -> None:
    with time_machine.travel(NOW, tick=False):
        opportunity = make_opportunity(deadline=DEADLINE)
        opportunity_save(opportunity=opportunity, user=member, actor=member)
    moment = DEADLINE - timedelta(hours=20)
    first = opportunity_send_reminders(
        opportunity=opportunity, kind="day", deadline=DEADLINE, now=moment
    )
    second = opportunity_send_reminders(
        opportunity=opportunity, kind="day", deadline=DEADLINE, now=moment
    )
    assert (first.sent, second.sent, second.already_sent) == (1, 0, 1)
    assert len(mailbox.wait_for(1)) == 1


def test_moved_deadline_gets_no_stale_reminder(
    make_opportunity, organizer, member, mailbox, worker, committed
) -> None:
    later = DEADLINE + timedelta(days=10)
    with time_machine.travel(NOW, tick=False), committed():
        opportunity = make_opportunity(title="Moving grant", deadline=DEADLINE)
    with time_machine.travel(NOW, tick=False):
        opportunity_save(opportunity=opportunity, user=member, actor=member)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False), committed():
        opportunity_update(opportunity=opportunity, actor=organizer, deadline=later)
    # The old reminder times pass quietly; the new ones send.
    _run_at(DEADLINE - timedelta(days=1) + timedelta(minutes=1), worker)
    assert mailbox.messages == []
    _run_at(later - timedelta(days=1) + timedelta(minutes=1), worker)
    mailbox.wait_for(1)
    assert _subjects(mailbox) == ["[Hem-Onc Network] Deadline tomorrow: Moving grant"]


def test_week_reminder_superseded_once_a_day_is_left(make_opportunity, member, mailbox) -> None:
    with time_machine.travel(NOW, tick=False):
        opportunity = make_opportunity(deadline=DEADLINE)
        opportunity_save(opportunity=opportunity, user=member, actor=member)
    run = opportunity_send_reminders(
        opportunity=opportunity, kind="week", deadline=DEADLINE, now=DEADLINE - timedelta(hours=5)
    )
    assert run.skipped_reason == "superseded by the day reminder"
    assert mailbox.messages == []


def test_suggestion_is_reminded_of_only_once_approved(
    organizer, member, mailbox, worker, committed
) -> None:
    with time_machine.travel(NOW, tick=False), committed():
        opportunity = opportunity_suggest(
            actor=member,
            title="Suggested grant",
            kind="funding",
            organization="Fund",
            deadline=DEADLINE,
            time_zone="UTC",
            url="https://example.org/",
        )
    assert not DBTaskResult.objects.filter(
        task_path=send_opportunity_reminders_task.module_path
    ).exists()
    with time_machine.travel(NOW + timedelta(hours=1), tick=False), committed():
        opportunity = opportunity_approve(opportunity=opportunity, actor=organizer)
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        opportunity_save(opportunity=opportunity, user=member, actor=member)
    _run_at(DEADLINE - timedelta(days=7) + timedelta(minutes=1), worker)
    mailbox.wait_for(1)
    assert _subjects(mailbox) == ["[Hem-Onc Network] A week left to apply: Suggested grant"]


def test_reminder_in_the_members_zone_with_hostile_text(make_opportunity, member, mailbox) -> None:
    profile_update(profile=member.profile, actor=member, time_zone="Asia/Tokyo")
    with time_machine.travel(NOW, tick=False):
        opportunity = make_opportunity(
            title="<script>alert(1)</script> Grant\r\nBcc: victim@example.org",
            organization='<img src=x onerror="alert(2)"> & Co',
            summary="Bold <b>claims</b>",
            deadline=DEADLINE,
            time_zone="America/New_York",
            phi_attested=True,
        )
        opportunity_save(opportunity=opportunity, user=member, actor=member)
    opportunity_send_reminders(
        opportunity=opportunity, kind="day", deadline=DEADLINE, now=DEADLINE - timedelta(hours=20)
    )
    (message,) = mailbox.wait_for(1)
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]
    assert message["Subject"] == (
        "[Hem-Onc Network] Deadline tomorrow: <script>alert(1)</script> Grant Bcc: victim@example.org"
    )
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert '<img src=x onerror="alert(2)"> & Co' in text
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt; &amp; Co" in html
    # 11:59 PM in New York is 12:59 PM the next day in Tokyo; New York's time beside it.
    assert "Friday 20 March 2026, 12:59 PM JST" in text
    assert "11:59 PM EDT (New York)" in text
    assert f"/community/opportunities/{opportunity.pk}/" in html


def test_member_who_took_it_out_of_saved_gets_no_reminder(
    make_opportunity, member, other_member, mailbox
) -> None:
    with time_machine.travel(NOW, tick=False):
        opportunity = make_opportunity(deadline=DEADLINE)
        for person in (member, other_member):
            opportunity_save(opportunity=opportunity, user=person, actor=person)
        opportunity_unsave(opportunity=opportunity, user=member, actor=member)
    run = opportunity_send_reminders(
        opportunity=opportunity, kind="week", deadline=DEADLINE, now=DEADLINE - timedelta(days=6)
    )
    assert run.sent == 1
    assert [m["To"] for m in mailbox.wait_for(1)] == [other_member.email]
