"""The mails about sessions carry what people typed as text, never as markup, and stay valid
mail and valid calendars whatever a title or a name holds."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vText

from hemonc.events.calendars import session_invitation, sessions_calendar
from hemonc.events.models import LiveSession, Rsvp
from hemonc.events.services import (
    rsvp_create,
    rsvp_request,
    session_cancel,
    session_send_reminders,
    session_update,
)
from tests.factories import make_member

ATTACK_LINK = '<a href=//evil.example style="font-size:40px">CONFIRM HERE</a>'
FORMULA = '=HYPERLINK("https://evil.example/x","Click")'
# One line each: what the forms and services keep of a typed name or title.
HOSTILE = [ATTACK_LINK, "<img src=//evil.example/pixel.gif>", FORMULA, "Zoë " + "x" * 70]


def _parts(message) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def _assert_carried_as_text(value: str, text: str, html: str) -> None:
    """The value reads as typed in the text part, and as text, never markup, in the HTML:
    no tag but the mail's own, no attribute pointing anywhere but the site."""
    assert value in text
    assert "&lt;" not in text and "&amp;" not in text and "&quot;" not in text
    parser = _Tags()
    parser.feed(html)
    assert {tag for tag, _ in parser.tags} <= {"html", "head", "meta", "title", "body", "p"} | {
        "br",
        "a",
        "h1",
    }
    for tag, attrs in parser.tags:
        assert all(name in {"lang", "charset", "style", "href"} for name, _ in attrs), tag
        for name, url in attrs:
            if name == "href":
                assert url and url.startswith((settings.SITE_URL + "/", "https://x.com/"))
    assert value in "".join(parser.data)


@pytest.mark.parametrize("name", HOSTILE)
def test_visitor_confirmation_mail_carries_a_hostile_name_as_text(
    make_session, mailbox, committed, name
) -> None:
    session = make_session()

    with committed():
        rsvp_request(session=session, email="victim@example.org", name=name)

    (message,) = mailbox.wait_for(1)
    text, html = _parts(message)
    _assert_carried_as_text(name[:80], text, html)
    assert re.search(rf'<a href="{settings.SITE_URL}/sessions/rsvp/confirm/[^"]+/">', html)


@pytest.mark.parametrize("title", HOSTILE)
def test_session_mails_carry_a_hostile_title_as_text(
    make_session, member, mailbox, committed, title
) -> None:
    session = make_session(title=title)

    with committed():
        rsvp_create(session=session, user=member)

    (message,) = mailbox.wait_for(1)
    text, html = _parts(message)
    _assert_carried_as_text(title, text, html)
    assert message["Subject"] == f"You're going: {title}"


def test_session_mail_links_only_the_platforms_own_urls(
    make_session, member, mailbox, committed
) -> None:
    session = make_session(join_url="https://x.com/i/spaces/1abc")

    with committed():
        rsvp_create(session=session, user=member)

    (message,) = mailbox.wait_for(1)
    _, html = _parts(message)
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
    text, html = _parts(message)
    _assert_carried_as_text(ATTACK_LINK, text, html)
