"""The mails about sessions carry what people typed as text, never as markup, and stay valid
mail and valid calendars whatever a title or a name holds."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vText

from hemonc.events.calendars import session_invitation, sessions_calendar
from hemonc.events.emails import SUBJECTS, TO_EVERYONE, SessionBulkMail, rsvp_message
from hemonc.events.models import LiveSession, Rsvp
from hemonc.events.services import (
    rsvp_create,
    rsvp_request,
    session_cancel,
    session_send_reminders,
    session_update,
)
from hemonc.events.tokens import CONFIRM_SALT
from tests.factories import make_member
from tests.mailcheck import ATTACK_LINK, FORMULA, PIXEL, assert_carried_as_text, parts

# One line each: what the forms and services keep of a typed name or title.
HOSTILE = [ATTACK_LINK, PIXEL, FORMULA, "Zoë " + "x" * 70]
JOIN = ("https://x.com/",)


@pytest.mark.parametrize("name", HOSTILE)
def test_visitor_confirmation_mail_carries_a_hostile_name_as_text(
    make_session, mailbox, committed, name
) -> None:
    session = make_session()

    with committed():
        rsvp_request(session=session, email="victim@example.org", name=name)

    (message,) = mailbox.wait_for(1)
    assert_carried_as_text(name[:80], message)
    _, html = parts(message)
    assert re.search(rf'<a href="{settings.SITE_URL}/sessions/rsvp/confirm/[^"]+/">', html)


@pytest.mark.parametrize("title", HOSTILE)
def test_session_mails_carry_a_hostile_title_as_text(
    make_session, member, mailbox, committed, title
) -> None:
    session = make_session(title=title)

    with committed():
        rsvp_create(session=session, user=member)

    (message,) = mailbox.wait_for(1)
    assert_carried_as_text(title, message, links=JOIN)
    assert message["Subject"] == f"You're going: {title}"


def test_session_mail_links_only_the_platforms_own_urls(
    make_session, member, mailbox, committed
) -> None:
    session = make_session(join_url="https://x.com/i/spaces/1abc")

    with committed():
        rsvp_create(session=session, user=member)

    (message,) = mailbox.wait_for(1)
    _, html = parts(message)
    assert '<a href="https://x.com/i/spaces/1abc">' in html
    assert f'<a href="{settings.SITE_URL}{session.get_absolute_url()}">' in html


def test_session_title_stored_with_a_newline_still_mails_and_downloads(
    make_session, member, mailbox, committed, client
) -> None:
    session = make_session()
    rsvp_create(session=session, user=member)
    # A row written before titles were kept to one line.
    LiveSession.objects.filter(pk=session.pk).update(title="Line one\r\nBcc: victim@example.org")
    session.refresh_from_db()

    with committed():
        session_update(
            session=session,
            actor=session.created_by,
            starts_at=session.starts_at + timedelta(hours=1),
        )

    (message,) = mailbox.wait_for(1)
    assert message["Subject"] == "New time: Line one Bcc: victim@example.org"
    assert message["Bcc"] is None
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_content())
    assert str(calendar.walk("VEVENT")[0]["summary"]) == "Line one\nBcc: victim@example.org"

    response = client.get(f"/sessions/{session.pk}/event.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == "Line one\nBcc: victim@example.org"


TITLES = [
    "Choosing between hematology, oncology; or both \\ neither",
    "Line one\nLine two",
    'Quotes "and" colons: ; , \\n literal',
]


@pytest.mark.parametrize("title", TITLES)
def test_calendar_files_round_trip_the_full_title(make_session, title) -> None:
    session = make_session()
    session.title = title  # as a row may hold it, whatever the forms keep

    for body in (
        sessions_calendar([session], name=session.title),
        session_invitation(session, attendee="ana@example.org"),
    ):
        calendar = Calendar.from_ical(body)
        assert str(calendar["x-wr-calname"]) == title
        # Escaped as TEXT (RFC 5545, 3.3.11), so readers that split on "," or ";" keep it.
        assert b"X-WR-CALNAME;VALUE=TEXT:" + vText(title).to_ical() in body.replace(b"\r\n ", b"")
        assert str(calendar.walk("VEVENT")[0]["summary"]) == title


def test_reminder_and_rsvp_mails_say_they_are_automatic(
    make_session, member, mailbox, committed
) -> None:
    session = make_session(starts_at=timezone.now() + timedelta(hours=2))
    with committed():
        rsvp_create(session=session, user=member)
    session_send_reminders(session=session, kind="24h", starts_at=session.starts_at)

    going, reminder = mailbox.wait_for(2)
    for message in (going, reminder):
        assert message["Auto-Submitted"] == "auto-generated"
        assert re.fullmatch(r"\w{3}, \d\d? \w{3} \d{4} \d\d:\d\d:\d\d \+0000", message["Date"])
    assert re.fullmatch(rf".+ <session-{session.pk}\.sessions\.[\w.-]+>", reminder["List-Id"])
    assert going["List-Id"] is None


def test_cancellation_mail_to_a_member_with_a_hostile_name(
    make_session, organizer, mailbox, committed
) -> None:
    session = make_session()
    person = make_member(display_name=ATTACK_LINK)
    rsvp_create(session=session, user=person)
    Rsvp.objects.filter(user=person).update(name=ATTACK_LINK)

    with committed():
        session_cancel(session=session, actor=organizer)

    (message,) = mailbox.wait_for(1)
    assert_carried_as_text(ATTACK_LINK, message)


# ---------------------------------------------------------------------------------------------
# One-line fields keep to one line, whichever way they come in.

BROKEN = "Myeloma\r\nBcc: victim@example.org\u2028\x00end"
MENDED = "Myeloma Bcc: victim@example.org end"


def test_services_keep_session_titles_and_visitor_names_on_one_line(
    make_session, organizer
) -> None:
    from hemonc.events.services import guest_create, season_create

    session = make_session(title=BROKEN, venue="Hall\nB")
    assert (session.title, session.venue) == (MENDED, "Hall B")
    session = session_update(session=session, actor=organizer, title="New\ttitle\n")
    assert session.title == "New title"
    assert rsvp_request(session=session, email="v@example.org", name=BROKEN).name == MENDED[:80]
    today = timezone.localdate()
    season = season_create(actor=organizer, name=BROKEN, starts_on=today, ends_on=today)
    assert season.name == MENDED
    assert guest_create(actor=organizer, name=BROKEN, title="Prof\nX").title == "Prof X"


def test_session_import_keeps_titles_on_one_line(organizer) -> None:
    from hemonc.events.importers.sessions_csv import SessionRow
    from hemonc.events.services import sessions_import

    row = SessionRow(
        line=2,
        starts_at=timezone.now() + timedelta(days=2),
        title=BROKEN,
        kind="regular",
        guests=("Dr.\x0bGrace",),
        attendance=None,
        recording_url="",
    )

    sessions_import(season_name="Season\n2026", rows=[row], actor=organizer)

    session = LiveSession.objects.get()
    assert (session.title, session.season.name) == (MENDED, "Season 2026")  # type: ignore[union-attr]
    assert [g.name for g in session.guests.all()] == ["Dr. Grace"]


def test_visitor_rsvp_form_keeps_the_name_on_one_line(make_session, client) -> None:
    session = make_session()

    client.post(
        f"/sessions/{session.pk}/rsvp/email/", {"email": "v@example.org", "name": "Vi\r\nX"}
    )

    assert Rsvp.objects.get(session=session).name == "Vi X"


def test_session_and_schedule_forms_keep_titles_on_one_line(db) -> None:
    from hemonc.events.forms import ScheduleForm, SeasonForm, SessionForm

    session_form = SessionForm(data={"title": BROKEN, "kind": "meetup", "venue": "Hall\nB"})
    session_form.is_valid()
    assert (session_form.cleaned_data["title"], session_form.cleaned_data["venue"]) == (
        MENDED,
        "Hall B",
    )
    schedule_form = ScheduleForm(data={"title": "Live\n#{n}"})
    schedule_form.is_valid()
    assert schedule_form.cleaned_data["title"] == "Live #{n}"
    season_form = SeasonForm(data={"name": "Season\r\n1"})
    season_form.is_valid()
    assert season_form.cleaned_data["name"] == "Season 1"


@pytest.mark.parametrize("kind", sorted(SUBJECTS))
def test_every_session_mail_carries_hostile_input_as_text(make_session, mailbox, kind) -> None:
    from hemonc.core.bulkmail import BulkSender

    session = make_session(title=FORMULA, join_url="https://x.com/i/spaces/1abc")
    rsvp = rsvp_request(session=session, email="v@example.org", name=ATTACK_LINK)
    LiveSession.objects.filter(pk=session.pk).update(title=f"{FORMULA}\n{PIXEL}" + "y" * 120)
    rsvp = Rsvp.objects.select_related("session").get(pk=rsvp.pk)

    if kind.startswith("reminder"):
        with BulkSender() as sender:
            SessionBulkMail(rsvp.session, kind=kind).send(sender, rsvp)
    else:
        rsvp_message(rsvp, kind=kind).send()

    (message,) = mailbox.wait_for(1)
    for value in (ATTACK_LINK, FORMULA, PIXEL):
        assert_carried_as_text(value, message, links=JOIN)
    assert "\n" not in message["Subject"] and len(message["Subject"]) <= 250
    assert message["Auto-Submitted"] == "auto-generated"
    assert (message["List-Id"] is not None) == (kind in TO_EVERYONE)


def test_visitor_confirmation_link_reveals_no_address(make_session, mailbox, committed, client):
    import base64

    from django.core import signing

    session = make_session()
    with committed():
        rsvp = rsvp_request(session=session, email="secret.person@example.org", name="Vi")

    (message,) = mailbox.wait_for(1)
    text, _ = parts(message)
    path = re.search(r"/sessions/rsvp/confirm/[^/\s]+/", text).group(0)  # type: ignore[union-attr]
    token = path.rstrip("/").rsplit("/", 1)[-1]
    decoded = []
    for piece in token.split(":"):
        try:
            decoded.append(base64.urlsafe_b64decode(piece + "=" * (-len(piece) % 4)))
        except ValueError:
            continue
    # The signature is random bytes, an "@" among them is chance: look for the address itself.
    assert not any(b"secret.person" in raw or b"example.org" in raw for raw in decoded)
    assert token.split(":")[0] == str(rsvp.pk)
    assert "secret.person" not in token

    client.post(path)
    rsvp.refresh_from_db()
    assert rsvp.status == "going"

    # A link mailed before links held only the id still confirms until it expires.
    other = rsvp_request(session=session, email="old@example.org")
    old = signing.dumps({"rsvp": other.pk, "email": "old@example.org"}, salt=CONFIRM_SALT)
    client.post(f"/sessions/rsvp/confirm/{old}/")
    other.refresh_from_db()
    assert other.status == "going"


def test_reminders_to_visitors_of_one_zone_and_name_each_carry_their_own_cancel_link(
    make_session, mailbox
) -> None:
    from hemonc.events.services import rsvp_confirm
    from hemonc.events.tokens import read_manage_token

    session = make_session()
    rsvps = {}
    for address in ("first@example.org", "second@example.org"):
        rsvp = rsvp_confirm(rsvp_id=rsvp_request(session=session, email=address).pk, email=address)
        rsvps[rsvp.pk] = address

    run = session_send_reminders(
        session=session, kind="1h", starts_at=session.starts_at,
        now=session.starts_at - timedelta(minutes=50),
    )  # fmt: skip

    assert run.sent == 2
    for message in mailbox.wait_for(2):
        token = message["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[-1]
        assert rsvps[read_manage_token(token)] == message["To"]  # type: ignore[index]
        assert token in parts(message)[0]


@pytest.mark.parametrize("kind", ["going", "confirm_email"])
def test_mails_with_a_calendar_or_a_confirmation_are_not_sent_in_bulk(make_session, kind) -> None:
    with pytest.raises(ValueError, match="go one by one through rsvp_message"):
        SessionBulkMail(make_session(), kind=kind)
