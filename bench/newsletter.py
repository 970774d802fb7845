"""Sending a newsletter issue: 20,000 subscribers, the task worker, a local SMTP server.

The run migrates a fresh SQLite database, adds the subscribers and fills the issue's outbox
(`python -m bench.newsletter seed`), starts an SMTP sink on loopback (bench/smtp_sink.py, in its own
process: `python -m bench.newsletter sink`), and runs `hemonc db_worker --batch` until the
issue is sent. The baseline, in the same run: a bare smtplib loop sending the same number of
prepared messages (copies of one the worker sent) over one connection to the same sink.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import CHILD_PYTHONPATH, REPO_ROOT, target
from bench.common import LOOPBACK, free_port, log

TITLE = "Newsletter sending"
SUBSCRIBERS = 20_000
TARGET_RATIO = 0.5
TARGET_RATE = 500.0
TARGET_MEMORY_MB = 300.0
BIN = Path(sys.executable).parent


def _environment(database_url: str, var_dir: Path, smtp_port: int) -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "HEMONC_", "NEWSLETTER_"))
        and name not in {"DATABASE_URL", "EMAIL_URL", "SITE_URL"}
    }
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "hemonc.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SITE_URL": "https://news.bench.invalid",
        "EMAIL_URL": f"smtp://{LOOPBACK}:{smtp_port}",
        "HEMONC_VAR_DIR": str(var_dir),
        "NEWSLETTER_RATE_LIMIT": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": CHILD_PYTHONPATH,
    }


def _sink_reading(count_file: Path) -> tuple[int, float]:
    """(messages received, messages per second between the first and the last arrival)."""
    try:
        count, first, last = count_file.read_text().split()
    except (OSError, ValueError):
        return 0, 0.0
    span = float(last) - float(first)
    return int(count), (int(count) - 1) / span if span > 0 else 0.0


def _start_sink(port: int, scratch: Path, name: str) -> tuple[subprocess.Popen[bytes], Path]:
    count_file = scratch / f"{name}.count"
    sample = scratch / f"{name}.eml"
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench.newsletter", "sink", "--port", str(port),
         "--count-file", str(count_file), "--sample", str(sample)],
        cwd=REPO_ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return sink, count_file
        except OSError:
            time.sleep(0.1)
    sink.kill()
    raise RuntimeError("the SMTP sink did not start")


def _stop_sink(sink: subprocess.Popen[bytes]) -> None:
    sink.send_signal(signal.SIGTERM)
    try:
        sink.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sink.kill()


def run(*, subscribers: int = SUBSCRIBERS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hemonc-bench-newsletter-") as scratch_name:
        scratch = Path(scratch_name)
        var_dir = scratch / "var"
        database_url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
        port = free_port()
        env = _environment(database_url, var_dir, port)
        log("migrating")
        subprocess.run(
            [str(BIN / "hemonc"), "migrate", "--no-input", "--verbosity", "0"],
            env=env, cwd=REPO_ROOT, check=True,
        )  # fmt: skip
        log(f"adding {subscribers:,} subscribers and filling the outbox")
        seeded = subprocess.run(
            [sys.executable, "-m", "bench.newsletter", "seed", "--subscribers", str(subscribers)],
            env=env, cwd=REPO_ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if seeded.returncode:
            raise RuntimeError(f"seeding failed:\n{seeded.stderr[-3000:]}")
        issue_id = json.loads(seeded.stdout.strip().splitlines()[-1])["issue"]

        sink, count_file = _start_sink(port, scratch, "worker")
        log("worker: sending")
        started = time.perf_counter()
        worker = subprocess.Popen(
            [str(BIN / "hemonc"), "db_worker", "--batch", "--no-startup-delay", "--no-reload",
             "--verbosity", "0"],
            env=env, cwd=REPO_ROOT,
        )  # fmt: skip
        _, status, usage = os.wait4(worker.pid, 0)
        worker_seconds = time.perf_counter() - started
        worker.returncode = os.waitstatus_to_exitcode(status)
        time.sleep(0.3)
        _stop_sink(sink)
        worker_received, worker_rate = _sink_reading(count_file)
        peak_mb = usage.ru_maxrss / 1024
        checked = subprocess.run(
            [sys.executable, "-m", "bench.newsletter", "check", "--issue", str(issue_id)],
            env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        outbox = json.loads(checked.stdout.strip().splitlines()[-1])
        sample = (scratch / "worker.eml").read_bytes()
        log(f"worker: {worker_received:,} messages in {worker_seconds:.1f} s")

        sink, count_file = _start_sink(port, scratch, "baseline")
        log("baseline: bare smtplib loop over one connection")
        baseline_seconds = _baseline(port, sample, subscribers)
        time.sleep(0.3)
        _stop_sink(sink)
        baseline_received, baseline_rate = _sink_reading(count_file)
        log(f"baseline: {baseline_received:,} messages in {baseline_seconds:.1f} s")

    ratio = worker_rate / baseline_rate if baseline_rate else None
    return {
        "summary": f"One issue sent to {subscribers:,} subscribers by the task worker "
        "(`hemonc db_worker`, SQLite, one SMTP connection, each delivery committed as sent) "
        "to an SMTP sink on loopback, compared with a bare smtplib loop sending the same "
        "number of prepared messages over one connection to the same sink.",
        "command": ".venv/bin/python -m bench newsletter",
        "databases": [{"label": "SQLite", "vendor": "sqlite", "version": _sqlite_version()}],
        "tables": [
            {
                "title": "Figures",
                "columns": [
                    ["sender", "Sender"],
                    ["messages", "Messages received"],
                    ["seconds", "Seconds"],
                    ["rate", "Messages/s at the sink"],
                    ["memory", "Peak memory MB"],
                    ["notes", "Notes"],
                ],
                "rows": [
                    {
                        "sender": "Worker (outbox)",
                        "messages": worker_received,
                        "seconds": round(worker_seconds, 2),
                        "rate": round(worker_rate, 1),
                        "memory": round(peak_mb, 1),
                        "notes": f"seconds: wall time incl. start-up; outbox: {outbox}",
                    },
                    {
                        "sender": "Bare smtplib loop",
                        "messages": baseline_received,
                        "seconds": round(baseline_seconds, 2),
                        "rate": round(baseline_rate, 1),
                        "memory": None,
                        "notes": "seconds: the send loop; prepared bytes, no database",
                    },
                ],
            }
        ],
        "targets": [
            target(
                subject="Worker",
                name="messages/s ÷ bare smtplib messages/s",
                measured=round(ratio, 2) if ratio else None,
                op=">=",
                limit=TARGET_RATIO,
            ),
            target(
                subject="Worker",
                name="messages/s",
                measured=round(worker_rate, 1),
                op=">=",
                limit=TARGET_RATE,
            ),
            target(
                subject="Worker",
                name="peak memory",
                measured=round(peak_mb, 1),
                op="<",
                limit=TARGET_MEMORY_MB,
                unit=" MB",
            ),
            target(
                subject="Worker",
                name="recipients with exactly one copy",
                measured=outbox.get("sent", 0),
                op="=",
                limit=subscribers,
            ),
        ],
        "notes": [
            "Both rates are measured the same way, at the sink: messages between the first and "
            "the last arrival, divided by the time between them; start-up (the worker's Python "
            "and Django, rendering the issue; the loop's preparing of messages) is in neither.",
            "The sink (bench/smtp_sink.py, a minimal asyncio SMTP server) runs in its own process "
            "and counts messages without parsing "
            "them; on a 2-core machine it competes with the sender for CPU in both runs.",
            "The worker's time includes its start-up (Django, the first query) and the lease "
            "and commit of every delivery.",
        ],
        "details": {"outbox": outbox, "issue": issue_id},
    }


def _baseline(port: int, sample: bytes, count: int) -> float:
    head, _, rest = sample.partition(b"\r\nTo: ")
    _, _, rest = rest.partition(b"\r\n")
    messages = [head + f"\r\nTo: reader{n}@bench.invalid\r\n".encode() + rest for n in range(count)]
    started = time.perf_counter()
    with smtplib.SMTP(LOOPBACK, port) as client:
        for number, message in enumerate(messages):
            client.sendmail("news@bench.invalid", [f"reader{number}@bench.invalid"], message)
    return time.perf_counter() - started


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


# ---------------------------------------------------------------------------------------------
# Helpers that run in their own processes.


def _seed(subscribers: int) -> None:
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from hemonc.core.permissions import OPERATOR
    from hemonc.newsletter import services
    from hemonc.newsletter.models import Subscriber

    stages = ["resident", "fellow", "attending", "advanced_fellow", "medical_student", ""]
    countries = ["US", "GB", "IN", "BR", "NG", "CA", "MX", "DE", ""]
    now = timezone.now()
    with transaction.atomic():
        Subscriber.objects.bulk_create(
            (
                Subscriber(
                    email=f"reader{n:05d}@bench.invalid",
                    status="subscribed",
                    stage=stages[n % len(stages)],
                    country=countries[n % len(countries)],
                    consented_at=now,
                    consent_source="import",
                )
                for n in range(subscribers)
            ),
            batch_size=2000,
        )
    body = (
        "Welcome to this month's issue.\n\n### Live sessions\n\n"
        + "\n".join(f"- **Session {n}:** a guest, a topic and time for questions" for n in range(8))
        + "\n\n[See every session](https://news.bench.invalid/sessions/)\n\n"
        + "A paragraph of news for trainees. " * 40
    )
    issue = services.issue_create(subject="Bench: the monthly issue", body=body, actor=OPERATOR)
    services.issue_send_now(issue=issue, actor=OPERATOR, attested=True)
    print(json.dumps({"issue": issue.pk}))


def _check(issue_id: int) -> None:
    import django

    django.setup()
    from django.db.models import Count

    from hemonc.newsletter.models import Delivery

    counts = dict(
        Delivery.objects.filter(issue_id=issue_id)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    print(json.dumps(counts))


def _sink(port: int, count_file: Path, sample: Path) -> None:
    """Count the messages the sink receives; keep the first one as the baseline's sample."""
    import asyncio

    from bench.smtp_sink import serve

    received = 0
    first = last = 0.0

    def on_message(raw: bytes) -> None:
        nonlocal received, first, last
        last = time.perf_counter()
        if not received:
            sample.write_bytes(raw)
            first = last
        received += 1

    def write() -> None:
        count_file.write_text(f"{received} {first} {last}")

    async def main() -> None:
        server = await serve(LOOPBACK, port, on_message)
        stopping = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
        while not stopping.is_set():
            write()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=0.2)
        server.close()
        write()

    asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.newsletter")
    commands = parser.add_subparsers(dest="command", required=True)
    seed = commands.add_parser("seed")
    seed.add_argument("--subscribers", type=int, default=SUBSCRIBERS)
    check = commands.add_parser("check")
    check.add_argument("--issue", type=int, required=True)
    sink = commands.add_parser("sink")
    sink.add_argument("--port", type=int, required=True)
    sink.add_argument("--count-file", type=Path, required=True)
    sink.add_argument("--sample", type=Path, required=True)
    arguments = parser.parse_args()
    if arguments.command == "seed":
        _seed(arguments.subscribers)
    elif arguments.command == "check":
        _check(arguments.issue)
    else:
        _sink(arguments.port, arguments.count_file, arguments.sample)


if __name__ == "__main__":
    main()
