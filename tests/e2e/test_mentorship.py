"""Mentorship in Chromium: a mentee finds a mentor and asks; the mentor accepts; either side leaves."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from hemonc.members.enums import Role
from hemonc.mentorship.services import (
    goals_save,
    offer_save,
    program_apply,
    program_create,
    speed_event_create,
)
from hemonc.taxonomy.models import Topic
from tests.e2e.conftest import PHONE, SignIn, snapshot
from tests.factories import make_member


def test_mentee_finds_asks_mentor_accepts_and_mentee_leaves(
    live_server, sign_in: SignIn, screenshot_dir: Path
) -> None:
    mentor = make_member(display_name="Dr. Grace Okoro", stage="attending")
    offer_save(
        user=mentor,
        actor=mentor,
        capacity=2,
        about="Myeloma trials and academic careers.",
        topics=Topic.objects.filter(slug="mmsm"),
        stages=["fellow"],
    )
    mentee = make_member(display_name="Priya Raman", stage="fellow")
    mentee_page = sign_in(mentee.email)
    mentor_page = sign_in(mentor.email)
    try:
        # The mentee finds the mentor by topic and sees the seats left.
        mentee_page.goto(f"{live_server.url}/mentorship/mentors/")
        expect(mentee_page.get_by_role("heading", level=1)).to_have_text("Find a mentor")
        mentee_page.get_by_label("Topic").select_option(value="mmsm")
        mentee_page.get_by_role("button", name="Filter").click()
        results = mentee_page.locator("#results")
        expect(results.get_by_role("link", name="Dr. Grace Okoro", exact=True)).to_be_visible()
        expect(results).to_contain_text("2 of 2 seats left")
        snapshot(mentee_page, screenshot_dir, "mentor-finder")

        # ... and asks, with a note.
        results.get_by_role("link", name="Ask Dr. Grace Okoro to mentor you").click()
        mentee_page.get_by_label("Your note").fill(
            "Second-year fellow hoping to start a myeloma trial."
        )
        mentee_page.get_by_role("button", name="Send request").click()
        expect(
            mentee_page.get_by_text("Your request is on its way to Dr. Grace Okoro.")
        ).to_be_visible()

        # The mentor sees the request on the mentorship page and accepts with a message.
        mentor_page.goto(f"{live_server.url}/mentorship/")
        mentor_page.get_by_role("link", name="Priya Raman").click()
        expect(mentor_page.get_by_role("heading", level=1)).to_have_text(
            "Priya Raman asks you to be their mentor"
        )
        expect(mentor_page.get_by_text("hoping to start a myeloma trial")).to_be_visible()
        snapshot(mentor_page, screenshot_dir, "mentorship-request")
        mentor_page.get_by_label("Message (optional)").fill("Happy to. Let's talk on Tuesday.")
        mentor_page.get_by_role("button", name="Accept").click()
        expect(mentor_page.get_by_role("heading", level=1)).to_have_text("Mentoring Priya Raman")
        mentor_page.get_by_label("Message", exact=True).fill(
            "Welcome! Send me your draft protocol."
        )
        mentor_page.get_by_role("button", name="Send").click()
        expect(mentor_page.get_by_text("Welcome! Send me your draft protocol.")).to_be_visible()

        # The mentee sees the thread, then leaves with no reason asked.
        mentee_page.goto(f"{live_server.url}/mentorship/")
        mentee_page.get_by_role("link", name="Mentored by Dr. Grace Okoro").click()
        expect(mentee_page.get_by_text("Welcome! Send me your draft protocol.")).to_be_visible()
        snapshot(mentee_page, screenshot_dir, "mentorship-thread")
        mentee_page.get_by_role("link", name="Leave this mentorship").click()
        expect(mentee_page.get_by_text("you do not need to give a reason")).to_be_visible()
        mentee_page.get_by_role("button", name="Leave the mentorship").click()
        expect(mentee_page.get_by_text("The mentorship has ended.")).to_be_visible()
        expect(mentee_page.locator(".card", has_text="My mentorships")).to_contain_text("Ended")
    finally:
        mentee_page.context.close()
        mentor_page.context.close()


def test_mentee_ranks_mentors_by_name_and_applies_to_a_program(
    live_server, sign_in: SignIn, screenshot_dir: Path
) -> None:
    for name in ("Dr. Grace Okoro", "Dr. Grace Lin"):
        mentor = make_member(display_name=name, stage="attending")
        offer_save(user=mentor, actor=mentor, capacity=2, about="Careers.")
    mentee = make_member(display_name="Priya Raman", stage="fellow")
    goals_save(user=mentee, actor=mentee, text="Find my niche.")
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    now = timezone.now()
    program = program_create(
        actor=organizer,
        name="Winter program",
        applications_open_at=now - timedelta(days=1),
        applications_close_at=now + timedelta(days=7),
        matching_date=(now + timedelta(days=8)).date(),
    )
    page = sign_in(mentee.email)
    page.set_viewport_size(PHONE)
    try:
        # Mentors ranked by typing their names: the second one picked comes second.
        page.goto(f"{live_server.url}/mentorship/goals/")
        ranked = page.get_by_role("combobox", name="Mentors you would like, best first")
        for name in ("Lin", "Okoro"):
            ranked.fill(name)
            page.get_by_role("option", name=f"Dr. Grace {name}").click()
        chips = page.locator(".picker-chosen .chip")
        expect(chips).to_have_count(2)
        expect(chips.first).to_contain_text("Dr. Grace Lin")
        snapshot(page, screenshot_dir, "mentee-goals-picker")
        page.get_by_role("button", name="Save my goals").click()
        expect(page.get_by_text("Your mentee goals are saved.")).to_be_visible()
        page.goto(f"{live_server.url}/mentorship/goals/")
        expect(page.locator(".picker-chosen .chip").first).to_contain_text("Dr. Grace Lin")

        # The program page speaks in sentences, with no line broken into pieces.
        page.goto(f"{live_server.url}{program.get_absolute_url()}")
        page.get_by_role("radio", name="Mentee").check()
        page.get_by_role("button", name="Apply").click()
        expect(page.get_by_text("You applied as a mentee.")).to_be_visible()
        page.set_viewport_size({"width": 1280, "height": 900})
        offer = page.get_by_role("link", name="mentor offer").bounding_box()
        goals = page.get_by_role("link", name="mentee goals").bounding_box()
        assert offer and goals and abs(offer["y"] - goals["y"]) < 4  # one line, not stacked
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        snapshot(page, screenshot_dir, "program-applied")
    finally:
        page.context.close()


def test_organizer_runs_a_program_and_a_speed_event_on_the_site(
    live_server, sign_in: SignIn, screenshot_dir: Path
) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    mentor = make_member(display_name="Dr. Grace Okoro", stage="attending")
    offer_save(user=mentor, actor=mentor, capacity=2, about="Careers.")
    mentee = make_member(display_name="Priya Raman", stage="fellow")
    goals_save(user=mentee, actor=mentee, text="Find my niche.")
    now = timezone.now()
    program = program_create(
        actor=organizer,
        name="Winter program",
        applications_open_at=now - timedelta(days=1),
        applications_close_at=now + timedelta(days=7),
        matching_date=(now + timedelta(days=8)).date(),
    )
    program_apply(program=program, user=mentor, actor=mentor, role="mentor")
    program_apply(program=program, user=mentee, actor=mentee, role="mentee")
    event = speed_event_create(
        actor=organizer, title="Blood Buddies", starts_at=now + timedelta(days=2)
    )
    page = sign_in(organizer.email)
    try:
        page.goto(f"{live_server.url}{program.get_absolute_url()}")
        page.get_by_role("button", name="Close applications now").click()
        expect(
            page.get_by_text("Applications are closed. You can run the matcher now.")
        ).to_be_visible()
        page.get_by_role("link", name="Review and match").click()
        page.get_by_role("button", name="Run the matcher").click()
        expect(page.get_by_text("The matcher proposes 1 pair for 1 mentee.")).to_be_visible()
        page.get_by_text("Who applied").click()
        expect(page.get_by_text("1 of 1 mentee proposed")).to_be_visible()
        snapshot(page, screenshot_dir, "program-review")
        page.set_viewport_size(PHONE)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("button", name="Publish and mail everyone").click()
        expect(page.get_by_text("Published: 1 mentorship started")).to_be_visible()

        # People put on a speed-mentoring list by name.
        page.goto(f"{live_server.url}{event.get_absolute_url()}")
        mentors = page.get_by_role("combobox", name="Add mentors")
        mentors.fill("okoro")
        page.get_by_role("option", name="Dr. Grace Okoro").click()
        mentees = page.get_by_role("combobox", name="Add mentees")
        mentees.fill("priya")
        page.get_by_role("option", name="Priya Raman").click()
        snapshot(page, screenshot_dir, "speed-add-people")
        page.get_by_role("button", name="Add to the list").click()
        expect(page.get_by_text("2 people are on the list.")).to_be_visible()
        expect(page.get_by_role("button", name="Check in Priya Raman")).to_be_visible()
    finally:
        page.context.close()
