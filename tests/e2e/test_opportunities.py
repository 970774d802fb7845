"""Opportunities in Chromium: a member filters and saves; a mentor nominates a trainee, who
accepts; organizers review a suggestion and see the nomination. Each page axe-clean at 1280
and 390 px."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from hemonc.community.models.opportunities import Nomination, NominationStatus
from hemonc.community.services.opportunities import opportunity_suggest
from hemonc.members.enums import Role
from hemonc.mentorship.services import offer_save
from tests.e2e.conftest import PHONE, SignIn, snapshot
from tests.factories import make_member


def _fits_the_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a phone"


def test_mentor_nominates_a_trainee_who_accepts(
    live_server, sign_in: SignIn, screenshot_dir: Path
) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER, stage="attending")
    mentor = make_member(display_name="Dr. Grace Okoro", stage="advanced_fellow")
    offer_save(user=mentor, actor=mentor, capacity=2, about="Residents' research.")
    trainee = make_member(display_name="Priya Raman", stage="resident", time_zone="Asia/Kolkata")
    now = timezone.now()
    travel = opportunity_suggest(
        actor=organizer,
        title="Lymphoma travel award",
        kind="travel_grant",
        organization="Prairie Hematology Society",
        summary="Registration and three nights for a trainee presenting a poster.",
        deadline=now + timedelta(days=5),
        time_zone="America/New_York",
        stages=["resident", "fellow"],
        url="https://example.org/travel",
        how_to_apply="1. Send your **abstract**.\n2. Ask for a letter.",
    )
    opportunity_suggest(
        actor=organizer,
        title="Junior faculty job in Leeds",
        kind="job",
        organization="Leeds Cancer Centre",
        deadline=now + timedelta(days=40),
        time_zone="Europe/London",
        stages=["advanced_fellow"],
        countries=["GB"],
        url="https://example.org/job",
    )
    mentor_page = sign_in(mentor.email)
    trainee_page = sign_in(trainee.email)
    try:
        # The trainee filters the board to what fits them and saves the travel award.
        trainee_page.goto(f"{live_server.url}/community/opportunities/")
        expect(trainee_page.get_by_role("heading", level=1)).to_have_text("Opportunities")
        trainee_page.get_by_label("Fits my stage and country").check()
        results = trainee_page.locator("#results")
        expect(results).not_to_contain_text("Junior faculty job in Leeds")
        expect(results).to_contain_text("Lymphoma travel award")
        snapshot(trainee_page, screenshot_dir, "opportunities-board")
        _fits_the_phone(trainee_page)
        trainee_page.set_viewport_size({"width": 1280, "height": 800})
        results.get_by_role("button", name="Save “Lymphoma travel award”").click()
        expect(
            results.get_by_role("button", name=re.compile(r"^Saved\s*: “Lymphoma travel award”"))
        ).to_be_visible()
        trainee_page.get_by_role("link", name="Saved", exact=True).click()
        expect(trainee_page.locator("main")).to_contain_text("Lymphoma travel award")
        snapshot(trainee_page, screenshot_dir, "opportunities-saved")

        # The mentor opens the opportunity and nominates the trainee.
        mentor_page.goto(f"{live_server.url}/community/opportunities/")
        mentor_page.get_by_role("link", name="Lymphoma travel award").click()
        expect(mentor_page.get_by_role("heading", level=1)).to_have_text("Lymphoma travel award")
        snapshot(mentor_page, screenshot_dir, "opportunity-detail")
        _fits_the_phone(mentor_page)
        mentor_page.set_viewport_size({"width": 1280, "height": 800})
        mentor_page.get_by_role("link", name="Nominate a trainee").click()
        search = mentor_page.get_by_role("combobox", name="Trainee")
        search.fill("priya")
        mentor_page.get_by_role("option", name="Priya Raman").click()
        expect(mentor_page.get_by_label("For an opportunity on the board")).to_have_value(
            str(travel.pk)
        )
        mentor_page.get_by_label("Statement").fill(
            "Priya led our lymphoma quality project and presents with great clarity."
        )
        snapshot(mentor_page, screenshot_dir, "nomination-form")
        mentor_page.get_by_role("button", name="Nominate").click()
        expect(mentor_page.get_by_text("Priya Raman is told of your nomination.")).to_be_visible()
        expect(mentor_page.get_by_role("heading", level=1)).to_have_text(
            "Your nomination of Priya Raman"
        )

        # The trainee sees it among their nominations and accepts.
        trainee_page.goto(f"{live_server.url}/community/nominations/")
        snapshot(trainee_page, screenshot_dir, "nominations")
        trainee_page.get_by_role("link", name="Lymphoma travel award").click()
        expect(trainee_page.get_by_role("heading", level=1)).to_have_text(
            "Dr. Grace Okoro nominated you"
        )
        snapshot(trainee_page, screenshot_dir, "nomination-detail")
        _fits_the_phone(trainee_page)
        trainee_page.get_by_role("button", name="Accept").click()
        expect(
            trainee_page.get_by_text("You accepted the nomination; your sponsor is told.")
        ).to_be_visible()
        assert Nomination.objects.get().status == NominationStatus.ACCEPTED

        # Organizers see it per opportunity, from the console.
        organizer_page = sign_in(organizer.email)
        organizer_page.goto(f"{live_server.url}/organize/")
        organizer_page.get_by_role("link", name="Nominations", exact=True).click()
        expect(organizer_page.locator("main")).to_contain_text("Priya Raman")
        expect(organizer_page.locator("main")).to_contain_text("Accepted")
        snapshot(organizer_page, screenshot_dir, "nominations-overview")
        _fits_the_phone(organizer_page)
    finally:
        mentor_page.context.close()
        trainee_page.context.close()


def test_member_suggests_and_organizer_approves(
    live_server, sign_in: SignIn, screenshot_dir: Path
) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER, stage="attending")
    member = make_member(display_name="Ana Lopez", stage="fellow")
    page = sign_in(member.email)
    page.goto(f"{live_server.url}/community/opportunities/suggest/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suggest an opportunity")
    page.get_by_label("Title").fill("Myeloma summer school scholarship")
    page.get_by_label("Funding").check()
    page.get_by_label("Organization").fill("Alpine Myeloma Academy")
    page.get_by_label("Deadline", exact=True).fill(
        (timezone.now() + timedelta(days=30)).date().isoformat()
    )
    page.get_by_label("Link").fill("https://example.org/summer")
    snapshot(page, screenshot_dir, "opportunity-suggest")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("organizers will review it")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Myeloma summer school scholarship")

    organizer_page = sign_in(organizer.email)
    organizer_page.goto(f"{live_server.url}/organize/")
    organizer_page.get_by_role("link", name="Suggested opportunities").click()
    snapshot(organizer_page, screenshot_dir, "opportunity-review")
    organizer_page.get_by_role("button", name="Approve “Myeloma summer school scholarship”").click()
    expect(organizer_page.get_by_text("is on the board; its author is told.")).to_be_visible()
    organizer_page.goto(f"{live_server.url}/community/opportunities/")
    expect(organizer_page.locator("#results")).to_contain_text("Myeloma summer school scholarship")
