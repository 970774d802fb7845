"""Browser tests: Chromium through Playwright against the live server, mail through real SMTP."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from playwright.sync_api import BrowserContext, Page, expect

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"  # the system's; no browser is ever downloaded
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000  # a page that does not answer in 10 s fails the test
# Impacts that fail a page; "minor" and "moderate" findings are printed but tolerated.
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    e2e = Path(__file__).parent
    for item in items:
        if e2e in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


# pytest-playwright's fixtures (browser, page, new_context, ...) with the system's Chromium.
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": browser_type_launch_args.get("headless", True),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL: the tests address pages by live_server.url. (pytest-playwright's own
    fixture for it is an instance method, which pytest now warns about, and warnings fail.)"""
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": DESKTOP}


@pytest.fixture(scope="session", autouse=True)
def _sync_browser_calls() -> Iterator[None]:
    """Playwright's sync API marks its event loop as running in this thread between calls, and
    Django then refuses ORM calls here as if they came from async code. Nothing async runs
    Django in these tests, so the check is lifted once they start (tests/conftest.py clears
    the mark for the tests that drive no browser, so the check still holds for them)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(autouse=True)
def _page_timeout(context: BrowserContext) -> None:
    context.set_default_timeout(TIMEOUT_MS)


# Data migrations whose rows the pages need: (module, function).
SEEDS = [
    ("hemonc.taxonomy.migrations.0002_seed", "seed"),
    ("hemonc.newsletter.migrations.0002_consent_text", "create"),
]


@pytest.fixture(autouse=True)
def _seed_data(_sync_browser_calls: None, transactional_db: None) -> None:
    """What the data migrations wrote (topics, career paths, the consent text), sown again.

    A transactional test empties every table when it ends, seeded ones included; and
    serialized_rollback breaks on the content types once another transactional test flushed.
    """
    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(django_apps, None)


SignIn = Callable[[str], Page]


@pytest.fixture
def sign_in(live_server: Any, new_context: Callable[..., BrowserContext]) -> SignIn:
    """A page of its own (a context of its own), signed in as the member with that email."""

    def signed_in(email: str) -> Page:
        page = new_context().new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    return signed_in


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where `snapshot` writes its PNGs; a pytest temporary directory, never committed."""
    directory = tmp_path_factory.mktemp("screenshots", numbered=True)
    print(f"\nscreenshots: {directory}")
    return directory


_axe = Axe()


def axe_check(page: Page) -> None:
    """Fail if axe-core finds a serious or critical accessibility violation on the page."""
    violations = _axe.run(page).response["violations"]
    report = [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"])
        for v in violations
    ]
    if report:
        print(f"axe on {page.url}:\n  " + "\n  ".join(report))
    blocking = [
        line for v, line in zip(violations, report, strict=True) if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, f"axe violations on {page.url}:\n" + "\n".join(blocking)


def snapshot(page: Page, directory: Path, name: str) -> None:
    """Check the page with axe and capture it at desktop and phone widths."""
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        axe_check(page)
        # From the top: a full-page capture of a scrolled page paints the sticky header mid-page.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=directory / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)
