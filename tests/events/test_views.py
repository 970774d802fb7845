"""The session pages as visitors, members and organizers use them."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from PIL import Image

from hemonc.core.errors import DomainError
from hemonc.core.models import AuditEntry
from hemonc.events.enums import RsvpStatus, SessionStatus
from hemonc.events.models import Guest, LiveSession, Question, Rsvp, Season
from hemonc.events.services import (
    calendar_feed_get_or_create,
    checkin_create,
    question_create,
    rsvp_cancel_by_link,
    rsvp_create,
    rsvp_request,
    season_create,
    session_update,
)
from hemonc.events.tokens import confirm_token, manage_token
from hemonc.members.models import User
from hemonc.members.services import block_create
from tests.factories import make_member


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_upcoming_page_shows_times_in_the_viewer_and_organizer_zones(make_session, client) -> None:
    make_session(
        title="Pre-ASCO special",
        starts_at=datetime(2030, 1, 11, 1, 0, tzinfo=UTC),
        time_zone="America/New_York",
    )
    client.cookies["tz"] = "Europe%2FParis"  # as site.js writes it

    page = client.get(reverse("events:upcoming")).content.decode()

    assert "Pre-ASCO special" in page
    assert "AM CET</time>" in page
    assert "PM EST (New York)</span>" in page


def test_home_lists_the_next_sessions(make_session, client) -> None:
    make_session(title="Coming soon")

    assert "Coming soon" in client.get("/").content.decode()


def test_member_rsvps_with_one_click_and_sees_the_join_link(
    make_session, member, committed
) -> None:
    session = make_session(join_url="https://x.com/i/spaces/secret", join_url_for_rsvps_only=True)
    client = _client(member)
    assert "spaces/secret" not in client.get(session.get_absolute_url()).content.decode()

    with committed():
        response = client.post(reverse("events:rsvp", args=[session.pk]), follow=True)

    page = response.content.decode()
    assert "You&#x27;re going." in page
    assert "https://x.com/i/spaces/secret" in page


def test_session_ics_download_parses(make_session, client) -> None:
    session = make_session(title="Journal club", join_url="https://zoom.example/j/9")

    response = client.get(reverse("events:session_ics", args=[session.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["method"]) == "PUBLISH"
    assert str(event["summary"]) == "Journal club"
    assert str(event["uid"]) == session.ical_uid


def test_public_feed_lists_every_session_and_follows_changes(
    make_session, client, organizer
) -> None:
    make_session(title="First")
    second = make_session(title="Second")
    first_feed = Calendar.from_ical(client.get(reverse("events:feed")).content)
    LiveSession.objects.filter(pk=second.pk).update(
        title="Second, renamed", updated_at=timezone.now()
    )

    feed = Calendar.from_ical(client.get(reverse("events:feed")).content)

    assert len(first_feed.walk("VEVENT")) == 2
    assert sorted(str(e["summary"]) for e in feed.walk("VEVENT")) == ["First", "Second, renamed"]


def test_private_feed_lists_my_sessions_until_revoked(make_session, member, client) -> None:
    mine, other = make_session(title="Mine"), make_session(title="Not mine")
    rsvp_create(session=mine, user=member)
    feed = calendar_feed_get_or_create(user=member)
    url = reverse("events:member_feed", args=[feed.token])

    events = Calendar.from_ical(client.get(url).content).walk("VEVENT")
    _client(member).post(reverse("events:my_feed"))

    assert [str(e["summary"]) for e in events] == ["Mine"]
    assert client.get(url).status_code == 404
    assert other.title == "Not mine"


def test_visitor_rsvps_by_email_and_confirms_by_link(
    make_session, client, mailbox, committed
) -> None:
    session = make_session()
    with committed():
        page = client.post(
            reverse("events:rsvp_visitor", args=[session.pk]),
            {"email": "guest@example.org", "name": "Gia"},
        ).content.decode()
    assert "Check your mail" in page
    (message,) = mailbox.wait_for(1)
    link = re.search(
        r"https?://\S+/sessions/rsvp/confirm/\S+",
        message.get_body(preferencelist=("plain",)).get_content(),
    ).group(0)  # type: ignore[union-attr]
    path = link.split("://", 1)[1].split("/", 1)[1]

    assert "Confirm my RSVP" in client.get(f"/{path}").content.decode()
    with committed():
        client.post(f"/{path}")

    assert Rsvp.objects.get(email="guest@example.org").status == RsvpStatus.GOING
    assert mailbox.wait_for(2)[-1]["Subject"].startswith("You're going")


def test_visitor_rsvp_with_a_bad_address_shows_the_error(make_session, client) -> None:
    session = make_session()

    response = client.post(reverse("events:rsvp_visitor", args=[session.pk]), {"email": "nope"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()


def test_expired_or_forged_confirmation_link_is_refused(client) -> None:
    response = client.get(reverse("events:rsvp_confirm", args=["forged:token"]))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_one_click_cancel_link_needs_no_session_or_csrf(
    make_session, member, mailbox, committed
) -> None:
    session = make_session()
    with committed():
        rsvp_create(session=session, user=member)
    (message,) = mailbox.wait_for(1)
    url = message["List-Unsubscribe"].strip("<>").split("://", 1)[1].split("/", 1)[1]

    response = Client(enforce_csrf_checks=True).post(f"/{url}", {"List-Unsubscribe": "One-Click"})

    assert "Your RSVP is cancelled" in response.content.decode()
    assert Rsvp.objects.get().status == RsvpStatus.CANCELLED


def test_member_asks_and_host_marks_answered(make_session, member, other_member) -> None:
    session = make_session()
    session.hosts.set([other_member])

    _client(member).post(
        reverse("events:questions", args=[session.pk]), {"text": "How do you pick a mentor?"}
    )
    question = Question.objects.get()
    response = _client(other_member).post(
        reverse("events:question_moderate", args=[question.pk, "answer"]),
        headers={"HX-Request": "true"},
    )

    assert "How do you pick a mentor?" in response.content.decode()
    assert "Answered" in response.content.decode()
    assert (
        _client(member)
        .post(reverse("events:question_moderate", args=[question.pk, "hide"]))
        .status_code
        == 403
    )


def test_empty_question_shows_an_error(make_session, member) -> None:
    session = make_session()

    response = _client(member).post(
        reverse("events:questions", args=[session.pk]), {"text": ""}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_polling_returns_the_list_without_blocked_authors(
    make_session, member, other_member, client
) -> None:
    session = make_session()
    question_create(session=session, author=member, text="Visible to visitors?")
    block_create(blocker=other_member, blocked=member)

    anonymous = client.get(
        reverse("events:questions", args=[session.pk]), headers={"HX-Request": "true"}
    )
    blocked = _client(other_member).get(
        reverse("events:questions", args=[session.pk]), headers={"HX-Request": "true"}
    )

    assert "Visible to visitors?" in anonymous.content.decode()
    assert "Visible to visitors?" not in blocked.content.decode()


def test_short_check_in_link_and_attendee_export(make_session, member, organizer) -> None:
    session = make_session(starts_at=timezone.now() + timedelta(minutes=5))
    client = _client(member)

    page = client.get(reverse("events:check_in_short", args=[session.check_in_code]), follow=True)
    client.post(reverse("events:check_in", args=[session.pk]))
    export = _client(organizer).get(reverse("events:attendees_csv", args=[session.pk]))

    assert "I'm here" in page.content.decode()
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["checked_in_at", "name", "email", "rsvp"]
    assert rows[1][1:] == ["Ana Lopez", member.email, "no"]
    assert client.get(reverse("events:attendees_csv", args=[session.pk])).status_code == 403
    assert (
        _client(organizer)
        .get(reverse("events:check_in_qr", args=[session.pk]))
        .content.startswith(b"<svg")
    )


def test_small_attendance_shows_under_five_to_members_only(make_session, member, organizer) -> None:
    session = make_session(starts_at=timezone.now() - timedelta(minutes=10))
    checkin_create(session=session, user=member)

    for_member = _client(member).get(session.get_absolute_url()).content.decode()
    for_organizer = _client(organizer).get(session.get_absolute_url()).content.decode()

    assert "Attendance: &lt;5." in for_member
    assert "Attendance: 1." in for_organizer


def test_organizer_creates_a_season_schedules_and_edits_a_session(
    organizer, member, committed
) -> None:
    client = _client(organizer)
    client.post(
        reverse("events:season_create"),
        {
            "name": "Season 3",
            "starts_on": "2027-01-01",
            "ends_on": "2027-02-28",
            "time_zone": "America/New_York",
        },
    )
    season = Season.objects.get(name="Season 3")
    client.post(
        reverse("events:season_schedule", args=[season.slug]),
        {
            "first_date": "2027-01-01", "weekday": "3", "every_weeks": "2", "local_time": "20:00",
            "time_zone": "America/New_York", "skip_dates": "2027-01-21", "title": "S3 #{n}",
            "kind": "regular", "duration_minutes": "60",
        },
    )  # fmt: skip
    session = season.sessions.order_by("starts_at").first()
    assert season.sessions.count() == 3

    response = client.post(
        reverse("events:session_edit", args=[session.pk]),
        {
            "title": "S3 opener", "season": season.pk, "kind": "special", "duration_minutes": "90",
            "starts_at_local": "2027-01-07T19:30", "time_zone": "America/New_York",
            "status": "scheduled", "hosts": [member.pk], "new_guests": "Dr. Outside Guest",
        },
        follow=True,
    )  # fmt: skip

    assert "The session is saved." in response.content.decode()
    session.refresh_from_db()
    assert session.starts_at.astimezone(ZoneInfo("America/New_York")).hour == 19
    assert session.sequence == 1
    assert list(session.hosts.all()) == [member]
    assert [g.name for g in session.guests.all()] == ["Dr. Outside Guest"]
    assert (
        "Dr. Outside Guest" in client.get(session.guests.get().get_absolute_url()).content.decode()
    )


def test_session_form_with_an_unknown_host_shows_the_error(organizer) -> None:
    response = _client(organizer).post(
        reverse("events:session_create"),
        {"title": "X", "kind": "regular", "duration_minutes": "60", "starts_at_local": "2027-01-07T19:30",
         "time_zone": "UTC", "status": "scheduled", "hosts": ["999999"]},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Select a valid choice. 999999 is not one of the available choices." in (
        response.content.decode()
    )
    assert not LiveSession.objects.exists()


def test_members_cannot_open_the_organizer_forms(member) -> None:
    assert _client(member).get(reverse("events:session_create")).status_code == 403


def test_season_page_shows_its_statistics(organizer, make_session, client) -> None:
    client_org = _client(organizer)
    client_org.post(
        reverse("events:season_create"),
        {
            "name": "Season 1",
            "starts_on": "2021-07-01",
            "ends_on": "2022-06-30",
            "time_zone": "UTC",
        },
    )
    season = Season.objects.get()
    make_session(title="Held", season=season, starts_at=timezone.now() - timedelta(days=2), peak_listeners=49,
                 status=SessionStatus.ENDED)  # fmt: skip

    page = client.get(season.get_absolute_url()).content.decode()

    assert "Sessions held" in page
    assert "Held</a> — 49" in page


def test_month_and_past_pages_render(make_session, client) -> None:
    session = make_session(title="This month", starts_at=timezone.now() + timedelta(hours=2))
    make_session(
        title="Archived",
        starts_at=timezone.now() - timedelta(days=3),
        recording_url="https://x.com/rec",
    )

    month = client.get(
        reverse("events:month", args=[session.starts_at.year, session.starts_at.month])
    )
    past = client.get(reverse("events:past"))

    assert "This month" in month.content.decode()
    assert (
        'Listen to the recording<span class="visually-hidden"> of “Archived”</span>'
        in past.content.decode()
    )
    assert client.get(reverse("events:month", args=[2026, 13])).status_code == 404


def test_attendees_csv_starts_with_a_bom_and_quotes_cells_that_would_run_as_formulas(
    make_session, organizer
) -> None:
    session = make_session(starts_at=timezone.now() - timedelta(minutes=10))
    formula = make_member(display_name='=HYPERLINK("https://evil.example","Zoë")')
    formula.email = "=1+1@example.org"
    formula.save(update_fields=["email"])
    checkin_create(session=session, user=formula)

    export = _client(organizer).get(reverse("events:attendees_csv", args=[session.pk]))

    assert export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["checked_in_at", "name", "email", "rsvp"]
    assert rows[1][1:3] == ['\'=HYPERLINK("https://evil.example","Zoë")', "'=1+1@example.org"]


def test_questions_per_member_are_limited_with_a_clear_message(
    make_session, member, other_member
) -> None:
    session = make_session()
    url = reverse("events:questions", args=[session.pk])
    asker = _client(member)
    with time_machine.travel(timezone.now(), tick=False):  # within one window of the limit
        statuses = [
            asker.post(url, {"text": f"Question {n}?"}, headers={"HX-Request": "true"}).status_code
            for n in range(30)
        ]
        refused = asker.post(url, {"text": "One more?"}, headers={"HX-Request": "true"})
        someone_else = _client(other_member).post(url, {"text": "May I ask too?"})

    assert statuses[:3] == [200, 200, 200]
    assert set(statuses[3:]) == {429}
    assert refused.status_code == 429
    assert "You asked 3 questions in the last minute" in refused.content.decode()
    assert someone_else.status_code == 302
    assert Question.objects.filter(author=member).count() == 3
    assert Question.objects.filter(author=other_member).count() == 1


def test_a_host_and_asker_without_a_display_name_are_not_shown_by_email(
    make_session, client
) -> None:
    root = User.objects.create_superuser("root-admin@example.org", "a-long-root-passphrase")
    session = make_session()
    session.hosts.set([root])
    question_create(session=session, author=root, text="Any questions for our guest?")

    page = client.get(session.get_absolute_url()).content.decode()
    questions = client.get(
        reverse("events:questions", args=[session.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    assert "Any questions for our guest?" in questions
    for html in (page, questions):
        assert "root-admin" not in html
    assert f"Member #{root.pk}" in page


def test_a_small_group_is_not_revealed_by_the_seats_left(
    make_session, member, other_member, organizer, client
) -> None:
    session = make_session(capacity=10)
    rsvp_create(session=session, user=other_member)

    for html in (
        client.get(session.get_absolute_url()).content.decode(),
        _client(member).get(session.get_absolute_url()).content.decode(),
    ):
        assert "&lt;5 going" in html
        assert "9 of 10" not in html
        assert "More than 5 of 10 seats left." in html
    for_organizer = _client(organizer).get(session.get_absolute_url()).content.decode()
    assert "1 going" in for_organizer and "9 of 10 seats left." in for_organizer


def test_seats_left_are_exact_once_the_group_is_not_small(make_session, client) -> None:
    session = make_session(capacity=10)
    for n in range(6):
        rsvp_create(session=session, user=make_member(display_name=f"Guest {n}"))

    html = client.get(session.get_absolute_url()).content.decode()
    assert "6 going" in html and "4 of 10 seats left." in html


def test_a_papers_link_is_http_or_https_only(organizer, make_session, client) -> None:
    form = {"title": "Journal club", "kind": "journal_club", "duration_minutes": "60",
            "starts_at_local": "2027-01-07T19:30", "time_zone": "UTC", "status": "scheduled"}  # fmt: skip
    refused = _client(organizer).post(
        reverse("events:session_create"), {**form, "paper": "javascript:alert(document.cookie)"}
    )
    kept = _client(organizer).post(
        reverse("events:session_create"),
        {**form, "title": "Journal club 2", "paper": "https://www.nejm.org/doi/full/10.1056/x"},
    )
    assert refused.status_code == 200
    assert "the paper&#x27;s DOI" in refused.content.decode()
    assert not LiveSession.objects.filter(title="Journal club").exists()
    assert kept.status_code == 302

    session = make_session(kind="journal_club", paper="10.1056/NEJMoa1234567")
    with pytest.raises(DomainError, match="DOI"):
        session_update(session=session, actor=organizer, paper="JAVASCRIPT:alert(1)")
    # A value stored before the rule (or by hand) is shown as text, never as a link.
    LiveSession.objects.filter(pk=session.pk).update(paper="javascript:alert(1)")
    html = client.get(session.get_absolute_url()).content.decode()
    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html


def test_question_fragments_are_the_list_for_a_poll_and_the_board_after_asking(
    make_session, member, organizer
) -> None:
    session = make_session(starts_at=timezone.now() + timedelta(minutes=5))
    question = question_create(session=session, author=member, text="What about MRD?")
    url = reverse("events:questions", args=[session.pk])

    poll = _client(member).get(url, headers={"HX-Request": "true"}).content.decode()
    asked = _client(member).post(url, {"text": "And CAR-T?"}, headers={"HX-Request": "true"})
    moderated = _client(organizer).post(
        reverse("events:question_moderate", args=[question.pk, "pin"]),
        headers={"HX-Request": "true"},
    )

    assert poll.lstrip().startswith('<div id="question-list"')
    assert "What about MRD?" in poll and "<html" not in poll
    assert 'data-hx-trigger="every 5s"' in poll
    board = asked.content.decode()
    assert board.lstrip().startswith('<div id="question-board"')
    assert "And CAR-T?" in board and "<html" not in board
    pinned = moderated.content.decode()
    assert pinned.lstrip().startswith('<div id="question-list"')
    assert "Pinned" in pinned and "Unpin" in pinned


def test_guest_edit_saves_through_the_service_and_is_for_organizers_only(organizer, member) -> None:
    guest = Guest.objects.create(name="Dr. Guest")
    url = reverse("events:guest_edit", args=[guest.pk])
    data = {"name": "Dr. Guest\nAttending", "title": "Hematologist", "handle": "", "bio": "Hi."}

    refused = _client(member).post(url, data)
    page = _client(organizer).get(reverse("events:guest", args=[guest.pk])).content.decode()
    saved = _client(organizer).post(url, data)

    assert refused.status_code == 403
    assert url in page
    assert saved.status_code == 302
    guest.refresh_from_db()
    assert (guest.name, guest.title, guest.bio) == ("Dr. Guest Attending", "Hematologist", "Hi.")
    entry = AuditEntry.objects.get(action="guest.update")
    assert entry.actor == organizer
    assert entry.changes == {"fields": ["bio", "name", "title"]}


def test_my_calendar_page_shows_the_private_feed_address(member) -> None:
    page = _client(member).get(reverse("events:my_feed")).content.decode()

    feed = member.calendar_feed
    assert f"http://testserver{reverse('events:member_feed', args=[feed.token])}" in page


def test_public_feed_without_sessions_is_an_empty_calendar_served_again_from_cache(
    db, client
) -> None:
    empty = client.get(reverse("events:feed"))
    again = client.get(reverse("events:feed"))

    assert Calendar.from_ical(empty.content).walk("VEVENT") == []
    assert "Last-Modified" not in empty
    assert again.content == empty.content


def test_rsvp_to_a_cancelled_session_shows_the_refusal(make_session, member, organizer) -> None:
    session = make_session()
    _client(organizer).post(reverse("events:session_cancel", args=[session.pk]))

    page = _client(member).post(reverse("events:rsvp", args=[session.pk]), follow=True)

    assert "This session is cancelled." in page.content.decode()
    assert not Rsvp.objects.filter(user=member).exists()


def test_rsvp_to_a_full_session_puts_the_member_on_the_waitlist(
    make_session, member, other_member
) -> None:
    session = make_session(capacity=1)
    rsvp_create(session=session, user=other_member)

    page = _client(member).post(reverse("events:rsvp", args=[session.pk]), follow=True)

    assert "The session is full: you&#x27;re on the waitlist." in page.content.decode()
    assert Rsvp.objects.get(user=member).status == RsvpStatus.WAITLISTED


def test_member_cancels_their_rsvp_from_the_session_page(make_session, member) -> None:
    session = make_session()
    rsvp_create(session=session, user=member)
    client = _client(member)

    cancelled = client.post(reverse("events:rsvp_cancel", args=[session.pk]), follow=True)
    Rsvp.objects.filter(user=member).delete()
    nothing = client.post(reverse("events:rsvp_cancel", args=[session.pk]), follow=True)

    assert "Your RSVP is cancelled." in cancelled.content.decode()
    assert "Your RSVP is cancelled." not in nothing.content.decode()
    assert nothing.redirect_chain == [(session.get_absolute_url(), 302)]


def test_visitor_rsvp_to_a_session_that_is_over_is_refused(make_session, client) -> None:
    session = make_session(starts_at=timezone.now() - timedelta(days=2))

    page = client.post(
        reverse("events:rsvp_visitor", args=[session.pk]),
        {"email": "late@example.org", "name": "Late"},
        follow=True,
    )

    assert "This session is over." in page.content.decode()
    assert not Rsvp.objects.exists()


def test_confirming_a_cancelled_visitor_rsvp_asks_to_rsvp_again(make_session, client) -> None:
    session = make_session()
    rsvp = rsvp_request(session=session, email="gia@example.org", name="Gia")
    token = confirm_token(rsvp_id=rsvp.pk, email="gia@example.org")
    rsvp_cancel_by_link(rsvp_id=rsvp.pk)

    page = client.post(reverse("events:rsvp_confirm", args=[token]), follow=True)

    assert "This RSVP was cancelled. RSVP again from the session page." in page.content.decode()
    assert Rsvp.objects.get().status == RsvpStatus.CANCELLED


def test_visitor_confirming_for_a_full_session_is_waitlisted(make_session, client, member) -> None:
    session = make_session(capacity=1)
    rsvp = rsvp_request(session=session, email="gia@example.org")
    rsvp_create(session=session, user=member)

    page = client.post(
        reverse("events:rsvp_confirm", args=[confirm_token(rsvp_id=rsvp.pk, email=rsvp.email)]),
        follow=True,
    )

    assert "the session is full, so you&#x27;re on the waitlist." in page.content.decode()
    rsvp.refresh_from_db()
    assert rsvp.status == RsvpStatus.WAITLISTED


def test_cancel_link_asks_before_cancelling_and_a_forged_one_is_refused(
    make_session, member, client
) -> None:
    session = make_session(title="Lymphoma board")
    rsvp = rsvp_create(session=session, user=member)

    asked = client.get(reverse("events:rsvp_cancel_by_token", args=[manage_token(rsvp_id=rsvp.pk)]))
    forged = client.get(reverse("events:rsvp_cancel_by_token", args=["forged"]))

    assert asked.status_code == 200
    assert "Lymphoma board" in asked.content.decode()
    assert Rsvp.objects.get().status == RsvpStatus.GOING
    assert forged.status_code == 400
    assert "This link is not valid" in forged.content.decode()


def test_visitor_asking_a_question_is_sent_to_sign_in(make_session, client) -> None:
    session = make_session()

    response = client.post(reverse("events:questions", args=[session.pk]), {"text": "Hello?"})

    assert response.status_code == 302
    assert response["Location"] == (f"{reverse('account_login')}?next={session.get_absolute_url()}")
    assert not Question.objects.exists()


def test_question_without_htmx_shows_the_session_page_with_the_error_or_goes_back(
    make_session, member
) -> None:
    session = make_session(title="Leukemia update")
    url = reverse("events:questions", args=[session.pk])

    refused = _client(member).post(url, {"text": ""})
    listed = _client(member).get(url)

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Leukemia update" in page and "This field is required." in page
    assert listed.status_code == 302
    assert listed["Location"] == f"{session.get_absolute_url()}#questions"


def test_member_votes_for_a_question_and_not_for_a_hidden_one(
    make_session, member, other_member, organizer
) -> None:
    session = make_session()
    question = question_create(session=session, author=other_member, text="Which regimen?")
    client = _client(member)

    voted = client.post(reverse("events:question_vote", args=[question.pk]))
    _client(organizer).post(reverse("events:question_moderate", args=[question.pk, "hide"]))
    refused = client.post(reverse("events:question_vote", args=[question.pk]), follow=True)

    assert voted["Location"] == f"{session.get_absolute_url()}#questions"
    assert question.votes.filter(user=member).exists()
    assert "This question is hidden." in refused.content.decode()
    assert question.votes.filter(user=member).exists()


def test_an_unknown_moderation_action_is_forbidden(make_session, member, organizer) -> None:
    session = make_session()
    question = question_create(session=session, author=member, text="Still here?")

    response = _client(organizer).post(
        reverse("events:question_moderate", args=[question.pk, "delete"])
    )

    assert response.status_code == 403
    assert Question.objects.filter(pk=question.pk, is_hidden=False).exists()


def test_check_in_needs_a_sign_in_and_an_open_check_in(make_session, member, client) -> None:
    session = make_session(starts_at=timezone.now() + timedelta(days=3))
    url = reverse("events:check_in", args=[session.pk])

    visitor = client.post(url)
    early = _client(member).post(url, follow=True)

    assert visitor["Location"] == f"{reverse('account_login')}?next={url}"
    assert "Check-in opens 15 minutes before the session starts." in early.content.decode()
    assert not session.check_ins.exists()


def test_organizer_records_the_peak_listeners_and_a_bad_count_is_refused(
    make_session, organizer
) -> None:
    session = make_session(starts_at=timezone.now() - timedelta(days=1))
    url = reverse("events:attendance", args=[session.pk])
    client = _client(organizer)

    recorded = client.post(url, {"peak_listeners": "42"}, follow=True)
    refused = client.post(url, {"peak_listeners": "-3"}, follow=True)

    assert "Attendance recorded." in recorded.content.decode()
    assert "The peak listener count is a whole number." in refused.content.decode()
    session.refresh_from_db()
    assert session.peak_listeners == 42


def test_a_guest_who_is_a_member_that_blocked_the_viewer_is_not_found(member, other_member) -> None:
    guest = Guest.objects.create(name="Dr. Other", member=other_member)
    block_create(blocker=other_member, blocked=member)

    assert _client(member).get(reverse("events:guest", args=[guest.pk])).status_code == 404
    assert Client().get(reverse("events:guest", args=[guest.pk])).status_code == 200


def test_guest_photo_is_uploaded_and_cleared(organizer, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    guest = Guest.objects.create(name="Dr. Photo")
    url = reverse("events:guest_edit", args=[guest.pk])
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (20, 90, 160)).save(buffer, format="PNG")
    data = {"name": "Dr. Photo", "title": "", "handle": "", "bio": ""}
    client = _client(organizer)

    form = client.get(url).content.decode()
    client.post(url, {**data, "photo": SimpleUploadedFile("me.png", buffer.getvalue())})
    guest.refresh_from_db()
    uploaded = guest.photo.name
    client.post(url, {**data, "photo-clear": "on"})
    guest.refresh_from_db()

    assert 'name="photo"' in form
    assert uploaded.startswith("guests/") and (tmp_path / uploaded).exists()
    assert guest.photo.name == ""


def test_season_list_shows_the_seasons(organizer, client) -> None:
    season_create(
        actor=organizer, name="Season 4", starts_on=date(2027, 7, 1), ends_on=date(2028, 6, 30)
    )

    page = client.get(reverse("events:seasons")).content.decode()

    assert "Season 4" in page


def test_organizer_edits_a_season_and_a_taken_name_is_refused(organizer) -> None:
    fields = {"starts_on": date(2027, 1, 1), "ends_on": date(2027, 6, 30), "time_zone": "UTC"}
    first = season_create(actor=organizer, name="Winter", **fields)
    season_create(actor=organizer, name="Spring", **fields)
    client = _client(organizer)
    form = {"starts_on": "2027-01-01", "ends_on": "2027-06-30", "time_zone": "UTC"}

    renamed = client.post(
        reverse("events:season_edit", args=[first.slug]), {**form, "name": "Winter 2027"}
    )
    taken = client.post(reverse("events:season_create"), {**form, "name": "spring"})

    first.refresh_from_db()
    assert renamed.status_code == 302
    assert first.name == "Winter 2027"
    assert taken.status_code == 200
    assert "There is already a season called &#x27;spring&#x27;." in taken.content.decode()
    assert Season.objects.count() == 2


def test_schedule_form_starts_from_the_season(organizer) -> None:
    season = season_create(
        actor=organizer, name="Autumn", starts_on=date(2027, 9, 1), ends_on=date(2027, 12, 1),
        time_zone="Europe/Paris",
    )  # fmt: skip

    page = _client(organizer).get(reverse("events:season_schedule", args=[season.slug]))

    html = page.content.decode()
    assert 'value="2027-09-01"' in html
    assert '<option value="Europe/Paris" selected>' in html


def test_session_edit_with_an_unknown_guest_address_keeps_the_session(
    make_session, organizer
) -> None:
    session = make_session(title="Kept")

    response = _client(organizer).post(
        reverse("events:session_edit", args=[session.pk]),
        {"title": "Changed", "kind": "regular", "duration_minutes": "60",
         "starts_at_local": "2027-01-07T19:30", "time_zone": "UTC", "status": "scheduled",
         "new_guests": "nobody@example.org"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "no member has the address nobody@example.org" in response.content.decode()
    session.refresh_from_db()
    assert session.title == "Kept"


def test_organizer_cancels_a_session_and_members_cannot(make_session, organizer, member) -> None:
    session = make_session()
    url = reverse("events:session_cancel", args=[session.pk])

    refused = _client(member).post(url)
    cancelled = _client(organizer).post(url, follow=True)

    assert refused.status_code == 403
    assert "The session is cancelled; everyone who RSVP&#x27;d is told by mail." in (
        cancelled.content.decode()
    )
    session.refresh_from_db()
    assert session.is_cancelled


def test_a_paper_given_as_doi_links_to_doi_org(make_session, client) -> None:
    session = make_session(kind="journal_club", paper="doi: 10.1056/NEJMoa2024850")

    page = client.get(session.get_absolute_url()).content.decode()

    assert '<a href="https://doi.org/10.1056/NEJMoa2024850" rel="noopener">' in page


def test_season_form_refuses_a_last_day_before_the_first(organizer) -> None:
    response = _client(organizer).post(
        reverse("events:season_create"),
        {"name": "Backwards", "starts_on": "2027-06-01", "ends_on": "2027-01-01",
         "time_zone": "UTC"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "The last day comes on or after the first day." in response.content.decode()
    assert not Season.objects.exists()


def test_schedule_form_refuses_a_skip_date_that_is_not_a_date(organizer) -> None:
    season = season_create(
        actor=organizer, name="Autumn", starts_on=date(2027, 9, 1), ends_on=date(2027, 12, 1)
    )

    response = _client(organizer).post(
        reverse("events:season_schedule", args=[season.slug]),
        {"first_date": "2027-09-01", "weekday": "3", "every_weeks": "2", "local_time": "20:00",
         "time_zone": "UTC", "skip_dates": "2027-10-07, Thanksgiving", "title": "S #{n}",
         "kind": "regular", "duration_minutes": "60"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "&#x27;Thanksgiving&#x27; is not a date like 2026-12-24." in response.content.decode()
    assert not season.sessions.exists()
