"""The organizers' dashboard and the network report in Chromium, checked with axe-core."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from playwright.sync_api import Page, expect

from hemonc.members.enums import Role
from tests.e2e.conftest import snapshot
from tests.factories import PASSWORD, make_member

FIXTURES = Path(__file__).parent.parent / "fixtures" / "outreach"


def test_organizer_reads_the_dashboard_and_the_report(
    live_server, page: Page, screenshot_dir: Path
) -> None:
    call_command(
        "import-x-analytics",
        str(FIXTURES / "tweet_activity_metrics_ExampleNet_20220601_20220701_en.csv"),
        str(FIXTURES / "account_analytics_content_2022-07-01_2022-07-31.csv"),
        "--account",
        "ExampleNet",
    )
    call_command("import-followers", str(FIXTURES / "followers.csv"), "--account", "ExampleNet")
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.goto(f"{live_server.url}/organize/")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outreach")
    expect(page.locator("table").first).to_contain_text("2022-07")
    snapshot(page, screenshot_dir, "analytics-dashboard")

    page.goto(f"{live_server.url}/analytics/report/")
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.locator("body")).to_contain_text("The highest impressions per month have been")
    snapshot(page, screenshot_dir, "analytics-report")
