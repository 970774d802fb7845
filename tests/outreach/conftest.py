"""Fixtures for outreach tests: the real-layout export files and a way to import them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "outreach"
JUNE = FIXTURES / "tweet_activity_metrics_ExampleNet_20220601_20220701_en.csv"
WINDOW = FIXTURES / "tweet_activity_metrics_ExampleNet_20220615_20220715_en.csv"
CONTENT = FIXTURES / "account_analytics_content_2022-07-01_2022-07-31.csv"
OVERVIEW = FIXTURES / "account_overview_analytics.csv"
ARCHIVE = FIXTURES / "tweets.js"
FOLLOWERS = FIXTURES / "followers.csv"
ALL_X = [JUNE, WINDOW, CONTENT, OVERVIEW, ARCHIVE]


@pytest.fixture
def import_x(db):  # type: ignore[no-untyped-def]
    def run(*paths: Path, account: str | None = "ExampleNet") -> str:
        from io import StringIO

        out = StringIO()
        args = [str(p) for p in paths] + (["--account", account] if account else [])
        call_command("import-x-analytics", *args, stdout=out)
        return out.getvalue()

    return run


# The publishing desk's stand-in accounts (tests/outreach/desk_support.py).
from tests.outreach.desk_support import bsky, fast_retries, masto, xapi  # noqa: E402, F401
