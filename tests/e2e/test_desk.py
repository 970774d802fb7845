"""The publishing desk in Chromium: an organizer writes a case post with a date of birth, sees
it marked, fixes it and attests; a second organizer approves it (the setting asks for one); it
is scheduled, the worker's path publishes it to the local Bluesky stand-in as a thread, and the
page shows it published with its link. The queue is reordered by dragging and by its buttons.
Every page is checked with axe-core at phone and desktop widths."""

from __future__ import annotations

import re
import time
from datetime import time as dtime
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from playwright.sync_api import Page, expect

from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.outreach.desk import services
from hemonc.outreach.enums import DeskState
from hemonc.outreach.models import DeskPost, SocialAccount
from tests.e2e.conftest import DESKTOP, PHONE, snapshot
from tests.factories import make_member
from tests.standins import bluesky

HANDLE = "hemonc.bsky.social"
CASE = (
    "Case of the week: DOB 3/14/1961, a woman with fatigue and a platelet count of 900 x 10^9/L "
    "at her first visit. JAK2 V617F was negative; CALR exon 9 was positive.\n\n"
    "What would you do next: a marrow biopsy, or treat it as essential thrombocythemia? Share "
    "your approach and the evidence you lean on.\n\n"
    "Answers in Thursday's thread. #MPNsm #hemetwitter"
)
FIXED = CASE.replace("DOB 3/14/1961, a woman", "a woman in her sixties")


def _account(url: str) -> SocialAccount:
    account, _ = services.account_save(
        platform="bluesky", handle=HANDLE, service=url, secret="app-password", actor=OPERATOR,
        time_zone="America/New_York",
    )  # fmt: skip
    return account


def test_a_case_post_goes_from_a_marked_date_of_birth_to_a_published_thread(
    live_server: Any, sign_in: Any, screenshot_dir: Path, settings: Any
) -> None:
    settings.OUTREACH_SECOND_APPROVER = True
    settings.OUTREACH_UNDO_SECONDS = 8
    author = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    second = make_member(display_name="Sade Second", role=Role.ORGANIZER)
    with bluesky.serve(handle=HANDLE, password="app-password") as (url, pds):
        _account(url)
        page = sign_in(author.email)
        page.goto(f"{live_server.url}/outreach/desk/new/")
        page.get_by_label("Case", exact=True).check()
        page.get_by_label(f"@{HANDLE} on Bluesky").check()
        page.get_by_label("Text", exact=True).fill(CASE)
        counters = page.locator(".desk-counters")
        expect(counters).to_contain_text("Bluesky: a thread of 2 posts")
        expect(page.locator(".desk-thread-part")).to_have_count(2)
        expect(page.locator(".desk-part-text").first).to_contain_text("1/2")
        # A suggested hashtag goes in where the cursor is (at the end here), and is counted.
        suggestion = page.locator("#desk-hashtags button").first
        tag = suggestion.get_attribute("data-insert") or ""
        assert tag.startswith("#") and tag.lower() not in CASE.lower()
        suggestion.click()
        expect(page.get_by_label("Text", exact=True)).to_have_value(CASE + " " + tag)
        expect(page.locator(".desk-thread-part").last).to_contain_text(tag)
        snapshot(page, screenshot_dir, "desk-compose")

        page.get_by_role("button", name="Send for review").click()
        mark = page.locator("mark.phi")
        expect(mark).to_have_count(1)
        expect(mark).to_have_text("3/14/1961")
        expect(
            page.get_by_text("This text may identify a patient: 1 date, marked here.")
        ).to_be_visible()
        snapshot(page, screenshot_dir, "desk-compose-marked")
        assert not DeskPost.objects.exists()

        page.get_by_label("Text", exact=True).fill(FIXED)
        page.get_by_role("button", name="Send for review").click()
        # A case post always needs the attestation, identifiers or not.
        expect(page.get_by_text("A case post needs this attestation")).to_be_visible()
        page.get_by_label("No patient identifiers; consent obtained where needed").check()
        page.get_by_role("button", name="Send for review").click()
        expect(page.get_by_text("Saved and sent for review")).to_be_visible()
        expect(page.get_by_text("You wrote it: a second organizer approves it.")).to_be_visible()
        expect(page.get_by_role("button", name="Approve")).to_have_count(0)
        post = DeskPost.objects.get()
        assert post.state == DeskState.IN_REVIEW and post.phi_attested_by == author

        reviewer = sign_in(second.email)
        reviewer.goto(f"{live_server.url}/organize/")
        needs = reviewer.locator(".needs-you")
        expect(needs).to_contain_text("Posts to approve")
        needs.get_by_role("link", name=re.compile(r"^Case of the week")).click()
        snapshot(reviewer, screenshot_dir, "desk-review")
        reviewer.get_by_role("button", name="Approve").click()
        expect(reviewer.get_by_text("Approved: it can be scheduled.")).to_be_visible()

        reviewer.get_by_label("At a time").check()
        reviewer.get_by_role("button", name="Schedule").click()
        expect(reviewer.get_by_text("You can undo it until it leaves.")).to_be_visible()
        undo = reviewer.get_by_role("button", name=re.compile(r"^Undo"))
        expect(undo).to_contain_text("s left")
        assert pds.posts == []  # nothing leaves within the undo window
        too_late = reviewer.get_by_role("button", name=re.compile("Too late to undo"))
        expect(too_late).to_be_disabled(timeout=12_000)
        time.sleep(0.5)  # the server's clock passed the release time too

        out = StringIO()
        call_command("outreach", "publish-due", stdout=out)  # the worker's path, in this process
        lines = out.getvalue().splitlines()
        assert [line.split()[:3] for line in lines] == [
            ["bluesky", HANDLE, "1/2"],
            ["bluesky", HANDLE, "2/2"],
        ]
        first, reply = pds.posts
        assert first["text"].endswith("1/2") and reply["text"].endswith("2/2")
        assert reply["reply"]["parent"]["uri"] == reply["reply"]["root"]["uri"]

        reviewer.reload()
        expect(reviewer.locator(".page-header .badge")).to_have_text("Published")
        post.refresh_from_db()
        link = post.parts.get(position=1).url
        expect(reviewer.get_by_role("link", name=f"@{HANDLE} on Bluesky")).to_have_attribute(
            "href", link
        )
        snapshot(reviewer, screenshot_dir, "desk-published")
        reviewer.set_viewport_size(PHONE)
        assert reviewer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        reviewer.set_viewport_size(DESKTOP)
        reviewer.goto(f"{live_server.url}/outreach/desk/history/")
        expect(reviewer.get_by_role("link", name="1/2")).to_have_attribute("href", link)
        snapshot(reviewer, screenshot_dir, "desk-history")
        reviewer.goto(f"{live_server.url}/outreach/desk/?state=published")
        snapshot(reviewer, screenshot_dir, "desk-list")


def _queued(author: Any, account: SocialAccount, text: str) -> DeskPost:
    post = services.post_create(actor=author, text=text, accounts=[account])
    services.post_submit(post=post, actor=author)
    services.post_approve(post=post, actor=OPERATOR)
    return services.post_add_to_queue(post=post, actor=author, account=account)


def _order(page: Page) -> list[str]:
    return [text.strip() for text in page.locator(".desk-queue-text").all_inner_texts()]


def test_the_queue_is_reordered_by_dragging_and_by_its_buttons(
    live_server: Any, sign_in: Any, screenshot_dir: Path
) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    account = _account("https://pds.example.org")
    services.queue_slots_set(
        account=account, actor=organizer, slots=[(0, dtime(20)), (3, dtime(20)), (5, dtime(9))]
    )
    for name in ("Journal club", "Opportunity", "Tweetorial"):
        _queued(organizer, account, f"{name}: the network's next post")
    page = sign_in(organizer.email)
    page.goto(f"{live_server.url}/outreach/desk/queues/{account.pk}/")
    assert _order(page)[0].startswith("Journal club")
    snapshot(page, screenshot_dir, "desk-queue")

    handle = page.locator("[data-drag-handle]").nth(2)
    target = page.locator("[data-queue-item]").first
    box, goal = handle.bounding_box(), target.bounding_box()
    assert box and goal
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(goal["x"] + 30, goal["y"] + 5, steps=8)
    page.mouse.up()
    expect(page.get_by_text("The queue's new order is saved")).to_be_visible()
    assert [t.split(":")[0] for t in _order(page)] == ["Tweetorial", "Journal club", "Opportunity"]

    page.get_by_role("button", name="Move down: Tweetorial").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("The queue's new order is saved")).to_be_visible()
    assert [t.split(":")[0] for t in _order(page)] == ["Journal club", "Tweetorial", "Opportunity"]
    times = list(DeskPost.objects.order_by("scheduled_at").values_list("text", flat=True))
    assert [t.split(":")[0] for t in times] == ["Journal club", "Tweetorial", "Opportunity"]


def test_long_handles_and_links_never_widen_the_pages_on_a_phone(
    live_server: Any, sign_in: Any
) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    handles = [("x", "HemOncDemoNet"), ("bluesky", "net.demo.hemonc.example"),
               ("mastodon", "HemOncDemoNet@mastodon.demo.hemonc.example")]  # fmt: skip
    accounts = [
        services.account_save(
            platform=platform, handle=handle, service="https://pds.example.org",
            secret="app-password", actor=OPERATOR, time_zone="America/New_York",
        )[0]
        for platform, handle in handles
    ]  # fmt: skip
    text = "Slides: https://slides.example.org/" + "a" * 120 + " #HOFellows"
    post = services.post_create(actor=organizer, text=text, accounts=accounts, phi_attested=True)
    services.post_submit(post=post, actor=organizer)
    services.post_approve(post=post, actor=OPERATOR)
    page = sign_in(organizer.email)
    page.set_viewport_size(PHONE)
    for path in (f"/outreach/desk/{post.pk}/", f"/outreach/desk/{post.pk}/edit/",
                 f"/outreach/desk/queues/{accounts[2].pk}/", "/outreach/desk/?state=approved",
                 "/outreach/desk/queues/", "/outreach/desk/new/"):  # fmt: skip
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_be_visible()
        wide = page.evaluate(
            """() => Array.from(document.querySelectorAll("main *")).filter(e => e.getBoundingClientRect().right > 392).slice(-3).map(e => e.tagName + "." + e.className + " " + (e.textContent || "").slice(0, 50))"""
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (path, wide)
