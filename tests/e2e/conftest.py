"""Browser tests: Chromium through Playwright against the live server, mail through real SMTP."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
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
# Impacts that fail a page; "minor" and "moderate" findings are printed but tolerated.
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    e2e = Path(__file__).parent
    for item in items:
        if e2e in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


# Data migrations whose rows the pages need: (module, function).
SEEDS = [
    ("hemonc.taxonomy.migrations.0002_seed", "seed"),
    ("hemonc.newsletter.migrations.0002_consent_text", "create"),
]


@pytest.fixture(autouse=True)
def _seed_data(transactional_db: None) -> None:
    """What the data migrations wrote (topics, career paths, the consent text), sown again.

    A transactional test empties every table when it ends, seeded ones included; and
    serialized_rollback breaks on the content types once another transactional test flushed.
    """
    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(django_apps, None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API marks its event loop as running in this thread between calls, and
    # Django then refuses ORM calls here as if they came from async code. Nothing async runs
    # Django in these tests, so lift the check only while the browser is alive; and keep it
    # alive for one module only, so tests collected after this directory see no running loop.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


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
