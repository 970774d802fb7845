"""The organizers' pages: the session form (when first, its kind's fields only, what happened
last), hosts and guests picked by name, and the guests' list and forms."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hemonc.events.models import Guest, LiveSession
from hemonc.events.services import (
    checkin_create,
    guest_create,
    rsvp_create,
    rsvp_request,
    season_create,
)
from tests.factories import make_member

FORM = {
    "title": "Journal club night", "kind": "journal_club", "duration_minutes": "60",
    "starts_at_local": "2030-01-10T20:00", "time_zone": "America/New_York",
    "status": "scheduled",
}  # fmt: skip


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def as_organizer(organizer) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(organizer)
    return client


def test_the_session_form_asks_when_first_and_what_happened_last(as_organizer) -> None:
    page = as_organizer.get(reverse("events:session_create")).content.decode()

    order = [page.index(f'name="{name}"') for name in ("starts_at_local", "title", "hosts")]
    assert order == sorted(order)
    after = page.index('<details class="after-session" >')
    assert page.index('name="recording_url"') > after
    assert page.index('name="peak_listeners"') > after


def test_a_past_sessions_form_opens_what_happened(make_session, as_organizer) -> None:
    session = make_session(starts_at=(timezone.now() - timedelta(days=1)).replace(microsecond=0))

    page = as_organizer.get(reverse("events:session_edit", args=[session.pk])).content.decode()

    assert '<details class="after-session" open>' in page


def test_each_kind_shows_its_own_fields(as_organizer) -> None:
    page = as_organizer.get(reverse("events:session_create")).content.decode()

    assert '<div class="kind-only for-journal_club">' in page
    assert '<div class="kind-only for-chat">' in page
    assert page.count('<div class="kind-only for-meetup">') == 2
    assert '<input type="radio" name="kind" value="journal_club"' in page


def test_the_server_keeps_only_the_chosen_kinds_fields(as_organizer) -> None:
    response = as_organizer.post(
        reverse("events:session_create"),
        {**FORM, "paper": "10.1056/NEJMoa1", "hashtag": "stray", "venue": "Hall B",
         "conference_tag": "javascript:x\nstray"},
    )  # fmt: skip

    assert response.status_code == 302
    session = LiveSession.objects.get()
    assert (session.paper, session.hashtag, session.venue, session.conference_tag) == (
        "10.1056/NEJMoa1", "", "", ""
    )  # fmt: skip

    # A journal club turned into a chat keeps no paper, even a paper that is no link.
    as_organizer.post(
        reverse("events:session_edit", args=[session.pk]),
        {**FORM, "kind": "chat", "hashtag": "#hemetwitter", "paper": "javascript:alert(1)"},
    )
    session.refresh_from_db()
    assert (session.kind, session.paper, session.hashtag) == ("chat", "", "hemetwitter")


def test_hosts_and_guests_are_picked_by_name(as_organizer, make_session) -> None:
    host = make_member(display_name="Hana Host")
    speaker = make_member(display_name="Sam Speaker")
    session = make_session(hosts=[host])

    page = as_organizer.get(reverse("events:session_edit", args=[session.pk])).content.decode()
    assert "Hana Host" in page
    assert f'data-url="{reverse("members:pick")}"' in page
    assert f'data-url="{reverse("events:guest_pick")}"' in page
    assert "email" not in page.lower().split("who</legend>")[1].split("</fieldset>")[0]

    response = as_organizer.post(
        reverse("events:session_edit", args=[session.pk]),
        {**FORM, "hosts": [host.pk], "member_guests": [speaker.pk], "new_guests": "Dr. Outside"},
    )
    assert response.status_code == 302
    assert {g.name for g in session.guests.all()} == {"Sam Speaker", "Dr. Outside"}
    assert session.guests.get(name="Sam Speaker").member == speaker


def test_a_new_guest_name_too_long_is_refused_with_its_line(as_organizer, make_session) -> None:
    session = make_session()
    response = as_organizer.post(
        reverse("events:session_edit", args=[session.pk]),
        {**FORM, "new_guests": "Dr. Outside\n" + "x" * 121},
    )
    assert "Line 2: a guest&#x27;s name is at most 120 characters." in response.content.decode()
    assert not session.guests.exists()


def test_the_guest_picker_finds_guests_by_name_for_organizers_only(
    as_organizer, organizer, member
) -> None:
    guest_create(actor=organizer, name="Dr. Amara Okonkwo", title="Hematologist")
    guest_create(actor=organizer, name="Dr. Lucas Ferreira")
    url = reverse("events:guest_pick")

    found = as_organizer.get(url, {"q": "amara oko"}).json()["results"]

    assert [(g["label"], g["detail"]) for g in found] == [("Dr. Amara Okonkwo", "Hematologist")]
    assert as_organizer.get(url, {"q": ""}).json() == {"results": []}
    member_client = Client()
    member_client.force_login(member)
    assert member_client.get(url, {"q": "amara"}).status_code == 403


def test_organizers_list_create_and_edit_guests(as_organizer, organizer, make_session) -> None:
    speaker = make_member(display_name="Sam Speaker")
    known = guest_create(actor=organizer, name="Dr. Known")
    make_session(guests=[known])

    listed = as_organizer.get(reverse("events:guests")).content.decode()
    assert "Dr. Known" in listed
    assert "On 1 session." in _text(listed)

    response = as_organizer.post(
        reverse("events:guest_create"),
        {"name": "Dr. New", "title": "Fellow", "handle": "", "bio": "", "member": speaker.pk},
    )
    guest = Guest.objects.get(name="Dr. New")
    assert response.url == guest.get_absolute_url()
    assert guest.member == speaker
    assert "On no session yet. A member of the network." in _text(
        as_organizer.get(reverse("events:guests")).content.decode()
    )

    again = as_organizer.post(
        reverse("events:guest_create"), {"name": "Twice", "member": speaker.pk}
    )
    assert again.status_code == 200
    assert "This member is already a guest." in again.content.decode()

    as_organizer.post(
        reverse("events:guest_edit", args=[guest.pk]),
        {"name": "Dr. Renamed", "title": "Fellow", "handle": "", "bio": "", "member": ""},
    )
    guest.refresh_from_db()
    assert (guest.name, guest.member) == ("Dr. Renamed", None)


def test_organizers_see_who_is_coming_and_who_came(as_organizer, make_session, member) -> None:
    session = make_session(
        title="Roster night",
        capacity=1,
        starts_at=(timezone.now() + timedelta(minutes=5)).replace(microsecond=0),
    )
    rsvp_create(session=session, user=member)
    waiting = make_member(display_name="Wen Waiting")
    rsvp_create(session=session, user=waiting)
    rsvp_request(session=session, email="vi@example.org", name="Vi <b>Visitor</b>")
    checkin_create(session=session, user=member)

    page = _text(
        as_organizer.get(reverse("events:session_roster", args=[session.pk])).content.decode()
    )

    assert "Going (1) Ana Lopez" in page
    assert "On the waitlist (1) In order: the first gets the next free seat. Wen Waiting" in page
    assert "Vi &lt;b&gt;Visitor&lt;/b&gt; vi@example.org, by email" in page
    assert "Checked in (1) Ana Lopez at" in page
    member_client = Client()
    member_client.force_login(member)
    assert member_client.get(reverse("events:session_roster", args=[session.pk])).status_code == 403


@pytest.mark.parametrize("value", ["²³", "99999999999999999999", "0"])
def test_a_guest_form_with_a_member_that_is_no_id_says_so(as_organizer, value) -> None:
    response = as_organizer.post(reverse("events:guest_create"), {"name": "X", "member": value})

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Guest.objects.exists()


def test_a_new_session_from_a_season_page_starts_in_that_season(as_organizer, organizer) -> None:
    season = season_create(
        actor=organizer, name="Season 7", starts_on=date(2030, 1, 1), ends_on=date(2030, 6, 30)
    )
    season_page = as_organizer.get(season.get_absolute_url()).content.decode()
    link = f"{reverse('events:session_create')}?season={season.pk}"
    assert f'href="{link}"' in season_page

    form = as_organizer.get(link).content.decode()

    assert f'<option value="{season.pk}" selected>Season 7</option>' in form
    assert as_organizer.get(f"{reverse('events:session_create')}?season=²³").status_code == 200


def test_scheduling_says_how_many_sessions_it_added(as_organizer, organizer) -> None:
    season = season_create(
        actor=organizer, name="Short", starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 7)
    )
    form = {
        "first_date": "2030-01-01", "weekday": "3", "every_weeks": "2", "local_time": "20:00",
        "time_zone": "America/New_York", "title": "Live #{n}", "kind": "regular",
        "duration_minutes": "60",
    }  # fmt: skip
    url = reverse("events:season_schedule", args=[season.slug])

    first = as_organizer.post(url, form, follow=True).content.decode()
    again = as_organizer.post(url, form, follow=True).content.decode()

    assert "1 session added to the schedule." in first
    assert "No session added: every slot already has one." in again
