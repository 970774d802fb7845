"""Live sessions in Chromium: a visitor RSVPs and confirms by mail; a member RSVPs, downloads
the .ics and asks a question; the host marks it answered. axe-core checks every page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from hemonc.events.enums import RsvpStatus
from hemonc.events.models import Rsvp
from hemonc.events.services import season_create, session_create
from hemonc.members.enums import Role
from tests.e2e.conftest import SignIn, snapshot
from tests.factories import make_member
from tests.smtp import Mailbox

QUESTION = "How did you find a research mentor in your first year?"


def test_rsvp_by_mail_rsvp_in_one_click_ics_questions_and_answers(
    live_server, page: Page, sign_in: SignIn, mailbox: Mailbox, screenshot_dir: Path, settings
) -> None:
    settings.SITE_URL = live_server.url  # links in mails point at the site's address
    organizer = make_member(
        display_name="Olu Organizer", role=Role.ORGANIZER, time_zone="America/New_York"
    )
    host = make_member(display_name="Hana Host")
    member = make_member(display_name="Ana Lopez", time_zone="Europe/Lisbon")
    season = season_create(
        actor=organizer, name="Season 2", starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() + timedelta(days=200), time_zone="America/New_York",
    )  # fmt: skip
    session = session_create(
        actor=organizer, season=season, title="Pre-ASH special: planning your meeting",
        starts_at=(timezone.now() + timedelta(minutes=10)).replace(second=0, microsecond=0),
        description="What to see at **ASH**, with two guests.", time_zone="America/New_York",
        join_url="https://zoom.demo.hemonc.example/j/42", join_url_for_rsvps_only=True,
        capacity=50, hosts=[host],
    )  # fmt: skip
    url = f"{live_server.url}{session.get_absolute_url()}"

    # A visitor RSVPs with an email address and confirms by the link in the mail.
    page.goto(f"{live_server.url}/sessions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Live sessions")
    snapshot(page, screenshot_dir, "sessions-upcoming")
    page.get_by_role("link", name=session.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(session.title)
    expect(page.get_by_text("The join link shows here once you RSVP.")).to_be_visible()
    snapshot(page, screenshot_dir, "session-visitor")
    page.get_by_label("Your email").fill("visitor@example.org")
    page.get_by_label("Your name (optional)").fill("Vera Visitor")
    page.get_by_role("button", name="RSVP by email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your mail")
    (confirm_mail,) = mailbox.wait_for(1)
    text = confirm_mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/sessions/rsvp/confirm/\S+/", text).group(0)  # type: ignore[union-attr]
    page.goto(link)
    snapshot(page, screenshot_dir, "rsvp-confirm")
    page.get_by_role("button", name="Confirm my RSVP").click()
    expect(page.get_by_text("Confirmed: you're going.")).to_be_visible()
    assert Rsvp.objects.get(email="visitor@example.org").status == RsvpStatus.GOING
    assert mailbox.wait_for(2)[-1]["Subject"] == f"You're going: {session.title}"

    # A member RSVPs with one click, downloads the .ics and asks a question.
    member_page = sign_in(member.email)
    member_page.goto(url)
    member_page.get_by_role("button", name="RSVP", exact=True).click()
    expect(member_page.get_by_text("You're going.", exact=True)).to_be_visible()
    expect(member_page.get_by_role("link", name="Join the session")).to_have_attribute(
        "href", "https://zoom.demo.hemonc.example/j/42"
    )
    # Her own zone first (Lisbon: WET, or WEST in summer), the session's beside it.
    expect(member_page.locator(".session-when").first).to_contain_text(
        re.compile(r"WES?T · .* E[SD]T \(New York\)")
    )
    with member_page.expect_download() as download:
        member_page.get_by_role("link", name="Add to calendar (.ics)").click()
    calendar = Calendar.from_ical(Path(download.value.path()).read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == session.ical_uid
    assert event.decoded("dtstart") == session.starts_at
    assert "https://zoom.demo.hemonc.example/j/42" in str(event["description"])
    member_page.get_by_label("Your question").fill(QUESTION)
    member_page.get_by_role("button", name="Ask").click()
    expect(member_page.locator("#question-list")).to_contain_text(QUESTION)
    snapshot(member_page, screenshot_dir, "session-member")

    # The host marks it answered; the member's page picks it up by itself (htmx polling).
    host_page = sign_in(host.email)
    host_page.goto(url)
    host_page.get_by_role("button", name=re.compile(r"^Mark answered")).click()
    expect(host_page.locator(".question").first).to_contain_text("Answered")
    snapshot(host_page, screenshot_dir, "session-host")
    expect(member_page.locator(".question").first).to_contain_text("Answered", timeout=15_000)

    # The organizer's view: the season with its statistics, the month, the session form.
    organizer_page = sign_in(organizer.email)
    organizer_page.goto(url)
    expect(organizer_page.get_by_role("img", name="QR code of the check-in link")).to_be_visible()
    snapshot(organizer_page, screenshot_dir, "session-organizer")
    organizer_page.goto(f"{live_server.url}{season.get_absolute_url()}")
    expect(organizer_page.get_by_role("heading", name="The season in numbers")).to_be_visible()
    snapshot(organizer_page, screenshot_dir, "season")
    organizer_page.goto(f"{live_server.url}/sessions/calendar/")
    expect(organizer_page.locator("table.month")).to_contain_text(session.title)
    snapshot(organizer_page, screenshot_dir, "sessions-month")
    organizer_page.goto(f"{live_server.url}/sessions/{session.pk}/edit/")
    snapshot(organizer_page, screenshot_dir, "session-edit")
    for other in (member_page, host_page, organizer_page):
        other.context.close()


def test_a_first_visit_reads_times_in_the_browsers_zone_and_the_form_shows_its_kinds_fields(
    live_server, new_context, sign_in: SignIn, screenshot_dir: Path
) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    session = session_create(
        actor=organizer, title="Night in New York", time_zone="America/New_York",
        starts_at=datetime(2030, 1, 11, 1, 0, tzinfo=UTC),
    )  # fmt: skip

    # No cookie yet: the server writes UTC, the page rewrites it in the browser's zone.
    page = new_context(timezone_id="America/Chicago").new_page()
    page.goto(f"{live_server.url}{session.get_absolute_url()}")
    expect(page.locator(".session-when").first).to_have_text(
        "Thu 10 Jan 2030, 7:00 PM CST · 8:00 PM EST (New York) · 60 minutes"
    )
    # A browser in the session's own zone reads it once.
    page = new_context(timezone_id="America/New_York").new_page()
    page.goto(f"{live_server.url}/sessions/")
    expect(page.locator(".session-when").first).to_have_text(
        "Thu 10 Jan 2030, 8:00 PM EST", use_inner_text=True
    )

    # The session form shows the fields of the chosen kind only.
    organizer_page = sign_in(organizer.email)
    organizer_page.goto(f"{live_server.url}/sessions/{session.pk}/edit/")
    paper = organizer_page.get_by_label("Paper (DOI or link)")
    hashtag = organizer_page.get_by_label("Chat hashtag")
    expect(paper).to_be_hidden()
    organizer_page.get_by_role("radio", name="Journal club").check()
    expect(paper).to_be_visible()
    expect(hashtag).to_be_hidden()
    organizer_page.get_by_role("radio", name="Chat", exact=True).check()
    expect(hashtag).to_be_visible()
    expect(paper).to_be_hidden()
    snapshot(organizer_page, screenshot_dir, "session-form-chat")
    organizer_page.context.close()
