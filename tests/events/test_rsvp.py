"""RSVPs: one click for members, double opt-in for visitors, capacity and the waitlist."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from hemonc.core.errors import DomainError
from hemonc.events.enums import RsvpStatus
from hemonc.events.models import Rsvp
from hemonc.events.services import (
    rsvp_cancel,
    rsvp_confirm,
    rsvp_create,
    rsvp_request,
    session_cancel,
    session_update,
)
from hemonc.events.tasks import (
    send_rsvp_mail_task,
    send_session_change_task,
    send_session_reminders_task,
)
from hemonc.events.tokens import CONFIRM_SALT, MANAGE_SALT, confirm_token, read_confirm_token
from tests.factories import make_member


def _ics(message) -> Calendar:  # type: ignore[no-untyped-def]
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content())


def test_member_rsvp_mails_a_confirmation_with_the_ics(
    make_session, member, mailbox, committed
) -> None:
    session = make_session(join_url="https://x.com/i/spaces/1abc")

    with committed():
        rsvp = rsvp_create(session=session, user=member)

    assert rsvp.status == RsvpStatus.GOING
    (message,) = mailbox.wait_for(1)
    assert message["To"] == member.email
    assert message["Subject"] == "You're going: Myeloma in 2026"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "https://x.com/i/spaces/1abc" in text
    assert message.get_body(preferencelist=("html",)) is not None
    calendar = _ics(message)
    assert str(calendar["method"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == session.ical_uid
    assert int(event["sequence"]) == 0
    assert event.decoded("dtstart") == session.starts_at


def test_rsvp_twice_keeps_one_seat(make_session, member) -> None:
    session = make_session()

    first = rsvp_create(session=session, user=member)
    second = rsvp_create(session=session, user=member)

    assert first.pk == second.pk
    assert session.rsvps.count() == 1


def test_full_session_puts_members_on_the_waitlist_and_promotes_in_order(
    make_session, mailbox, committed
) -> None:
    session = make_session(capacity=1)
    ana, ben, chen = (make_member(display_name=n) for n in ("Ana", "Ben", "Chen"))
    with committed():
        seated = rsvp_create(session=session, user=ana)
        first_waiting = rsvp_create(session=session, user=ben)
        second_waiting = rsvp_create(session=session, user=chen)
    mailbox.wait_for(3)

    with committed():
        rsvp_cancel(rsvp=seated, actor=ana)

    assert [first_waiting.status, second_waiting.status] == [RsvpStatus.WAITLISTED] * 2
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == RsvpStatus.GOING
    assert second_waiting.status == RsvpStatus.WAITLISTED
    promoted = mailbox.wait_for(4)[-1]
    assert promoted["To"] == ben.email
    assert promoted["Subject"].startswith("A seat freed up")
    assert [m["Subject"].split(":")[0] for m in mailbox.messages[:3]] == [
        "You're going", "You're on the waitlist", "You're on the waitlist",
    ]  # fmt: skip


def test_cancelling_a_waitlisted_rsvp_promotes_nobody(make_session) -> None:
    session = make_session(capacity=1)
    ana, ben, chen = (make_member(display_name=n) for n in ("Ana", "Ben", "Chen"))
    rsvp_create(session=session, user=ana)
    ben_rsvp = rsvp_create(session=session, user=ben)
    chen_rsvp = rsvp_create(session=session, user=chen)

    rsvp_cancel(rsvp=ben_rsvp, actor=ben)

    chen_rsvp.refresh_from_db()
    assert chen_rsvp.status == RsvpStatus.WAITLISTED
    assert session.rsvps.filter(status=RsvpStatus.GOING).count() == 1


def test_member_cannot_cancel_someone_elses_rsvp(make_session, member, other_member) -> None:
    rsvp = rsvp_create(session=make_session(), user=member)

    with pytest.raises(DomainError):
        rsvp_cancel(rsvp=rsvp, actor=other_member)


def test_rsvp_to_a_cancelled_session_is_refused(make_session, organizer, member) -> None:
    session = session_cancel(session=make_session(), actor=organizer)

    with pytest.raises(DomainError, match="cancelled"):
        rsvp_create(session=session, user=member)


def test_visitor_rsvp_waits_for_the_link_in_the_mail(make_session, mailbox, committed) -> None:
    session = make_session(capacity=10)

    with committed():
        pending = rsvp_request(session=session, email="Visitor@Example.org", name="Vi")

    assert pending.status == RsvpStatus.PENDING
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "visitor@example.org"
    text = message.get_body(preferencelist=("plain",)).get_content()
    token = re.search(r"/sessions/rsvp/confirm/([^/\s]+)/", text).group(1)  # type: ignore[union-attr]
    assert list(message.iter_attachments()) == []
    rsvp_id, email = read_confirm_token(token)  # type: ignore[misc]

    with committed():
        confirmed = rsvp_confirm(rsvp_id=rsvp_id, email=email)

    assert confirmed.status == RsvpStatus.GOING
    going = mailbox.wait_for(2)[-1]
    assert going["Subject"] == "You're going: Myeloma in 2026"
    assert str(_ics(going)["method"]) == "REQUEST"


def test_visitor_rsvp_is_not_mailed_again_within_ten_minutes(
    make_session, mailbox, committed
) -> None:
    session = make_session()

    with committed():
        rsvp_request(session=session, email="v@example.org")
        rsvp_request(session=session, email="v@example.org")

    assert len(mailbox.wait_for(1)) == 1
    assert Rsvp.objects.filter(session=session).count() == 1


def test_confirmation_token_for_another_address_is_refused(make_session) -> None:
    rsvp = rsvp_request(session=make_session(), email="v@example.org")

    with pytest.raises(DomainError):
        rsvp_confirm(rsvp_id=rsvp.pk, email="someone@example.org")
    rsvp.refresh_from_db()
    assert rsvp.status == RsvpStatus.PENDING


def test_pending_visitors_do_not_take_seats(make_session, member) -> None:
    session = make_session(capacity=1)
    rsvp_request(session=session, email="v@example.org")

    assert rsvp_create(session=session, user=member).status == RsvpStatus.GOING


def test_bulk_mails_each_carry_their_own_cancel_link(
    make_session, organizer, mailbox, committed
) -> None:
    from hemonc.events.tokens import read_manage_token

    session = make_session()
    people = [make_member(display_name=n) for n in ("Ana", "Ben")]
    rsvps = {rsvp_create(session=session, user=p).pk: p.email for p in people}

    with committed():
        session_update(
            session=session, actor=organizer, starts_at=session.starts_at + timedelta(hours=1)
        )

    for message in mailbox.wait_for(2):
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        token = message["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[-1]
        assert rsvps[read_manage_token(token)] == message["To"]  # type: ignore[index]
        assert token in text
        assert token in html


def test_confirmation_link_stops_working_after_two_days(make_session, client) -> None:
    rsvp = rsvp_request(
        session=make_session(starts_at=timezone.now() + timedelta(days=7)), email="v@example.org"
    )
    url = reverse("events:rsvp_confirm", args=[confirm_token(rsvp_id=rsvp.pk, email=rsvp.email)])

    with time_machine.travel(timezone.now() + timedelta(days=2, minutes=1)):
        response = client.post(url)

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    rsvp.refresh_from_db()
    assert rsvp.status == RsvpStatus.PENDING


def test_confirmation_link_of_a_deleted_or_member_rsvp_is_refused(
    make_session, member, client
) -> None:
    session = make_session()
    gone = rsvp_request(session=session, email="v@example.org")
    token = confirm_token(rsvp_id=gone.pk, email=gone.email)
    gone.delete()
    seat = rsvp_create(session=session, user=member)

    for url in (
        reverse("events:rsvp_confirm", args=[token]),
        reverse("events:rsvp_confirm", args=[confirm_token(rsvp_id=seat.pk, email=member.email)]),
    ):
        assert client.get(url).status_code == 400


@pytest.mark.parametrize(
    "payload", [["not", "a", "dict"], {"rsvp": "7"}, {"email": "v@example.org"}]
)
def test_signed_links_without_an_rsvp_id_are_refused(make_session, client, payload) -> None:
    rsvp = rsvp_request(session=make_session(), email="v@example.org")
    if isinstance(payload, dict) and "rsvp" in payload:
        payload = {"rsvp": str(rsvp.pk)}
    legacy = signing.dumps(payload, salt=CONFIRM_SALT)
    manage = signing.dumps(payload, salt=MANAGE_SALT)

    confirm = client.post(reverse("events:rsvp_confirm", args=[legacy]))
    cancel = client.post(reverse("events:rsvp_cancel_by_token", args=[manage]))

    assert (confirm.status_code, cancel.status_code) == (400, 400)
    rsvp.refresh_from_db()
    assert rsvp.status == RsvpStatus.PENDING


def test_mail_tasks_for_rows_deleted_since_do_nothing(make_session, member, mailbox) -> None:
    session = make_session()
    rsvp = rsvp_create(session=session, user=member)
    rsvp_id, session_id = rsvp.pk, session.pk
    session.delete()

    assert send_rsvp_mail_task.call(rsvp_id, "going") is False
    assert send_session_change_task.call(session_id, "update", 1) == 0
    assert send_session_reminders_task.call(session_id, "24h", timezone.now().isoformat()) == {
        "sent": 0
    }
    assert mailbox.messages == []
