"""Live sessions: reminders for 5,000 RSVPs through the task worker, and the public ICS feed.

For each database (SQLite, then PostgreSQL when reachable) a child process
(`python -m bench.sessions measure`) migrates a fresh database, starts an aiosmtpd server on
loopback, creates one session with 5,000 RSVPs and lets `hemonc db_worker` deliver its
24-hour reminders; the baseline is a bare smtplib loop sending the same rendered messages
to the same server in the same run. Then it fills 500 sessions and times the public feed
(`/sessions/feed.ics`) through the Django test client, rebuilt on every request (cold) and
served from the cache (warm), against the bare view of bench/urls.py.
"""

from __future__ import annotations

import email.policy
import json
import os
import secrets
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import CHILD_PYTHONPATH, REPO_ROOT, target
from bench.common import (
    LOOPBACK,
    POSTGRES_SERVER,
    drop_postgres_database,
    free_port,
    recreate_postgres_database,
)

TITLE = "Live sessions: reminders and calendar feed"
RSVPS = 5_000
FEED_SESSIONS = 500
FEED_REQUESTS = 200
TARGET_RATIO = 0.5
TARGET_P95_MS = 200.0
GUESTS = 20_000
TARGET_GUESTS_S = 10.0
POSTGRES_DATABASE = "hemonc_bench_sessions"


def run(*, rsvps: int = RSVPS, feed_sessions: int = FEED_SESSIONS) -> dict[str, Any]:
    notes: list[str] = []
    measured: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hemonc-bench-sessions-") as scratch:
        databases = [("SQLite", f"sqlite:///{Path(scratch) / 'bench.sqlite3'}")]
        problem = recreate_postgres_database(POSTGRES_DATABASE)
        if problem:
            notes.append(f"PostgreSQL was skipped: {problem}.")
        else:
            databases.append(("PostgreSQL", f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"))
        try:
            for label, url in databases:
                print(f"   {label}: measuring", flush=True)
                result = _child(url, Path(scratch) / label, rsvps, feed_sessions)
                measured.append({"label": label, **result})
        finally:
            if not problem:
                drop_postgres_database(POSTGRES_DATABASE)
    targets = []
    for m in measured:
        targets.append(
            target(
                subject=f"{m['label']} reminders",
                name="worker / bare smtplib",
                measured=m["ratio"],
                op=">=",
                limit=TARGET_RATIO,
            )
        )
        targets.append(
            target(
                subject=f"{m['label']} public feed, {feed_sessions} sessions, one just changed",
                name="p95",
                measured=m["feed_changed"]["p95_ms"],
                op="<",
                limit=TARGET_P95_MS,
                unit=" ms",
            )
        )
        targets.append(
            target(
                subject=f"{m['label']} import of one session with {GUESTS:,} new guests",
                name="seconds",
                measured=m["guests"]["new_s"],
                op="<",
                limit=TARGET_GUESTS_S,
                unit=" s",
            )
        )
    return {
        "summary": (
            f"{rsvps:,} RSVPs to one session: the 24-hour reminders delivered by the task worker "
            "to an SMTP server on loopback, against a bare smtplib loop sending the same "
            f"messages; and the public ICS feed of {feed_sessions} sessions."
        ),
        "command": ".venv/bin/python -m bench sessions",
        "databases": [
            {"label": m["label"], "vendor": m["vendor"], "version": m["version"]} for m in measured
        ],
        "targets": targets,
        "tables": [
            {
                "title": "Reminders",
                "columns": [
                    ["database", "Database"],
                    ["messages", "Messages"],
                    ["worker_per_s", "Worker msg/s"],
                    ["bare_per_s", "Bare smtplib msg/s"],
                    ["ratio", "Ratio"],
                    ["worker_s", "Worker s"],
                    ["bare_s", "Bare s"],
                ],
                "rows": [
                    {
                        "database": m["label"],
                        "messages": m["messages"],
                        "worker_per_s": m["worker_per_s"],
                        "bare_per_s": m["bare_per_s"],
                        "ratio": m["ratio"],
                        "worker_s": m["worker_s"],
                        "bare_s": m["bare_s"],
                    }
                    for m in measured
                ],
            },
            {
                "title": "Public ICS feed (Django test client, in process)",
                "columns": [
                    ["database", "Database"],
                    ["case", "Case"],
                    ["p50_ms", "p50 ms"],
                    ["p95_ms", "p95 ms"],
                    ["max_ms", "max ms"],
                    ["ratio", "p95 / bare p95"],
                ],
                "rows": [
                    {
                        "database": m["label"],
                        "case": case,
                        **m[key],
                        "ratio": round(m[key]["p95_ms"] / m["bare"]["p95_ms"], 1),
                    }
                    for m in measured
                    for case, key in (
                        ("bare view", "bare"),
                        ("feed, built from nothing", "feed_cold"),
                        ("feed, one session just changed", "feed_changed"),
                        ("feed, cached", "feed_warm"),
                    )
                ],
            },
            {
                "title": f"Sessions import: one session with {GUESTS:,} guests",
                "columns": [
                    ["database", "Database"],
                    ["new_s", "All guests new, s"],
                    ["again_s", "Same file again, s"],
                    ["queries", "Queries (new)"],
                ],
                "rows": [{"database": m["label"], **m["guests"]} for m in measured],
            },
        ],
        "notes": [
            *notes,
            "The worker is `hemonc db_worker --batch` (django-tasks-db) running the session's "
            "one reminder task: it reads the RSVPs, renders the mail once per recipient zone, "
            "makes each person's copy (their cancel link, List-Unsubscribe) as MIME bytes "
            "(hemonc.core.bulkmail), records it (one ReminderDelivery row per RSVP, its own "
            "transaction, committed after the server accepted the mail) and writes it to one "
            "SMTP connection. The baseline sends the same messages, built beforehand by "
            "Django's mail classes, with smtplib over one connection, with no database.",
            "The SMTP server is aiosmtpd on 127.0.0.1 in the measuring process; it counts "
            "messages and discards them.",
            f"The feed is timed over {FEED_REQUESTS} requests per case. The feed is cached as a "
            "whole until any session changes, and each event's text is cached under its "
            "session's last change: 'built from nothing' empties the cache before each request "
            "(after a cache restart: every event rendered by icalendar); 'one session just "
            "changed' edits a session before each request (one event rendered, the rest "
            "joined from the cache), the target case; 'cached' is what calendar apps get "
            "between changes. The test client runs in process: no HTTP server or network.",
            f"The sessions import reads one row naming {GUESTS:,} guests, one in ten of them "
            "a member's email address (which links the member), through `sessions_import`: "
            "the addresses are matched in one query, the names in another, and the new guests "
            "are inserted together, so the count of queries does not grow with guests.",
        ],
        "details": {"measured": measured},
    }


def _child(database_url: str, var_dir: Path, rsvps: int, feed_sessions: int) -> dict[str, Any]:
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HEMONC_"))},
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "HEMONC_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": CHILD_PYTHONPATH,
    }
    completed = subprocess.run(
        [sys.executable, "-m", "bench.sessions", "measure", str(rsvps), str(feed_sessions)],
        env=env,
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# The measuring child process


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def _wait_for(counter: _Counter, count: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while counter.count < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"expected {count} messages, the server got {counter.count}")
        time.sleep(0.005)


def _measure(rsvps: int, feed_sessions: int) -> dict[str, Any]:
    from aiosmtpd.controller import Controller

    counter = _Counter()
    controller = Controller(counter, hostname=LOOPBACK, port=free_port())
    controller.start()
    os.environ["EMAIL_URL"] = f"smtp://{LOOPBACK}:{controller.port}"
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from hemonc.core.caching import page_cache as cache
    from hemonc.events.emails import rsvp_message
    from hemonc.events.enums import RsvpStatus
    from hemonc.events.models import LiveSession, Rsvp
    from hemonc.events.tasks import send_session_reminders_task
    from hemonc.members.models import Profile, User

    call_command("migrate", verbosity=0)
    starts = (timezone.now() + timedelta(hours=23)).replace(second=0, microsecond=0)
    session = LiveSession.objects.create(
        title="Pre-ASH special",
        starts_at=starts,
        time_zone="America/New_York",
        join_url="https://zoom.bench.invalid/j/1",
    )
    users = User.objects.bulk_create(
        User(email=f"member{n}@bench.invalid", password=make_password(None)) for n in range(rsvps)
    )
    if connection.vendor == "sqlite":  # bulk_create returns no ids on every SQLite
        users = list(User.objects.filter(email__endswith="@bench.invalid").order_by("id"))
    Profile.objects.bulk_create(Profile(user=u, display_name=f"Member {u.pk}") for u in users)
    Rsvp.objects.bulk_create(Rsvp(session=session, user=u, status=RsvpStatus.GOING) for u in users)

    # The baseline: the same messages, rendered beforehand, sent by a bare smtplib loop.
    rendered = [
        (
            rsvp.recipient,
            rsvp_message(rsvp, kind="reminder_24h").message(policy=email.policy.SMTP).as_bytes(),
        )
        for rsvp in session.rsvps.select_related("user__profile", "session").order_by("id")
    ]
    start_count = counter.count
    clock = time.perf_counter()
    with smtplib.SMTP(LOOPBACK, controller.port) as smtp:
        for recipient, message in rendered:
            smtp.sendmail("noreply@bench.invalid", [recipient], message)
    _wait_for(counter, start_count + rsvps)
    bare_s = time.perf_counter() - clock

    send_session_reminders_task.enqueue(session.pk, "24h", starts.isoformat())
    start_count = counter.count
    clock = time.perf_counter()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    _wait_for(counter, start_count + rsvps)
    worker_s = time.perf_counter() - clock
    controller.stop()

    # The public feed with 500 sessions.
    LiveSession.objects.all().delete()
    first = timezone.now() - timedelta(days=400)
    LiveSession.objects.bulk_create(
        LiveSession(
            title=f"Session {n}: careers in hematology-oncology",
            starts_at=first + timedelta(days=2 * n),
            description="A live discussion with invited guests about training and careers.",
            time_zone="America/New_York",
            join_url="https://x.com/i/spaces/bench",
            check_in_code=f"bench{n}",
        )
        for n in range(feed_sessions)
    )
    client = Client()

    touched = list(LiveSession.objects.values_list("pk", flat=True))

    def timed(path: str, *, cold: bool = False, change: bool = False) -> dict[str, float]:
        latencies = []
        for n in range(FEED_REQUESTS):
            if cold:
                cache.clear()
            if change:  # an organizer edits one session between two requests
                LiveSession.objects.filter(pk=touched[n % len(touched)]).update(
                    updated_at=timezone.now()
                )
            clock = time.perf_counter()
            response = client.get(path)
            latencies.append(time.perf_counter() - clock)
            assert response.status_code == 200, response.status_code
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        return {
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p95_ms": round(cuts[94] * 1000, 2),
            "max_ms": round(max(latencies) * 1000, 2),
        }

    client.get("/sessions/feed.ics")  # warm imports and templates
    bare = timed("/bench/bare/")
    feed_cold = timed("/sessions/feed.ics", cold=True)
    feed_changed = timed("/sessions/feed.ics", change=True)
    feed_warm = timed("/sessions/feed.ics")
    guests = _guest_import(users)
    return {
        "vendor": connection.vendor,
        "version": ".".join(map(str, connection.Database.sqlite_version_info))
        if connection.vendor == "sqlite"
        else str(connection.pg_version),
        "messages": rsvps,
        "worker_s": round(worker_s, 2),
        "bare_s": round(bare_s, 2),
        "worker_per_s": round(rsvps / worker_s, 1),
        "bare_per_s": round(rsvps / bare_s, 1),
        "ratio": round(bare_s / worker_s, 2),
        "bare": bare,
        "feed_cold": feed_cold,
        "feed_changed": feed_changed,
        "feed_warm": feed_warm,
        "guests": guests,
    }


def _guest_import(users: list[Any]) -> dict[str, Any]:
    """One session naming GUESTS guests, imported twice: all new, then all known."""
    from datetime import UTC, datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hemonc.core.permissions import OPERATOR
    from hemonc.events.importers.sessions_csv import SessionRow
    from hemonc.events.services import sessions_import

    members = [u.email for u in users[: GUESTS // 10]]  # an address links its member
    names = (*members, *(f"Guest {n}" for n in range(GUESTS - len(members))))
    row = SessionRow(
        line=2, starts_at=datetime(2021, 7, 8, 20, tzinfo=UTC), title="Big panel",
        kind="regular", guests=names, attendance=None, recording_url="",
    )  # fmt: skip
    timings = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            clock = time.perf_counter()
            sessions_import(season_name="Guests", rows=[row], actor=OPERATOR)
            timings.append(time.perf_counter() - clock)
        if not timings[1:]:
            count = len(queries.captured_queries)
    return {"new_s": round(timings[0], 2), "again_s": round(timings[1], 2), "queries": count}


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "measure":
        print(json.dumps(_measure(int(sys.argv[2]), int(sys.argv[3]))), flush=True)
    else:
        from bench.__main__ import main

        sys.exit(main(["sessions"]))
