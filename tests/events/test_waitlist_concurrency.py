"""Concurrent cancels promote each waitlisted person once, in order, never past capacity.

Real concurrent transactions: one thread (and so one database connection) per cancel, all
released at once. On PostgreSQL the session row lock (SELECT ... FOR UPDATE) serializes
them; on SQLite the IMMEDIATE transactions do.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from hemonc.events.enums import RsvpStatus
from hemonc.events.models import Rsvp
from hemonc.events.services import rsvp_cancel, rsvp_create, session_create
from hemonc.members.enums import Role
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True)

CAPACITY = 5
CANCELS = 4


def test_concurrent_cancels_promote_the_waitlist_in_order() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a database file or server")
    organizer = make_member(display_name="Organizer", role=Role.ORGANIZER)
    session = session_create(
        actor=organizer,
        title="Pre-ASH special",
        starts_at=timezone.now() + timedelta(days=2),
        capacity=CAPACITY,
    )
    seated = [
        rsvp_create(session=session, user=make_member(display_name=f"Seated {n}"))
        for n in range(CAPACITY)
    ]
    waiting = [
        rsvp_create(session=session, user=make_member(display_name=f"Waiting {n}"))
        for n in range(CAPACITY)
    ]
    assert {r.status for r in waiting} == {RsvpStatus.WAITLISTED}
    mail.outbox.clear()
    barrier = threading.Barrier(CANCELS)
    errors: list[BaseException] = []

    def cancel(rsvp: Rsvp) -> None:
        try:
            barrier.wait(timeout=10)
            rsvp_cancel(rsvp=rsvp, actor=rsvp.user)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cancel, args=(r,)) for r in seated[:CANCELS]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    statuses = {r.user.profile.display_name: r.status for r in Rsvp.objects.filter(session=session)}
    assert [statuses[f"Waiting {n}"] for n in range(CAPACITY)] == [RsvpStatus.GOING] * CANCELS + [
        RsvpStatus.WAITLISTED
    ] * (CAPACITY - CANCELS)
    assert session.rsvps.filter(status=RsvpStatus.GOING).count() == CAPACITY
    promoted_to = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("A seat freed up"))
    assert promoted_to == sorted(r.user.email for r in waiting[:CANCELS])
