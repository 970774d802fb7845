"""What the session pages say reads as whole sentences: a link inside a sentence stays in the
line of its words (a paragraph set straight in a form is laid out as a column, one item per
word group, by the site's form styles), and no line starts or ends with a stray separator."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hemonc.events.services import rsvp_create, rsvp_request, session_record_attendance
from hemonc.events.tokens import confirm_token, manage_token
from tests.factories import make_member

VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}


class _Paragraphs(HTMLParser):
    """Each <p>: its text as read, and the tag it sits in."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.open: list[tuple[str, list[str]]] = []
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self.open.append((self.stack[-1] if self.stack else "", []))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self.open:
            parent, words = self.open.pop()
            self.found.append((re.sub(r"\s+", " ", "".join(words)).strip(), parent))
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        for _, words in self.open:
            words.append(data)


def paragraphs(html: str) -> dict[str, str]:
    """{text of each paragraph: the tag it sits in}."""
    parser = _Paragraphs()
    parser.feed(html)
    return dict(parser.found)


def test_the_rsvp_box_invites_members_to_sign_in_in_one_sentence(make_session) -> None:
    session = make_session()

    found = paragraphs(Client().get(session.get_absolute_url()).content.decode())

    assert found["Already a member? Sign in to RSVP with one click."] != "form"
    sentence = "No account? RSVP with your email address and we'll send you a link to confirm it."
    assert found[sentence] != "form"


def test_the_visitors_confirmation_page_is_a_sentence(make_session) -> None:
    session = make_session(title="Myeloma night")
    rsvp = rsvp_request(session=session, email="gia@example.org", name="Gia")
    url = reverse("events:rsvp_confirm", args=[confirm_token(rsvp_id=rsvp.pk, email=rsvp.email)])

    found = paragraphs(Client().get(url).content.decode())

    assert found["Confirm that gia@example.org is coming to Myeloma night."] != "form"


def test_the_cancel_page_asks_in_a_sentence(make_session) -> None:
    session = make_session(title="Myeloma night")
    rsvp = rsvp_request(session=session, email="gia@example.org")
    url = reverse("events:rsvp_cancel_by_token", args=[manage_token(rsvp_id=rsvp.pk)])

    found = paragraphs(Client().get(url).content.decode())

    sentence = (
        "Give up your place at Myeloma night? You won't get reminders, "
        "and the next person on the waitlist gets your seat."
    )
    assert found[sentence] != "form"


def test_the_attendance_box_reads_without_stray_separators(make_session, organizer) -> None:
    started = timezone.now() - timedelta(hours=3)
    session = make_session(starts_at=started.replace(second=0, microsecond=0), capacity=1)
    make_session(title="Other")
    full = make_session(title="Full", capacity=1)
    for n in range(2):
        rsvp_create(session=full, user=make_member(display_name=f"Person {n}"))
    session_record_attendance(session=session, actor=organizer, peak_listeners=42)
    client = Client()
    client.force_login(organizer)

    over = paragraphs(client.get(session.get_absolute_url()).content.decode())
    waiting = paragraphs(client.get(full.get_absolute_url()).content.decode())

    assert "No RSVPs. Attendance: 42." in over
    assert "1 going, 1 on the waitlist." in waiting


def test_a_meetup_names_its_venue_and_hashtag_each_in_a_sentence(make_session) -> None:
    session = make_session(kind="meetup", conference_tag="ASH30")

    found = paragraphs(Client().get(session.get_absolute_url()).content.decode())

    assert "Conference hashtag: #ASH30" in found
    assert not any(text.startswith("·") for text in found)


def test_a_season_page_gives_attendance_of_past_sessions_only(make_session, organizer) -> None:
    from hemonc.events.services import season_create

    today = timezone.localdate()
    season = season_create(
        actor=organizer,
        name="Season 9",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
    )
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        held = make_session(
            title="Held", season=season, starts_at=timezone.now() + timedelta(days=1)
        )
        rsvp_create(session=held, user=make_member(display_name="Pat"))
    make_session(title="Coming", season=season)
    session_record_attendance(session=held, actor=organizer, peak_listeners=42)

    page = Client().get(season.get_absolute_url()).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))

    assert text.count("Attendance:") == 1
    assert "Attendance: 42" in text
    # The season's name is the page's title, not repeated on each of its sessions.
    assert text.count("Season 9") == 2  # the page title and its heading
    held_page = paragraphs(Client().get(held.get_absolute_url()).content.decode())
    assert "<5 RSVP'd. Attendance: 42." in held_page
