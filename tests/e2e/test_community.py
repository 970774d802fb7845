"""The community in Chromium: a trainee posts in the trainee-only space and a classmate
replies; an attending finds no trace of it by the list, the search or the direct link. Every
page axe-clean, and usable at phone width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from hemonc.community.enums import SpaceVisibility
from hemonc.community.models import Discussion
from hemonc.community.services import spaces as services
from hemonc.core.permissions import OPERATOR
from hemonc.taxonomy.enums import Stage
from tests.e2e.conftest import PHONE, axe_check, snapshot
from tests.factories import make_member

SHOTS = Path("/tmp/community-screenshots")  # noqa: S108 - looked at by hand, never committed


def _fits_the_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a phone"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_trainee_posts_in_the_trainee_space_and_an_attending_cannot_find_it(
    live_server: Any, sign_in: Any, screenshot_dir: Path
) -> None:
    SHOTS.mkdir(exist_ok=True)
    trainee = make_member(display_name="Tara Trainee", stage=Stage.RESIDENT)
    classmate = make_member(display_name="Cal Classmate", stage=Stage.FELLOW)
    attending = make_member(display_name="Alan Attending", stage=Stage.ATTENDING)
    services.space_create(actor=OPERATOR, slug="general", name="General")
    services.space_create(
        actor=OPERATOR, slug="trainees", name="Trainees' room", visibility=SpaceVisibility.TRAINEES
    )

    page = sign_in(trainee.email)
    page.goto(f"{live_server.url}/community/")
    page.get_by_role("link", name="Trainees' room").click()
    expect(page.get_by_role("heading", name="Trainees' room")).to_be_visible()
    snapshot(page, SHOTS, "community-space")
    page.get_by_role("link", name="Start a discussion").click()
    page.get_by_label("Title").fill("Asking for letters without feeling awkward")
    page.get_by_label("Body").fill(
        "How early do you ask? @[Cal Classmate], you did this last year."
    )
    snapshot(page, SHOTS, "community-new")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("Your discussion is posted.")).to_be_visible()
    expect(page.get_by_role("link", name="@Cal Classmate")).to_be_visible()
    url = page.url
    discussion = Discussion.objects.get()
    assert url.endswith(discussion.get_absolute_url())
    snapshot(page, SHOTS, "community-discussion")
    _fits_the_phone(page)

    # The classmate is told of the mention, reads it, replies and reacts.
    other = sign_in(classmate.email)
    other.goto(f"{live_server.url}/community/notifications/")
    expect(other.get_by_text("Tara Trainee mentioned you")).to_be_visible()
    snapshot(other, SHOTS, "community-notifications")
    other.get_by_role("button", name="Open").click()
    other.get_by_label("Your reply").fill("Six weeks ahead, with a one-page summary.")
    other.get_by_role("button", name="Reply").click()
    expect(other.get_by_text("Your reply is posted.")).to_be_visible()
    other.get_by_role("button", name="Thanks").first.click()
    expect(other.locator('button.reaction[aria-pressed="true"]')).to_have_count(1)
    axe_check(other)
    _fits_the_phone(other)

    # The attending: no space in the list, nothing found, and the link answers 404.
    them = sign_in(attending.email)
    them.goto(f"{live_server.url}/community/")
    expect(them.get_by_role("link", name="General")).to_be_visible()
    expect(them.get_by_text("Trainees' room")).to_have_count(0)
    snapshot(them, SHOTS, "community-attending-list")
    them.goto(f"{live_server.url}/community/search/?q=letters")
    expect(them.get_by_text("No discussion you can see holds these words.")).to_be_visible()
    expect(them.get_by_text("Asking for letters")).to_have_count(0)
    axe_check(them)
    response = them.goto(url)
    assert response is not None and response.status == 404
    expect(them.get_by_text("Asking for letters")).to_have_count(0)
    response = them.goto(f"{live_server.url}/community/s/trainees/")
    assert response is not None and response.status == 404

    # The trainee's own search finds it, typed into the box (htmx swaps the results).
    page.goto(f"{live_server.url}/community/search/")
    page.get_by_label("Words to find").fill("letter")
    expect(
        page.get_by_role("link", name="Asking for letters without feeling awkward")
    ).to_be_visible()
    snapshot(page, SHOTS, "community-search")
    for name in ("space", "new", "discussion", "notifications", "attending-list", "search"):
        assert (SHOTS / f"community-{name}-phone.png").exists()
    del screenshot_dir
