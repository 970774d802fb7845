"""A first sign-in on a phone: the welcome walks through the profile, then the home."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, TIMEOUT_MS, axe_check, snapshot
from tests.factories import PASSWORD, make_member


def test_first_sign_in_welcome_then_home_on_a_phone(
    live_server: Any, new_context: Any, screenshot_dir: Path
) -> None:
    member = make_member(display_name="Priya Raman", stage="", institution="", country="")
    # The browser is in Lisbon: site.js puts its zone in the `tz` cookie on every page.
    context = new_context(timezone_id="Europe/Lisbon")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Priya Raman!")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe_check(page)
    page.get_by_role("link", name=re.compile(r"^Let.s start$")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your training")
    page.get_by_label("Stage", exact=True).select_option(label="Fellow")
    page.get_by_label("Training year").fill("2")
    axe_check(page)
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your interests")
    page.get_by_label("#mmsm · Multiple myeloma").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Who sees what")
    axe_check(page)
    page.get_by_label("Who can see your stage").select_option(label="Everyone")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your photo")
    axe_check(page)
    page.get_by_role("link", name="Skip this step").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your time zone")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Lisbon")
    axe_check(page)
    page.get_by_role("button", name="Save and finish").click()

    expect(page.get_by_text("Your profile is set up. Welcome to the network!")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Priya Raman")
    expect(page.get_by_role("heading", name="Your sessions")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    snapshot(page, screenshot_dir, "member-home")

    member.profile.refresh_from_db()
    assert member.profile.time_zone == "Europe/Lisbon"
    assert member.profile.stage == "fellow"
    assert member.profile.stage_visibility == "public"
