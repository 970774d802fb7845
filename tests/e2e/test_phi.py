"""The patient-identifier guard in Chromium: an organizer writes a newsletter issue with a date
of birth, sees it marked in the text, fixes it and sends; a text of medical shorthand alone is
never marked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from hemonc.members.enums import Role
from hemonc.newsletter.models import Issue
from tests.e2e.conftest import snapshot
from tests.factories import make_member
from tests.newsletter.conftest import make_subscriber


def test_organizer_fixes_a_date_of_birth_then_sends_and_shorthand_is_never_marked(
    live_server: Any, sign_in: Any, screenshot_dir: Path, dummy_tasks: Any
) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    make_subscriber("reader@example.org")
    page = sign_in(organizer.email)

    page.goto(f"{live_server.url}/newsletter/manage/new/")
    page.get_by_label("Subject").fill("November")
    page.get_by_label("Body").fill("A case from clinic: DOB 3/14/1961, now in remission.")
    page.get_by_role("button", name="Save draft").click()

    mark = page.locator("mark.phi")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text("3/14/1961")
    expect(mark).to_have_attribute("data-kind", "date")
    expect(
        page.get_by_text("This text may identify a patient: 1 date, marked here.")
    ).to_be_visible()
    expect(
        page.get_by_label("No patient identifiers; consent obtained where needed")
    ).to_be_visible()
    snapshot(page, screenshot_dir, "phi-issue-marked")
    assert not Issue.objects.exists()

    page.get_by_label("Body").fill("A case from clinic, now in remission.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("The draft is saved.")).to_be_visible()
    page.get_by_role("button", name="Send or schedule").click()
    expect(page.get_by_text("Sending has started.")).to_be_visible()
    issue = Issue.objects.get()
    assert issue.status == "sending" and issue.phi_attested_at is None

    page.goto(f"{live_server.url}/newsletter/manage/new/")
    page.get_by_label("Subject").fill("December")
    page.get_by_label("Body").fill("R-CHOP x6, NCCN v2.2023, #ASH21")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("The draft is saved.")).to_be_visible()
    expect(page.locator("mark.phi")).to_have_count(0)
    snapshot(page, screenshot_dir, "phi-issue-clean")
