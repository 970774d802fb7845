"""The newsletter in Chromium: sign up, confirm by mail, change preferences, unsubscribe; an
organizer's issue page with the mail framed as sent and the send progress updating itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.newsletter import services
from hemonc.newsletter.models import ConsentText, Delivery, Subscriber
from tests.e2e.conftest import snapshot
from tests.factories import make_member
from tests.newsletter.conftest import make_subscriber
from tests.smtp import Mailbox

EMAIL = "lucia.moreno@example.org"


def test_reader_signs_up_confirms_changes_details_and_unsubscribes(
    live_server: Any, page: Page, mailbox: Mailbox, screenshot_dir: Path, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    # Transactional tests empty every table, the consent text the migration wrote included.
    ConsentText.objects.get_or_create(version=1, defaults={"text": "I agree to the newsletter."})

    page.goto(f"{live_server.url}/newsletter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The newsletter")
    snapshot(page, screenshot_dir, "newsletter-signup")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Training stage").select_option("fellow")
    page.get_by_label("Country").select_option("ES")
    page.get_by_role("button", name="Subscribe", exact=True).click()
    expect(page.get_by_text("Please agree to the terms to subscribe.")).to_be_visible()
    page.get_by_label("I agree to the terms").check()
    page.get_by_role("button", name="Subscribe", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    (message,) = mailbox.wait_for(1)
    assert message["To"] == EMAIL
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/newsletter/confirm/\S+/", text).group(0)
    page.goto(link)
    snapshot(page, screenshot_dir, "newsletter-confirm")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your newsletter preferences")
    expect(page.get_by_text("You are subscribed. Welcome!")).to_be_visible()
    snapshot(page, screenshot_dir, "newsletter-preferences")
    page.get_by_label("Institution").fill("Hospital Universitario del Sur")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Your details are saved.")).to_be_visible()
    page.get_by_role("button", name="Unsubscribe").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    snapshot(page, screenshot_dir, "newsletter-unsubscribed")
    subscriber = Subscriber.objects.get()
    assert (subscriber.status, subscriber.stage, subscriber.country) == (
        "unsubscribed",
        "fellow",
        "ES",
    )
    assert subscriber.institution == "Hospital Universitario del Sur"


def test_organizer_sees_the_mail_styled_in_its_frame_and_sending_progress_live(
    live_server: Any, sign_in: Any, screenshot_dir: Path, dummy_tasks: Any
) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    make_subscriber("a@example.org")
    make_subscriber("b@example.org")
    issue = services.issue_create(
        subject="November", body="# Big news\n\n## Smaller news\n\nText.", actor=OPERATOR
    )
    services.issue_send_now(issue=issue, actor=OPERATOR)  # the worker waits

    page = sign_in(organizer.email)
    page.goto(f"{live_server.url}/newsletter/manage/{issue.pk}/")
    frame = page.frame_locator("iframe.mail-frame")
    expect(frame.get_by_role("heading", name="Big news")).to_be_visible()
    expect(frame.get_by_role("heading", name="Smaller news")).to_be_visible()
    # The mail's inline styles apply inside the frame (the page's policy would strip them).
    brand = frame.get_by_text("Hem-Onc Network newsletter", exact=True)
    expect(brand).to_have_css("color", "rgb(159, 18, 57)")
    expect(page.get_by_role("status").filter(has_text="Sending: 0 of 2 done.")).to_be_visible()
    snapshot(page, screenshot_dir, "newsletter-issue-sending")

    page.get_by_label("Phone").check()
    expect(page.locator("iframe.mail-frame")).to_have_css("max-width", "390px")

    Delivery.objects.filter(issue=issue).update(status="sent")
    services.issue_finish_if_done(issue=issue)
    expect(page.get_by_text("Sending is finished: 2 of 2 delivered.").first).to_be_visible()
