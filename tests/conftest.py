"""Shared fixtures. `--db-only` keeps only the tests that touch the database (PostgreSQL run)."""

from __future__ import annotations

import pytest

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
def _empty_cache():  # type: ignore[no-untyped-def]
    """Each test starts with empty caches, as a freshly started server does."""
    from django.core.cache import caches

    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.fixture
def member(db):  # type: ignore[no-untyped-def]
    return make_member(display_name="Ana Lopez")


@pytest.fixture
def other_member(db):  # type: ignore[no-untyped-def]
    return make_member(display_name="Ben Okafor", institution="Lagos University", country="NG")
