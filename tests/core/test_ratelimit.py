"""Limits hold across processes, and key on the real client behind trusted proxies."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from hemonc.core.client import client_ip
from hemonc.core.errors import RateLimited
from hemonc.core.ratelimit import Limit, limit_consume, limit_take

ASKING = Limit(name="test.asking", count=3, seconds=60, message="Wait a minute, please.")


def _hemonc(var_dir: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.pop("CACHE_URL", None)
    env.update({"DJANGO_DEBUG": "true", "HEMONC_VAR_DIR": var_dir})
    return subprocess.run(
        [sys.executable, "-m", "hemonc", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_default_cache_is_shared_by_separate_processes(tmp_path):
    """Out of the box (SQLite, no CACHE_URL), a limit of one lets only one process through."""
    assert _hemonc(str(tmp_path), "migrate", "-v", "0").returncode == 0
    take = (
        "from hemonc.core.ratelimit import Limit, limit_take;"
        "print('allowed' if limit_take(Limit(name='t', count=1, seconds=600), 'a@b.org')"
        " else 'refused')"
    )
    first = _hemonc(str(tmp_path), "shell", "-v", "0", "-c", take)
    second = _hemonc(str(tmp_path), "shell", "-v", "0", "-c", take)

    assert first.stdout.strip() == "allowed", first.stderr
    assert second.stdout.strip() == "refused", second.stderr


@pytest.mark.django_db
def test_two_cache_instances_on_one_database_share_the_count(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                    "LOCATION": "test_limits_cache"},
    }  # fmt: skip
    call_command("createcachetable", verbosity=0)
    web = DatabaseCache("test_limits_cache", {})
    worker = DatabaseCache("test_limits_cache", {})

    taken = [limit_take(ASKING, "member-1", cache=c) for c in (web, worker, web, worker)]

    assert taken == [True, True, True, False]
    assert limit_take(ASKING, "member-2", cache=worker) is True


def test_a_limit_frees_its_places_after_its_period():
    now = timezone.now()
    with time_machine.travel(now, tick=False):  # within one window
        for _ in range(3):
            limit_consume(ASKING, "member-1")
        with pytest.raises(RateLimited, match=r"Wait a minute, please\."):
            limit_consume(ASKING, "member-1")

    with time_machine.travel(now + timedelta(seconds=61)):
        assert limit_take(ASKING, "member-1") is True


def test_a_limit_holds_in_every_window_and_windows_differ_per_key():
    """Each key's windows start at an offset of its own: not every limit resets at once."""
    start = timezone.now()
    allowed = {"member-1": 0, "member-2": 0}
    for second in range(0, 600, 5):
        with time_machine.travel(start + timedelta(seconds=second), tick=False):
            for key in allowed:
                allowed[key] += limit_take(ASKING, key)

    # 600 s span ten or eleven windows of 60 s; three events in each.
    assert all(30 <= count <= 33 for count in allowed.values())


def _request(remote: str, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_client_ip_ignores_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []

    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_client_ip_walks_forwarded_for_right_to_left_past_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.10"]

    # The client claims to be 1.2.3.4; the edge proxy saw 198.51.100.1; an inner hop 10.1.1.1.
    request = _request("192.0.2.10", "1.2.3.4, 198.51.100.1, 10.1.1.1")
    assert client_ip(request) == "198.51.100.1"
    # A connection that does not come from a trusted proxy is the client itself.
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    # Trusted proxy, no header: the proxy is all we know.
    assert client_ip(_request("10.0.0.5")) == "10.0.0.5"
    # An entry that is not an address stops the walk at the last hop we trust.
    assert client_ip(_request("10.0.0.5", "nonsense, 10.2.2.2")) == "10.2.2.2"
    assert client_ip(_request("10.0.0.5", " [2001:db8::1]:443 , 10.2.2.2")) == "2001:db8::1"


def test_client_ip_reads_an_address_with_its_port_and_a_chain_of_only_proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_ip(_request("10.0.0.5", "198.51.100.1:5678, 10.1.1.1")) == "198.51.100.1"
    # Every hop is a trusted proxy: the one furthest from us is all we know.
    assert client_ip(_request("10.0.0.5", "10.3.3.3, 10.2.2.2")) == "10.3.3.3"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_takes_on_the_database_cache_never_pass_the_limit(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                    "LOCATION": "test_limits_race"},
    }  # fmt: skip
    call_command("createcachetable", verbosity=0)
    once = Limit(name="test.once", count=1, seconds=600)
    barrier = threading.Barrier(6)
    outcomes: list[bool] = []

    def take() -> None:
        try:
            barrier.wait()
            outcomes.append(
                limit_take(once, "rosa@example.org", cache=DatabaseCache("test_limits_race", {}))
            )
        finally:
            connection.close()

    def race() -> list[bool]:
        outcomes.clear()
        threads = [threading.Thread(target=take) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(outcomes)

    try:
        first = race()
        # Once the place has expired, its old row is still there: the race is the same.
        with time_machine.travel(timezone.now() + timedelta(seconds=601)):
            second = race()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE test_limits_race")

    assert first == second == [False] * 5 + [True]
