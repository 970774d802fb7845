"""Times in the reader's zone: the member's own, else the browser's (the `tz` cookie), with
the session's zone beside it only when it reads otherwise."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from hemonc.events.times import session_when, zone_abbreviation
from tests.factories import make_member

# Thursday 10 January 2030, 8 PM in New York: 01:00 UTC on the Friday.
STARTS = datetime(2030, 1, 11, 1, 0, tzinfo=UTC)
CHICAGO = "Thu 10 Jan 2030, 7:00 PM CST"
NEW_YORK_BESIDE = "8:00 PM EST (New York)"


@pytest.fixture
def session(make_session):  # type: ignore[no-untyped-def]
    return make_session(title="Myeloma night", starts_at=STARTS, time_zone="America/New_York")


def _text(html: str) -> str:
    """The page as read: tags dropped, spaces joined."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("&#x27;", "'")


def test_a_visitor_whose_browser_is_in_chicago_reads_chicago_time_first(session) -> None:
    client = Client()
    # As site.js stores it: URL-encoded.
    client.cookies["tz"] = "America%2FChicago"

    for url in (reverse("events:upcoming"), session.get_absolute_url()):
        page = client.get(url).content.decode()
        assert f"{CHICAGO} · {NEW_YORK_BESIDE}" in _text(page), url
        # Known zone: nothing for the browser to rewrite.
        assert "data-local" not in page


def test_a_reader_in_the_sessions_zone_reads_it_once(session) -> None:
    client = Client()
    client.cookies["tz"] = "America%2FNew_York"

    page = _text(client.get(session.get_absolute_url()).content.decode())

    assert "Thu 10 Jan 2030, 8:00 PM EST · 60 minutes" in page
    assert "(New York)" not in page


def test_a_member_reads_their_own_zone_whatever_the_browser_says(session) -> None:
    client = Client()
    client.force_login(make_member(display_name="Kenji", time_zone="Asia/Tokyo"))
    client.cookies["tz"] = "America%2FChicago"

    page = _text(client.get(session.get_absolute_url()).content.decode())

    assert "Fri 11 Jan 2030, 10:00 AM JST · Thu 8:00 PM EST (New York)" in page


@pytest.mark.parametrize("cookie", ["Mars%2FOlympus", "../../etc/passwd", "x" * 400, "%ZZ"])
def test_a_cookie_that_is_no_zone_is_ignored(session, cookie) -> None:
    client = Client()
    client.cookies["tz"] = cookie

    response = client.get(session.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    # The server's zone, marked for events/local-time.js to rewrite in the browser's.
    assert "Fri 11 Jan 2030, 1:00 AM UTC · Thu 8:00 PM EST (New York)" in _text(page)
    assert '<time datetime="2030-01-11T01:00:00Z" data-local="long">' in page


def test_every_time_shown_is_a_time_element_in_utc(session) -> None:
    client = Client()
    client.cookies["tz"] = "Asia%2FTokyo"
    urls = [
        reverse("events:upcoming"),
        reverse("events:month", args=[2030, 1]),
        session.get_absolute_url(),
        reverse("events:check_in", args=[session.pk]),
    ]
    for url in urls:
        page = client.get(url).content.decode()
        assert '<time datetime="2030-01-11T01:00:00Z">' in page, url


def test_the_session_pages_load_the_script_that_rewrites_first_visits(session) -> None:
    page = Client().get(session.get_absolute_url()).content.decode()

    assert re.search(r'<script src="[^"]*events/local-time\.js" defer>', page)
    assert "<script>" not in page  # CSP: no inline script


def test_zones_without_letters_read_as_offsets() -> None:
    moment = datetime(2030, 1, 11, 1, 0, tzinfo=UTC)
    assert zone_abbreviation(moment.astimezone(ZoneInfo("Asia/Kathmandu"))) == "UTC+5:45"
    assert zone_abbreviation(moment.astimezone(ZoneInfo("America/Sao_Paulo"))) == "UTC-3"
    assert zone_abbreviation(moment.astimezone(ZoneInfo("Asia/Dubai"))) == "UTC+4"


def test_a_session_in_utc_is_not_named_after_a_place() -> None:
    when = session_when(STARTS, reader=ZoneInfo("Europe/Paris"), session_zone="UTC")

    assert (when.local, when.session) == ("Fri 11 Jan 2030, 2:00 AM CET", "1:00 AM UTC")
