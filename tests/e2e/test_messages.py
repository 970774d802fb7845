"""Direct messages in Chromium: a member writes to someone they share nothing with, which
becomes a request; the recipient accepts and replies. Each page axe-clean at 1280 and 390 px."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, SignIn, snapshot
from tests.factories import make_member


def _fits_the_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a phone"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_message_to_a_stranger_becomes_a_request_the_recipient_accepts(
    live_server, sign_in: SignIn, screenshot_dir: Path
) -> None:
    writer = make_member(display_name="Priya Raman", stage="resident")
    recipient = make_member(display_name="Dr. Tomás Herrera", stage="attending")
    page = sign_in(writer.email)
    other = sign_in(recipient.email)
    try:
        page.goto(f"{live_server.url}/community/messages/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Messages")
        snapshot(page, screenshot_dir, "messages-inbox")
        page.get_by_role("link", name="New message").click()
        to = page.get_by_role("combobox", name="To")
        to.fill("Herrera")
        page.get_by_role("option", name="Dr. Tomás Herrera").click()
        page.get_by_label("Message").fill("Hello! Could I ask about your CAR-T clinic?")
        snapshot(page, screenshot_dir, "messages-new")
        _fits_the_phone(page)
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text("Your message is sent as a request")).to_be_visible()
        expect(page.get_by_text("Pending: your request waits for an answer.")).to_be_visible()
        snapshot(page, screenshot_dir, "messages-pending")
        _fits_the_phone(page)

        # The recipient finds it among their requests and accepts.
        other.goto(f"{live_server.url}/community/messages/")
        expect(other.get_by_role("link", name="Requests (1)")).to_be_visible()
        other.get_by_role("link", name="Requests (1)").click()
        snapshot(other, screenshot_dir, "messages-requests")
        other.get_by_role("link", name="Priya Raman").click()
        expect(other.locator("main")).to_contain_text("Could I ask about your CAR-T clinic?")
        snapshot(other, screenshot_dir, "messages-request")
        _fits_the_phone(other)
        other.get_by_role("button", name="Accept").click()
        expect(other.get_by_text("You accepted the request")).to_be_visible()
        other.get_by_label("Your message").fill("Of course: Tuesday after clinic?")
        other.get_by_role("button", name="Send").click()
        expect(other.get_by_text("Your message is sent.")).to_be_visible()
        snapshot(other, screenshot_dir, "messages-conversation")

        # The writer sees the answer, and the header's count says one unread.
        page.goto(f"{live_server.url}/community/messages/")
        expect(page.locator(".site-nav")).to_contain_text("Messages 1 unread")
        page.get_by_role("link", name="Dr. Tomás Herrera").click()
        expect(page.locator("main")).to_contain_text("Tuesday after clinic?")
        _fits_the_phone(page)
    finally:
        page.context.close()
        other.context.close()
