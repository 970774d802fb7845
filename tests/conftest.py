"""Shared fixtures. `--db-only` keeps only the tests that touch the database (PostgreSQL run)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.tasks import task_backends
from django.tasks.backends.dummy import DummyBackend
from django.test import override_settings

from tests.factories import make_member

pytest_plugins = ["tests.smtp"]

DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "live_server",
    "django_db_serialized_rollback",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-only", action="store_true", help="Run only the tests that use the database."
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--db-only"):
        return
    keep, drop = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(
            DB_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        (keep if uses_db else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep


@pytest.fixture(autouse=True)
def _no_browser_event_loop(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that drives no browser runs with no event loop marked as running in its thread.

    The browser tests' Playwright (one per session, pytest-playwright) marks its event loop
    as running in the main thread between its calls; Django would take any later test for
    async code and refuse its database queries. The mark is put back for Playwright after.
    """
    loop = asyncio._get_running_loop()
    if loop is None or request.node.get_closest_marker("browser"):
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    """Each test starts with empty caches, as a freshly started server does."""
    from django.core.cache import caches

    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.fixture(scope="module")
def demo_network(django_db_setup: None, django_db_blocker) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """`hemonc demo` run once for a whole module, as on a developer's machine; its output.

    It is written in a transaction left open while the module's tests run (each rolls its own
    writes back to a savepoint, as usual) and rolled back after the last one, so no other test
    ever sees a demo row. Tests that need an empty database or change the demo build their own.
    """
    out = StringIO()
    outer = transaction.atomic()
    # A test's own transaction, as Django's TestCase marks its class-wide one: the services'
    # durable transactions may run inside it.
    outer._from_testcase = True  # type: ignore[attr-defined]
    with django_db_blocker.unblock(), outer, override_settings(DEBUG=True):
        call_command("demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def dummy_tasks(settings) -> DummyBackend:  # type: ignore[no-untyped-def]
    """Tasks are kept, not run: the test reads what was enqueued from the backend's `results`.

    For tests about what gets queued (which task, when); tests about a task's effect keep the
    immediate backend of tests/settings.py or run the database queue's worker.
    """
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    backend.clear()
    return backend


@pytest.fixture
def member(db):  # type: ignore[no-untyped-def]
    return make_member(display_name="Ana Lopez")


@pytest.fixture
def other_member(db):  # type: ignore[no-untyped-def]
    return make_member(display_name="Ben Okafor", institution="Lagos University", country="NG")
