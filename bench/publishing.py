"""Publishing from the desk: 1,000 due posts, threads of 1-8 parts, to local stand-ins of
Bluesky and Mastodon through the task worker.

The run migrates a fresh database, adds a Bluesky and a Mastodon account whose services are
the stand-ins (tests/standins/, in a process of their own: `python -m bench.publishing
standins`), and schedules 1,000 approved posts through the desk's services, each to both
accounts; the schedule enqueues one task per post. Their release time is then moved to now
and `hemonc db_worker --batch` publishes them (the first task publishes everything due; the
others find nothing left). The baseline, in the same run: a bare loop of
HTTP requests (one keep-alive session, no database) sending the same payloads the worker
sent, as the stand-ins received them, each with a new record key or Idempotency-Key.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench import CHILD_PYTHONPATH, REPO_ROOT, target
from bench.common import (
    POSTGRES_SERVER,
    drop_postgres_database,
    log,
    recreate_postgres_database,
)

TITLE = "Publishing desk"
POSTS = 1_000
TARGET_RATIO = 0.5
BIN = Path(sys.executable).parent
BLUESKY_HANDLE = "hemonc.bsky.social"
MASTODON_HANDLE = "hemonc@mastodon.example"
PASSWORD = "bench-app-password"  # noqa: S105 - a stand-in's
TOKEN = "bench-token"  # noqa: S105 - a stand-in's

SENTENCES = [
    "Ferritin below 30 points to iron deficiency even when the hemoglobin is normal.",
    "Oral iron every other day is absorbed better than daily dosing.",
    "A peripheral smear still answers questions no analyzer can.",
    "Schistocytes with a low platelet count call for an ADAMTS13 level today.",
    "Hydroxyurea lowers the rate of pain crises in sickle cell disease.",
    "Factor V Leiden raises the risk of a first clot, less so of a second.",
    "Check the reticulocyte count before you call an anemia hypoproliferative.",
    "Heparin-induced thrombocytopenia is a clinical diagnosis first and a lab one second.",
    "Bone marrow biopsy answers what the smear and flow cytometry suggest.",
    "Anticoagulation for cancer-associated clots now starts with a DOAC for most patients.",
    "CAR-T cells need a plan for cytokine release syndrome before the infusion.",
    "Minimal residual disease guides how long myeloma therapy should go on.",
]
TAGS = ["#hemetwitter", "#MedEd", "#Tweetorial", "#ASH25", "#mmsm", "#lymsm"]


def _text(rng: random.Random, parts: int) -> str:
    """A text that makes about `parts` Bluesky posts (300 graphemes, ' i/n' included)."""
    want = 40 + (parts - 1) * 270 if parts > 1 else rng.randint(60, 200)
    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < want:
        sentences.append(rng.choice(SENTENCES))
    body = " ".join(sentences)
    if parts == 1:
        body = body[:230].rsplit(" ", 1)[0] + "."
    return f"{body}\n\nMore: https://hemonc.example/learn/{rng.randint(1, 999)} {rng.choice(TAGS)}"


def _environment(database_url: str, var_dir: Path) -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "HEMONC_", "OUTREACH_"))
        and name not in {"DATABASE_URL", "EMAIL_URL", "SITE_URL"}
    }
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "hemonc.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "HEMONC_SECRETS_KEY": secrets.token_urlsafe(32),
        "SITE_URL": "https://desk.bench.invalid",
        "HEMONC_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": CHILD_PYTHONPATH,
    }


# ---------------------------------------------------------------------------------------------
# The stand-ins, in their own process


class _Standins:
    def __init__(self, scratch: Path) -> None:
        self.ports = scratch / "ports.json"
        self.stats = scratch / "stats.json"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.publishing", "standins",
             "--ports-file", str(self.ports), "--stats-file", str(self.stats)],
            cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": CHILD_PYTHONPATH},
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not self.ports.exists():
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError("the stand-ins did not start")
            time.sleep(0.1)
        time.sleep(0.1)
        self.urls: dict[str, str] = json.loads(self.ports.read_text())

    def take(self) -> dict[str, Any]:
        """What the stand-ins received since the last call (posts, their bodies, times)."""
        self.stats.unlink(missing_ok=True)
        self.process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 60
        while not self.stats.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the stand-ins did not report")
            time.sleep(0.05)
        time.sleep(0.2)
        return json.loads(self.stats.read_text())

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _serve_standins(ports_file: Path, stats_file: Path) -> None:
    from tests.standins import run as serve_app
    from tests.standins.bluesky import POST_PATH as BSKY_POST
    from tests.standins.bluesky import BlueskyApp, BlueskyState
    from tests.standins.mastodon import POST_PATH as MASTO_POST
    from tests.standins.mastodon import MastodonApp, MastodonState

    lock = threading.Lock()
    seen: list[dict[str, Any]] = []

    def recording(app: Any, platform: str, post_path: str) -> Any:
        route = app.route

        def wrapped(request: Any) -> Any:
            found = route(request)
            if found is None or request.method != "POST" or request.path != post_path:
                return found

            def answer(req: Any) -> Any:
                result = found(req)
                if result.status < 300:
                    with lock:
                        seen.append(
                            {
                                "platform": platform,
                                "at": time.time(),
                                "body": req.body.decode(),
                                "key": req.headers.get("Idempotency-Key", ""),
                            }
                        )
                return result

            return answer

        app.route = wrapped
        return app

    bsky = recording(BlueskyApp(BlueskyState(BLUESKY_HANDLE, PASSWORD)), "bluesky", BSKY_POST)
    masto = recording(
        MastodonApp(MastodonState(TOKEN, 500, "mastodon.example")), "mastodon", MASTO_POST
    )
    stopping = threading.Event()

    def report(*_: Any) -> None:
        with lock:
            taken = list(seen)
            seen.clear()
        partial = stats_file.with_suffix(".part")
        partial.write_text(json.dumps(taken))
        partial.rename(stats_file)

    signal.signal(signal.SIGUSR1, report)
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    with serve_app(bsky) as bsky_url, serve_app(masto) as masto_url:
        ports_file.write_text(json.dumps({"bluesky": bsky_url, "mastodon": masto_url}))
        while not stopping.is_set():
            stopping.wait(0.2)


# ---------------------------------------------------------------------------------------------
# The measured runs


def _rate(received: list[dict[str, Any]]) -> tuple[int, float, float]:
    """(posts, seconds between the first and the last, posts per second)."""
    if len(received) < 2:
        return len(received), 0.0, 0.0
    times = sorted(item["at"] for item in received)
    span = times[-1] - times[0]
    return len(received), span, (len(received) - 1) / span if span > 0 else 0.0


def _baseline(urls: dict[str, str], received: list[dict[str, Any]]) -> float:
    """Send the worker's payloads again, one request after the other, over keep-alive
    sessions; each with a new Bluesky record key or Mastodon Idempotency-Key."""
    import requests

    from hemonc.outreach.desk.platforms import new_key

    bsky = requests.Session()
    session = bsky.post(
        f"{urls['bluesky']}/xrpc/com.atproto.server.createSession",
        json={"identifier": BLUESKY_HANDLE, "password": PASSWORD},
        timeout=10,
    ).json()
    bsky.headers["Authorization"] = f"Bearer {session['accessJwt']}"
    masto = requests.Session()
    masto.headers["Authorization"] = f"Bearer {TOKEN}"
    prepared: list[tuple[requests.Session, str, bytes, dict[str, str]]] = []
    for item in received:
        body = json.loads(item["body"])
        if item["platform"] == "bluesky":
            body["rkey"] = new_key()
            url = f"{urls['bluesky']}/xrpc/com.atproto.repo.createRecord"
            prepared.append((bsky, url, json.dumps(body).encode(), {}))
        else:
            url = f"{urls['mastodon']}/api/v1/statuses"
            headers = {"Idempotency-Key": uuid.uuid4().hex}
            prepared.append((masto, url, json.dumps(body).encode(), headers))
    started = time.perf_counter()
    for client, url, payload, headers in prepared:
        response = client.post(
            url,
            data=payload,
            headers={"Content-Type": "application/json", **headers},
            timeout=30,
        )
        response.raise_for_status()
    return time.perf_counter() - started


def _measure(
    label: str, vendor: str, database_url: str, scratch: Path, posts: int
) -> dict[str, Any]:
    var_dir = scratch / f"var-{vendor}"
    env = _environment(database_url, var_dir)
    (scratch / vendor).mkdir(exist_ok=True)
    standins = _Standins(scratch / vendor)
    try:
        log(f"{label}: migrating")
        subprocess.run(
            [str(BIN / "hemonc"), "migrate", "--no-input", "--verbosity", "0"],
            env=env, cwd=REPO_ROOT, check=True,
        )  # fmt: skip
        log(f"{label}: scheduling {posts:,} posts")
        seeded = subprocess.run(
            [sys.executable, "-m", "bench.publishing", "seed", "--posts", str(posts),
             "--bluesky", standins.urls["bluesky"], "--mastodon", standins.urls["mastodon"]],
            env=env, cwd=REPO_ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if seeded.returncode:
            raise RuntimeError(f"seeding failed:\n{seeded.stderr[-3000:]}")
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        standins.take()  # forget the sessions' requests

        log(f"{label}: worker publishing")
        started = time.perf_counter()
        worker = subprocess.Popen(
            [str(BIN / "hemonc"), "db_worker", "--batch", "--no-startup-delay", "--no-reload",
             "--verbosity", "0"],
            env=env, cwd=REPO_ROOT,
        )  # fmt: skip
        _, status, usage = os.wait4(worker.pid, 0)
        worker_seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status):
            raise RuntimeError("the worker failed")
        received = standins.take()
        worker_posts, worker_span, worker_rate = _rate(received)
        checked = subprocess.run(
            [sys.executable, "-m", "bench.publishing", "check"],
            env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        outcome = json.loads(checked.stdout.strip().splitlines()[-1])
        log(f"{label}: {worker_posts:,} platform posts in {worker_span:.1f} s")

        log(f"{label}: baseline, a bare loop of the same requests")
        baseline_seconds = _baseline(standins.urls, received)
        again = standins.take()
        baseline_posts, baseline_span, baseline_rate = _rate(again)
        log(f"{label}: baseline {baseline_posts:,} posts in {baseline_span:.1f} s")
    finally:
        standins.stop()
    ratio = worker_rate / baseline_rate if baseline_rate else None
    return {
        "label": label,
        "vendor": vendor,
        "seed": seed,
        "outcome": outcome,
        "worker": {
            "posts": worker_posts,
            "span": worker_span,
            "rate": worker_rate,
            "wall": worker_seconds,
            "memory": usage.ru_maxrss / 1024,
        },
        "baseline": {
            "posts": baseline_posts,
            "span": baseline_span,
            "rate": baseline_rate,
            "wall": baseline_seconds,
        },
        "ratio": ratio,
    }


def _versions() -> tuple[str, str]:
    import sqlite3

    pg = ""
    try:
        import psycopg

        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=3) as conn:
            pg = str(conn.execute("SHOW server_version").fetchone()[0]).split()[0]
    except Exception:  # no PostgreSQL: its row is left out
        pg = ""
    return sqlite3.sqlite_version, pg


def run(*, posts: int = POSTS) -> dict[str, Any]:
    sqlite_version, pg_version = _versions()
    results = []
    databases = [{"label": "SQLite", "vendor": "sqlite", "version": sqlite_version}]
    with tempfile.TemporaryDirectory(prefix="hemonc-bench-publishing-") as scratch_name:
        scratch = Path(scratch_name)
        results.append(
            _measure("SQLite", "sqlite", f"sqlite:///{scratch / 'bench.sqlite3'}", scratch, posts)
        )
        if pg_version:
            name = "hemonc_bench_publishing"
            problem = recreate_postgres_database(name)
            if not problem:
                try:
                    results.append(
                        _measure(
                            "PostgreSQL", "postgresql", f"{POSTGRES_SERVER}/{name}", scratch, posts
                        )
                    )
                    databases.append(
                        {"label": "PostgreSQL", "vendor": "postgresql", "version": pg_version}
                    )
                finally:
                    drop_postgres_database(name)
    rows = []
    targets = []
    for result in results:
        worker, baseline = result["worker"], result["baseline"]
        rows.append(
            {
                "database": result["label"],
                "sender": "Worker (hemonc db_worker)",
                "posts": worker["posts"],
                "seconds": round(worker["span"], 2),
                "rate": round(worker["rate"], 1),
                "ratio": round(result["ratio"], 2) if result["ratio"] else None,
                "memory": round(worker["memory"], 1),
            }
        )
        rows.append(
            {
                "database": result["label"],
                "sender": "Bare loop of the same requests",
                "posts": baseline["posts"],
                "seconds": round(baseline["span"], 2),
                "rate": round(baseline["rate"], 1),
                "ratio": None,
                "memory": None,
            }
        )
        expected = result["seed"]["parts"]
        targets.append(
            target(
                subject=result["label"],
                name="worker posts/s ÷ bare loop posts/s",
                measured=round(result["ratio"], 2) if result["ratio"] else None,
                op=">=",
                limit=TARGET_RATIO,
            )
        )
        targets.append(
            target(
                subject=result["label"],
                name="platform posts stored exactly once",
                measured=result["worker"]["posts"],
                op="=",
                limit=expected,
            )
        )
        targets.append(
            target(
                subject=result["label"],
                name="desk posts published",
                measured=result["outcome"].get("published", 0),
                op="=",
                limit=posts,
            )
        )
    first = results[0]["seed"]
    return {
        "summary": f"{posts:,} due desk posts, each a thread of 1-8 parts on Bluesky (fewer on "
        "Mastodon's 500 characters) to both accounts, published by the task worker "
        "(`hemonc db_worker`: scheduling enqueued one task per post; the first to run "
        "publishes everything due in one pass) to local stand-ins of Bluesky and Mastodon, "
        "compared with a bare loop of HTTP requests sending the same payloads to the same "
        "stand-ins.",
        "command": ".venv/bin/python -m bench publishing",
        "databases": databases,
        "tables": [
            {
                "title": "Figures",
                "columns": [
                    ["database", "Database"],
                    ["sender", "Sender"],
                    ["posts", "Platform posts"],
                    ["seconds", "Seconds"],
                    ["rate", "Posts/s"],
                    ["ratio", "Ratio"],
                    ["memory", "Peak memory MB"],
                ],
                "rows": rows,
            },
            {
                "title": "The posts",
                "columns": [["what", "What"], ["count", "Count"]],
                "rows": [
                    {"what": "Desk posts", "count": posts},
                    {"what": "Bluesky posts (thread parts)", "count": first["bluesky"]},
                    {"what": "Mastodon posts (thread parts)", "count": first["mastodon"]},
                    {"what": "Threads by Bluesky length 1-8", "count": first["lengths"]},
                ],
            },
        ],
        "targets": targets,
        "notes": [
            "Both rates are measured the same way, at the stand-ins: posts stored between the "
            "first and the last, divided by the time between them. Each post's parts and their "
            "keys were written when it was scheduled (outside the span); the worker's start-up "
            "falls outside it too.",
            "The worker leases up to 200 waiting parts and counts the attempt each is about "
            "to get in one durable commit, before any request: what makes a post never go out "
            "twice (a part with an attempt on record is looked for on the platform before it "
            "is sent again). The platform's answers are then written together, about once a "
            "second and when the batch ends, with the outreach posts the analytics join, in "
            "one commit of four statements that PostgreSQL does not wait to flush "
            "(synchronous_commit off: a lost one costs a look-up by key, never a second post). "
            "So a platform post costs the worker no commit of its own; the bare loop has no "
            "database.",
            "On PostgreSQL the database server competes for the CPUs with the worker and the "
            "stand-ins; SQLite works in process. A commit that waits for the disk took 0.5 ms "
            "on this machine when idle and 4 ms under other work; two such commits per platform "
            "post (the attempt, then the answer), before, held the worker to 0.12 of the bare "
            "loop at a load average of 14.",
            "The stand-ins (tests/standins/, threaded http.server) run in their own process; "
            "on a 2-core machine they compete with the sender for CPU in both runs.",
        ],
        "details": results,
    }


# ---------------------------------------------------------------------------------------------
# Helpers that run in their own processes


def _seed(posts: int, bluesky_url: str, mastodon_url: str) -> None:
    import django

    django.setup()
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from hemonc.core.permissions import OPERATOR
    from hemonc.outreach.desk import services
    from hemonc.outreach.desk.text import split_thread
    from hemonc.outreach.models import DeskPost

    bsky, _ = services.account_save(
        platform="bluesky", handle=BLUESKY_HANDLE, service=bluesky_url, secret=PASSWORD,
        actor=OPERATOR,
    )  # fmt: skip
    masto, _ = services.account_save(
        platform="mastodon", handle=MASTODON_HANDLE, service=mastodon_url, secret=TOKEN,
        actor=OPERATOR,
    )  # fmt: skip
    rng = random.Random(14)
    counts = {"bluesky": 0, "mastodon": 0}
    lengths: dict[int, int] = {}
    for number in range(posts):
        text = _text(rng, 1 + number % 8)
        post = services.post_create(
            actor=OPERATOR, text=text, accounts=[bsky, masto], kind="tweetorial",
            phi_attested=True,
        )  # fmt: skip
        post = services.post_submit(post=post, actor=OPERATOR)
        post = services.post_approve(post=post, actor=OPERATOR)
        services.post_schedule(post=post, actor=OPERATOR)
        parts = len(split_thread("bluesky", text))
        lengths[parts] = lengths.get(parts, 0) + 1
        counts["bluesky"] += parts
        counts["mastodon"] += len(split_thread("mastodon", text))
    now = timezone.now()
    DeskPost.objects.update(release_at=now)
    DBTaskResult.objects.update(run_after=now)
    print(
        json.dumps(
            {
                **counts,
                "parts": counts["bluesky"] + counts["mastodon"],
                "lengths": " ".join(f"{k}:{v}" for k, v in sorted(lengths.items())),
            }
        )
    )


def _check() -> None:
    import django

    django.setup()
    from django.db.models import Count

    from hemonc.outreach.models import DeskPost

    print(json.dumps(dict(DeskPost.objects.values_list("state").annotate(n=Count("id")))))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.publishing")
    commands = parser.add_subparsers(dest="command", required=True)
    seed = commands.add_parser("seed")
    seed.add_argument("--posts", type=int, default=POSTS)
    seed.add_argument("--bluesky", required=True)
    seed.add_argument("--mastodon", required=True)
    commands.add_parser("check")
    standins = commands.add_parser("standins")
    standins.add_argument("--ports-file", type=Path, required=True)
    standins.add_argument("--stats-file", type=Path, required=True)
    arguments = parser.parse_args()
    if arguments.command == "seed":
        _seed(arguments.posts, arguments.bluesky, arguments.mastodon)
    elif arguments.command == "check":
        _check()
    else:
        _serve_standins(arguments.ports_file, arguments.stats_file)


if __name__ == "__main__":
    main()
