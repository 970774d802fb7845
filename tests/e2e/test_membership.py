"""The membership journey in Chromium: join, verify by mail, fill the profile, be found; block."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import SignIn, axe_check, snapshot
from tests.factories import make_member
from tests.smtp import Mailbox

EMAIL = "priya.raman@example.org"
NAME = "Priya Raman"
NEW_PASSWORD = "marrow-Aspirate-2024!"
INSTITUTION = "Coimbra University Hospital"
BIO = "Second-year fellow interested in **myeloma** and bispecific antibodies."


def _confirmation_link(text: str) -> str:
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+", text)
    assert match, f"no confirmation link in:\n{text}"
    return match.group(0)


def test_visitor_joins_verifies_fills_profile_and_finds_themselves(
    live_server, page: Page, mailbox: Mailbox, screenshot_dir: Path
) -> None:
    # A visitor arrives and joins.
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Find your peers and mentors in hem-onc."
    )
    # The stylesheet is served: the header's Join link is styled as a button.
    join = page.get_by_role("navigation", name="Main").get_by_role("link", name="Join")
    assert join.evaluate("e => getComputedStyle(e).borderRadius") != "0px"
    snapshot(page, screenshot_dir, "home")

    join.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up")
    snapshot(page, screenshot_dir, "signup")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Your name").fill(NAME)
    page.get_by_label(re.compile(r"^Password:?$")).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")

    # The verification mail reaches the SMTP server.
    (message,) = mailbox.wait_for(1)
    assert message["Subject"] == "[Hem-Onc Network] Please Confirm Your Email Address"
    assert message["To"] == EMAIL
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = _confirmation_link(text)
    assert link.startswith(live_server.url)

    # The link shows a page with a Confirm button; confirming signs the member in.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Email Address")
    expect(page.get_by_text(f"Please confirm that {EMAIL}")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    # A first sign-in is welcomed; this member fills the whole profile page instead.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {NAME}!")
    page.goto(f"{live_server.url}/me/profile/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_label("Display name")).to_have_value(NAME)
    snapshot(page, screenshot_dir, "profile-edit")

    # The member completes the profile.
    page.get_by_label("Stage", exact=True).select_option(label="Fellow")
    page.get_by_label("Specialty", exact=True).select_option(label="Hematology-oncology")
    page.get_by_label("Institution", exact=True).fill(INSTITUTION)
    page.get_by_label("Country", exact=True).select_option(label="Portugal")
    topics = page.locator("details", has_text="Topics and hashtags")
    topics.locator("summary").click()
    topics.get_by_label("#mmsm · Multiple myeloma").check()
    page.get_by_label("Bio").fill(BIO)
    page.get_by_label("I am open to mentoring").check()
    snapshot(page, screenshot_dir, "profile-edit-filled")
    page.get_by_role("button", name="Save profile").click()

    # The profile page shows what they entered.
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    header = page.locator(".profile-header")
    expect(header.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(header).to_contain_text("Fellow · Hematology-oncology")
    expect(header).to_contain_text(f"{INSTITUTION} · 🇵🇹 Portugal")
    expect(header.get_by_text("Open to mentoring")).to_be_visible()
    expect(page.get_by_role("link", name="#mmsm")).to_be_visible()
    expect(page.locator(".prose strong")).to_have_text("myeloma")
    snapshot(page, screenshot_dir, "profile")

    # The directory finds them by name and institution, and through the filters.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Member directory")
    results = page.locator("#results")
    page.get_by_label("Search", exact=True).fill("priya coimbra")
    page.get_by_role("button", name="Search").click()
    expect(results.locator(".result-count")).to_have_text("1 member")
    expect(results.get_by_role("link", name=NAME)).to_be_visible()
    expect(results).to_contain_text(INSTITUTION)

    page.get_by_label("Stage").select_option(label="Fellow")
    page.get_by_label("Country").select_option(label="Portugal")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"stage=fellow.*country=PT"))
    expect(results.locator(".result-count")).to_have_text("1 member")
    expect(results.get_by_role("link", name=NAME)).to_be_visible()
    expect(results.get_by_text("Open to mentoring")).to_be_visible()
    snapshot(page, screenshot_dir, "directory")

    page.get_by_label("Stage").select_option(label="Resident")
    page.get_by_role("button", name="Search").click()
    expect(results).to_contain_text("No members match.")


def test_block_hides_each_member_from_the_other(live_server, sign_in: SignIn) -> None:
    ana = make_member(display_name="Ana Lopez", institution="Lisbon Oncology Institute")
    ben = make_member(display_name="Ben Okafor", institution="Lagos University")
    ana_page = sign_in(ana.email)
    ben_page = sign_in(ben.email)
    try:
        # Before the block, Ben finds Ana in the directory.
        ben_page.goto(f"{live_server.url}/directory/?q=ana")
        expect(ben_page.locator("#results").get_by_role("link", name="Ana Lopez")).to_be_visible()

        # Ana blocks Ben from his profile.
        ana_page.goto(f"{live_server.url}/members/{ben.pk}/")
        expect(ana_page.get_by_role("heading", level=1)).to_have_text("Ben Okafor")
        axe_check(ana_page)
        ana_page.get_by_role("button", name="Block").click()
        expect(
            ana_page.get_by_text("You blocked Ben Okafor. Neither of you will see the other.")
        ).to_be_visible()
        expect(ana_page.locator(".people-list")).to_contain_text("Ben Okafor")

        # Ana can no longer open Ben's profile.
        response = ana_page.goto(f"{live_server.url}/members/{ben.pk}/")
        assert response is not None
        assert response.status == 404
        expect(ana_page.locator("body")).to_contain_text("Not Found")
        expect(ana_page.locator("body")).not_to_contain_text("Ben Okafor")
        expect(ana_page.locator("body")).not_to_contain_text("Lagos University")

        # Ben no longer finds Ana in the directory, though other members remain.
        ben_page.goto(f"{live_server.url}/directory/?q=ana")
        expect(ben_page.locator("#results")).to_contain_text("No members match.")
        ben_page.goto(f"{live_server.url}/directory/")
        expect(ben_page.locator("#results").get_by_role("link", name="Ben Okafor")).to_be_visible()
        expect(ben_page.locator("#results").get_by_role("link", name="Ana Lopez")).to_have_count(0)
    finally:
        ana_page.context.close()
        ben_page.context.close()
