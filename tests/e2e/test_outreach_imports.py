"""An organizer uploads files on the imports page in Chromium; the run's page follows the
import by itself (htmx polling) and says what happened, checked with axe-core."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from hemonc.members.enums import Role
from hemonc.outreach.models import FollowerSnapshot, ImportRun
from tests.e2e.conftest import snapshot
from tests.factories import make_member

FIXTURES = Path(__file__).parent.parent / "fixtures" / "outreach"


def test_the_run_page_shows_the_result_once_the_worker_imported_it(
    sign_in, settings, live_server, screenshot_dir: Path
) -> None:
    # The worker is this test: the upload only queues the task.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    page = sign_in(organizer.email)
    page.goto(f"{live_server.url}/organize/")
    page.get_by_role("link", name="Import files").click()

    page.get_by_label("Follower counts (CSV)").check()
    page.get_by_label("File", exact=True).set_input_files(FIXTURES / "followers.csv")
    page.get_by_label("Account").fill("@ExampleNet")
    page.get_by_role("button", name="Upload and import").click()

    status = page.get_by_role("status")
    expect(status).to_contain_text("Waiting to start")
    snapshot(page, screenshot_dir, "outreach-import-waiting")

    from hemonc.outreach.tasks import run_import_task

    run_import_task.call(ImportRun.objects.get().pk)
    expect(status).to_contain_text("Imported: 3 rows", timeout=15_000)
    expect(status).to_contain_text("Read 3 follower counts of @ExampleNet")
    assert FollowerSnapshot.objects.count() == 3
    snapshot(page, screenshot_dir, "outreach-import-done")

    page.get_by_role("link", name="Upload another file").click()
    page.get_by_label("File", exact=True).set_input_files(
        FIXTURES / "broken" / "tweet_activity_metrics_ExampleNet_20220615_20220715_en.csv"
    )
    page.get_by_label("Account").fill("ExampleNet")
    page.get_by_role("button", name="Upload and import").click()
    run_import_task.call(ImportRun.objects.latest("id").pk)
    status = page.get_by_role("status")
    expect(status).to_contain_text("Nothing was imported", timeout=15_000)
    expect(status).to_contain_text("'6OO.0' is not a whole number")
    snapshot(page, screenshot_dir, "outreach-import-failed")
    page.get_by_role("link", name="Past imports").click()
    expect(page.get_by_role("region", name="Past imports, scrollable table")).to_contain_text(
        "followers.csv"
    )
