"""A discussion with 500 replies among 20,000 members, under load.

For each database (SQLite, then PostgreSQL when reachable) the run migrates a fresh database,
fills it (`python -m bench.community seed`: the directory's population of members, a space
everyone signed in sees, one discussion with 500 replies by 300 of them, quotes, mentions and
reactions, and the reader's blocks and mutes), starts the production server on loopback and
loads the bare Django view and the discussion's pages in alternating rounds, with the same
clients and the same signed-in session.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import REPO_ROOT, target
from bench.common import (
    LOOPBACK,
    POSTGRES_SERVER,
    drop_postgres_database,
    free_port,
    log,
    postgres_admin,
    recreate_postgres_database,
)
from bench.directory import BIN, _environment, _get, _manage, _ratio, _stop, _wait_until_serving
from bench.load import CpuMeter, LoadResult, run_load

TITLE = "A community discussion under load"
MEMBERS = 20_000
REPLIES = 500
REPLIERS = 300
CLIENTS = 8
WORKERS = 2
WARMUP_SECONDS = 2.0
MEASURE_SECONDS = 12.0
ROUNDS = 2
TARGET_RATIO = 0.25
TARGET_P95_MS = 200.0
POSTGRES_DATABASE = "hemonc_bench_community"
BENCH_EMAIL = "reader@bench.invalid"
BARE_PATH = "/bench/bare/"


def run(
    *,
    members: int = MEMBERS,
    clients: int = CLIENTS,
    warmup: float = WARMUP_SECONDS,
    duration: float = MEASURE_SECONDS,
) -> dict[str, Any]:
    notes: list[str] = []
    measured: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hemonc-bench-community-") as scratch:
        var_dir = Path(scratch) / "var"
        secret_key = secrets.token_urlsafe(50)
        sqlite_url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
        log("collecting static files")
        _manage(
            ["collectstatic", "--no-input", "--verbosity", "0"], sqlite_url, var_dir, secret_key
        )
        databases = [("SQLite", sqlite_url)]
        problem = recreate_postgres_database(POSTGRES_DATABASE)
        if problem:
            notes.append(f"PostgreSQL was skipped: {problem}.")
        else:
            databases.append(("PostgreSQL", f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"))
        try:
            for label, url in databases:
                measured.append(
                    _measure_database(
                        label,
                        url,
                        var_dir=var_dir,
                        secret_key=secret_key,
                        members=members,
                        clients=clients,
                        warmup=warmup,
                        duration=duration,
                    )
                )
        finally:
            if not problem:
                drop_postgres_database(POSTGRES_DATABASE)
    return _report(measured, notes, members=members, clients=clients, duration=duration)


def _backends() -> list[int]:
    with postgres_admin() as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [POSTGRES_DATABASE]
        ).fetchall()
    return [pid for (pid,) in rows]


def _measure_database(
    label: str,
    database_url: str,
    *,
    var_dir: Path,
    secret_key: str,
    members: int,
    clients: int,
    warmup: float,
    duration: float,
) -> dict[str, Any]:
    log(f"{label}: migrating")
    _manage(["migrate", "--no-input", "--verbosity", "0"], database_url, var_dir, secret_key)
    log(f"{label}: adding {members:,} members and a discussion with {REPLIES} replies")
    clock = time.perf_counter()
    seeded = subprocess.run(
        [sys.executable, "-m", "bench.community", "seed", "--members", str(members)],
        env=_environment(database_url, var_dir, secret_key),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if seeded.returncode:
        raise RuntimeError(f"seeding {label} failed:\n{seeded.stderr[-3000:]}")
    database = json.loads(seeded.stdout.strip().splitlines()[-1])
    log(f"{label}: seeded in {time.perf_counter() - clock:.1f} s")
    port = free_port()
    log_path = var_dir / f"granian-community-{label.lower()}.log"
    with log_path.open("w") as server_log:
        server = subprocess.Popen(
            [
                str(BIN / "granian"),
                "--interface",
                "wsgi",
                "--host",
                LOOPBACK,
                "--port",
                str(port),
                "--workers",
                str(WORKERS),
                "hemonc.wsgi:application",
            ],
            env=_environment(database_url, var_dir, secret_key, settings="bench.settings"),
            cwd=REPO_ROOT,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            headers = {
                "Cookie": f"sessionid={database['session_key']}",
                "Accept": "text/html",
                "User-Agent": "hemonc-bench",
            }
            _wait_until_serving(port, server, log_path)
            paths = database["paths"]
            for path in paths:  # every page answers, whole, before the load
                status, body = _get(port, path, headers)
                if status != 200 or 'id="replies"' not in body:
                    raise RuntimeError(f"{path} answered {status}")
            database_pids = _backends if database["vendor"] == "postgresql" else None
            with CpuMeter(server.pid, database_pids) as meter:
                loads = _alternate(port, headers, paths, label, clients, warmup, duration)
        finally:
            _stop(server)
    del database["session_key"]
    return {
        "label": label,
        "database": database,
        "bare": loads["bare"].summary(),
        "discussion": loads["discussion"].summary(),
        "cpu_shares": meter.shares(),
    }


def _alternate(
    port: int,
    headers: dict[str, str],
    paths: list[str],
    label: str,
    clients: int,
    warmup: float,
    duration: float,
) -> dict[str, LoadResult]:
    rounds: dict[str, list[LoadResult]] = {"bare": [], "discussion": []}
    for number in range(1, ROUNDS + 1):
        for page, page_paths in (("bare", [BARE_PATH]), ("discussion", paths)):
            log(f"{label}: round {number}/{ROUNDS}, {page}, {clients} clients")
            rounds[page].append(
                run_load(
                    port=port,
                    paths=page_paths,
                    headers=headers,
                    clients=clients,
                    warmup=warmup,
                    duration=duration / ROUNDS,
                )
            )
    return {page: LoadResult.combined(results) for page, results in rounds.items()}


def _report(
    measured: list[dict[str, Any]], notes: list[str], *, members: int, clients: int, duration: float
) -> dict[str, Any]:
    rows, targets = [], []
    for m in measured:
        bare, discussion = m["bare"], m["discussion"]
        ratio = _ratio(discussion, bare)
        shares = m["cpu_shares"]
        rows.append(
            {
                "database": m["label"],
                "bare_rps": bare["requests_per_second"],
                "bare_p95": bare["latency_p95_ms"],
                "discussion_rps": discussion["requests_per_second"],
                "ratio": ratio,
                "p50": discussion["latency_p50_ms"],
                "p95": discussion["latency_p95_ms"],
                "p99": discussion["latency_p99_ms"],
                "requests": discussion["requests"],
                "errors": bare["errors"] + discussion["errors"],
                "server_cpu": _percent(shares["server"]),
                "database_cpu": _percent(shares["database"]),
                "other_cpu": _percent(shares["other"]),
            }
        )
        targets += [
            target(subject=m["label"], name="discussion req/s ÷ bare req/s", measured=ratio,
                   op=">=", limit=TARGET_RATIO),
            target(subject=m["label"], name="discussion p95", measured=discussion["latency_p95_ms"],
                   op="<", limit=TARGET_P95_MS, unit=" ms"),
            target(subject=m["label"], name="errors (non-200 or dropped)",
                   measured=bare["errors"] + discussion["errors"], op="=", limit=0),
        ]  # fmt: skip
    return {
        "summary": (
            f"A signed-in member reads a discussion with {REPLIES} replies among {members:,} "
            f"members: its pages of replies against the production server (granian, {WORKERS} "
            f"workers) under {clients} concurrent clients, compared with a bare Django view on "
            "the same server in the same run."
        ),
        "command": ".venv/bin/python -m bench community",
        "databases": [
            {
                "label": m["label"],
                "vendor": m["database"]["vendor"],
                "version": m["database"]["version"],
            }
            for m in measured
        ],
        "targets": targets,
        "tables": [
            {
                "title": "Figures",
                "columns": [
                    ["database", "Database"],
                    ["bare_rps", "Bare view req/s"],
                    ["bare_p95", "Bare p95 ms"],
                    ["discussion_rps", "Discussion req/s"],
                    ["ratio", "Ratio"],
                    ["p50", "p50 ms"],
                    ["p95", "p95 ms"],
                    ["p99", "p99 ms"],
                    ["requests", "Requests"],
                    ["errors", "Errors"],
                    ["server_cpu", "Server CPU"],
                    ["database_cpu", "PostgreSQL CPU"],
                    ["other_cpu", "Other CPU"],
                ],
                "rows": rows,
            }
        ],
        "notes": [
            *notes,
            f"{members:,} members from the directory benchmark's population; one space everyone "
            f"signed in sees; one discussion with {REPLIES} replies by {REPLIERS} members, one "
            "in five quoting an earlier reply, one in ten mentioning a member, and about two "
            "reactions per reply. The reader blocks and mutes a few members, some of whom "
            "replied: their replies and reactions are left out of what the reader gets.",
            "The discussion's requests rotate over its 10 pages of 50 replies (the page a "
            "member reads shows 50 replies with their quotes, reactions and mentions). After "
            "its first request in each server process a page comes from the pages cache "
            "(each process's memory, as in production without CACHE_URL): the discussion with "
            "its reactions and the page of replies, rendered, under a key of everything they "
            "show: the discussion's version (replaced in the database by every reply, edit, "
            "take-down, deletion, reaction, tag, pin or lock, so every process sees it at "
            "once), the directory's version (names), the reader's time zone, the members they "
            "block, mute or are blocked by, whether they moderate, and their own replies and "
            "reactions (one query asks for these). What stays per request: the session and "
            "the reader, the discussion's row and the spaces they see, that query, and the "
            "header (unread messages and notifications, the code of conduct). Bodies are "
            "stored rendered and sanitized (core.markdown) when written.",
            f"{clients} keep-alive clients in one process on the same machine as the server "
            f"(`granian --interface wsgi --workers {WORKERS}`, DEBUG off, production settings); "
            f"{ROUNDS} rounds alternate the bare view and the discussion, each {WARMUP_SECONDS:g}"
            f" s of warm-up then {duration / ROUNDS:g} s measured.",
            "The baseline is a view returning a fixed 2-byte response through the full "
            "middleware stack with the same session cookie.",
        ],
        "details": {"runs": measured},
    }


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share:.0%}"


# ---------------------------------------------------------------------------------------------
# `python -m bench.community seed`: runs inside Django with the bench database's settings.


def seed(*, members: int) -> dict[str, Any]:
    import random
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from bench import population
    from hemonc.community.enums import ReactionKind
    from hemonc.community.models import Discussion, Reaction, Reply
    from hemonc.community.services import spaces as services
    from hemonc.core.markdown import render_markdown
    from hemonc.core.permissions import OPERATOR
    from hemonc.members.models import Block, Mute, User

    reader = population.populate(members=members, reader_email=BENCH_EMAIL)
    rng = random.Random(500)
    space = services.space_create(actor=OPERATOR, slug="general", name="General")
    people = list(
        User.objects.filter(is_active=True, profile__display_name__gt="")
        .exclude(pk=reader.pk)
        .select_related("profile")
        .order_by("id")[:5000]
    )
    repliers = rng.sample(people, REPLIERS)
    hidden = set(Block.objects.filter(blocker=reader).values_list("blocked_id", flat=True))
    hidden |= set(Mute.objects.filter(muter=reader).values_list("muted_id", flat=True))
    # A few of the members the reader hides reply too, as they would.
    repliers[: min(5, len(hidden))] = list(User.objects.filter(pk__in=list(hidden)[:5]))
    discussion = services.discussion_create(
        actor=OPERATOR, author=repliers[-1], space=space,
        title="What changed your practice this year?",
        body="One paper, one talk or one conversation: what made you change how you work?",
    )  # fmt: skip
    start = timezone.now() - timedelta(days=30)
    sentences = [
        "The MRD-guided trials changed how I talk about stopping therapy.",
        "A **talk** on bispecifics made me rethink how we monitor for cytokine release.",
        "Honestly, a conversation with a palliative care colleague.",
        "I now read the supplement of every trial before the main paper.",
        "Our tumor board started using a shared checklist, and it helped.",
        "Nothing dramatic: small changes in how I write notes, see [this guide](https://example.org).",
    ]
    replies = []
    for number in range(REPLIES):
        author = repliers[number % len(repliers)]
        body = rng.choice(sentences)
        mentions: dict[str, int] = {}
        if number % 10 == 3:
            other = rng.choice(repliers)
            body += f" What do you think, @[{other.profile.display_name}]?"
            mentions = {other.profile.display_name.casefold(): other.pk}
        replies.append(
            Reply(
                discussion=discussion,
                author=author,
                body=body,
                body_html=render_markdown(body),
                mentions=mentions,
                created_at=start + timedelta(minutes=number * 7),
            )
        )
    Reply.objects.bulk_create(replies, batch_size=500)
    stored = list(Reply.objects.filter(discussion=discussion).order_by("id"))
    for number, reply in enumerate(stored):
        if number and number % 5 == 0:
            reply.quote = stored[rng.randrange(number)]
    Reply.objects.bulk_update(stored, ["quote"], batch_size=500)
    for number, reply in enumerate(stored):
        Reply.objects.filter(pk=reply.pk).update(created_at=start + timedelta(minutes=7 * number))
    kinds = list(ReactionKind)
    reactions = {
        (rng.choice(people).pk, reply.pk, rng.choice(kinds).value)
        for reply in stored
        for _ in range(2)
    }
    Reaction.objects.bulk_create(
        Reaction(user_id=user_id, reply_id=reply_id, kind=kind)
        for user_id, reply_id, kind in reactions
    )
    Discussion.objects.filter(pk=discussion.pk).update(reply_count=REPLIES)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    pages = -(-REPLIES // 50)
    url = discussion.get_absolute_url()
    return {
        "vendor": connection.vendor,
        "version": population.database_version(),
        "members": User.objects.count(),
        "replies": Reply.objects.count(),
        "reactions": Reaction.objects.count(),
        "session_key": population.session_for(reader),
        "paths": [url] + [f"{url}?page={page}" for page in range(2, pages + 1)],
    }


def _seed_main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.community")
    parser.add_argument("command", choices=["seed"])
    parser.add_argument("--members", type=int, default=MEMBERS)
    arguments = parser.parse_args()
    import django

    django.setup()
    print(json.dumps(seed(members=arguments.members)))


if __name__ == "__main__":
    _seed_main()
