"""The organizers' console in Chromium: a role given to a member found by typing their name."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from hemonc.members.enums import Role
from tests.e2e.conftest import PHONE, SignIn, snapshot
from tests.factories import make_member


def test_an_organizer_finds_a_member_by_name_and_makes_them_moderator(
    live_server, sign_in: SignIn, screenshot_dir: Path
) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    make_member(display_name="Priya Raman")
    make_member(display_name="Priya Shah")
    page = sign_in(organizer.email)
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Organize").click()
    page.get_by_role("link", name="Roles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roles")

    search = page.get_by_role("combobox", name="Member")
    search.fill("pri")
    options = page.get_by_role("option")
    expect(options).to_have_count(2)
    expect(search).to_have_attribute("aria-expanded", "true")
    search.press("ArrowDown")
    search.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    search.press("Enter")  # picks; it does not send the form
    expect(page.locator(".picker-chosen")).to_have_text("Priya Shah\u00d7")
    expect(search).to_have_attribute("aria-expanded", "false")
    snapshot(page, screenshot_dir, "console-roles")

    # Choosing again replaces the one person a single picker holds; a chip can be removed.
    search.fill("raman")
    page.get_by_role("option", name="Priya Raman").click()
    expect(page.locator(".picker-chosen .chip")).to_have_count(1)
    page.get_by_role("button", name="Remove Priya Raman").click()
    expect(page.locator(".picker-chosen .chip")).to_have_count(0)
    search.fill("shah")
    search.press("Enter")  # before the matches came: the first one is picked when they do
    expect(page.locator(".picker-chosen")).to_have_text("Priya Shah\u00d7")

    page.get_by_label("Role", exact=True).select_option("moderator")
    page.get_by_role("button", name="Give the role").click()
    expect(page.get_by_text("Priya Shah is now a moderator.")).to_be_visible()
    expect(page.get_by_role("heading", name="Moderators (1)")).to_be_visible()
