"""The site's frame on a phone: the menu, filters behind a button, the month as a list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import BrowserContext, expect

from hemonc.events.services import season_create, session_create
from hemonc.members.enums import Role
from tests.e2e.conftest import DESKTOP, PHONE, SignIn, axe_check
from tests.factories import make_member

HEADER_MAX_PX = 100


def test_phone_menu_opens_and_closes_the_navigation(
    live_server, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")

    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    assert page.locator(".site-header").bounding_box()["height"] <= HEADER_MAX_PX

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()

    page.set_viewport_size(DESKTOP)
    expect(menu).to_be_hidden()
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()


def test_without_scripts_the_navigation_is_shown(
    live_server, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def test_directory_filters_fold_behind_a_button_on_the_phone(live_server, sign_in: SignIn) -> None:
    for name in ("Ana Lopez", "Ben Okafor", "Chen Wei"):
        make_member(display_name=name)
    page = sign_in(make_member(display_name="Dana Reader").email)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/directory/")
    filters = page.locator("summary", has_text="Filters")
    stage = page.get_by_label("Stage")

    expect(filters).to_be_visible()
    expect(stage).to_be_hidden()
    count = page.get_by_role("heading", name="4 members")
    expect(count).to_be_in_viewport()
    axe_check(page)

    filters.click()
    stage.select_option(label="Fellow")
    expect(filters).to_have_text("Filters (1 active)")

    page.set_viewport_size(DESKTOP)
    page.reload()
    expect(page.get_by_label("Stage")).to_be_visible()
    expect(page.locator("summary", has_text="Filters")).to_be_hidden()


def test_month_is_a_list_of_days_on_the_phone(live_server, page) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    today = timezone.localdate()
    season = season_create(
        actor=organizer, name="Season 2", starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=200), time_zone="UTC",
    )  # fmt: skip
    starts_at = (timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    session = session_create(
        actor=organizer, season=season, title="Immunotherapy toxicities: a practical approach",
        starts_at=starts_at, description="Cases.", time_zone="UTC",
    )  # fmt: skip
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/sessions/calendar/{starts_at.year}/{starts_at.month}/")

    expect(page.get_by_role("table")).to_be_hidden()
    listed = page.get_by_role("link", name="Immunotherapy toxicities: a practical approach")
    expect(listed).to_be_visible()
    # The title reads on lines of whole words: "Immunotherapy" is one line's width at most.
    assert listed.bounding_box()["width"] > 200
    axe_check(page)

    page.set_viewport_size(DESKTOP)
    expect(page.get_by_role("table")).to_be_visible()

    # The RSVP box's invitation reads as a sentence, not as a column of its parts.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{session.get_absolute_url()}")
    note = page.locator("p", has_text="to RSVP with one click")
    expect(note).to_have_text("Already a member? Sign in to RSVP with one click.")
    link = note.get_by_role("link", name="Sign in")
    assert link.bounding_box()["y"] - note.bounding_box()["y"] < 5
