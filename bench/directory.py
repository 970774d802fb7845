"""The member directory under load: 20,000 members, 8 clients, granian with 2 workers.

For each database (SQLite, then PostgreSQL when reachable) the run migrates a fresh database,
fills it (`python -m bench.directory seed`, which also profiles the page in-process), starts
the production server on loopback and measures a bare Django view, then filtered directory
searches, with the same clients and the same signed-in session.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
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
    log,
    postgres_admin,
    recreate_postgres_database,
)
from bench.load import CpuMeter, LoadResult, run_load

TITLE = "Member directory under load"
MEMBERS = 20_000
CLIENTS = 8
WORKERS = 2
WARMUP_SECONDS = 2.0  # before each round of each page
MEASURE_SECONDS = 15.0  # per page, split over the rounds
ROUNDS = 2
TARGET_RATIO = 0.25
TARGET_P95_MS = 100.0

BIN = Path(sys.executable).parent
POSTGRES_DATABASE = "hemonc_bench"
BENCH_EMAIL = "reader@bench.invalid"
BARE_PATH = "/bench/bare/"
# What members search for: names, institutions, interests, and filters with no text at all.
DIRECTORY_PATHS = [
    "/directory/?q=garcia",
    "/directory/?q=memorial&stage=fellow&country=US",
    "/directory/?interest=mmsm&open_to_mentoring=on",
    "/directory/?stage=resident&country=IN",
    "/directory/?q=lymphoma&country=US",
    "/directory/?q=nguyen&page=2",
    "/directory/?looking_for_mentor=on&country=GB",
    "/directory/?q=ana",
    "/directory/?stage=fellow&interest=leusm&page=3",
    "/directory/?q=tata+memorial",
]
# Whose costliest queries are explained: a text-and-filters search and a broad one.
EXPLAINED_PATHS = ("/directory/?q=memorial&stage=fellow&country=US", "/directory/?q=ana")
NEW_SEARCHES = 60_000  # more than the clients send in all rounds: no search repeats
STAGE_FILTERS = ["", "medical_student", "resident", "fellow", "attending"]


def new_search_paths(count: int = NEW_SEARCHES) -> list[str]:
    """Searches no one made before: a first and a last name, one in three (and every one past
    the names' combinations) with a country and a stage filter."""
    import random

    from bench.people import COUNTRIES, FIRST_NAMES, LAST_NAMES

    rng = random.Random(8)
    countries = [country for country, *_ in COUNTRIES]
    combinations = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(combinations)
    paths: dict[str, None] = {}  # ordered, and no search twice
    index = 0
    while len(paths) < count:
        first, last = combinations[index % len(combinations)]
        path = f"/directory/?q={first}+{last}"
        if index >= len(combinations) or index % 3 == 0:
            path += f"&country={rng.choice(countries)}&stage={rng.choice(STAGE_FILTERS)}"
        paths[path] = None
        index += 1
    return list(paths)


# ---------------------------------------------------------------------------------------------
# The run: databases, server, load.


def run(
    *,
    members: int = MEMBERS,
    clients: int = CLIENTS,
    warmup: float = WARMUP_SECONDS,
    duration: float = MEASURE_SECONDS,
) -> dict[str, Any]:
    notes: list[str] = []
    measured: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hemonc-bench-") as scratch:
        var_dir = Path(scratch) / "var"
        secret_key = secrets.token_urlsafe(50)
        sqlite_url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
        log("collecting static files")
        _manage(
            ["collectstatic", "--no-input", "--verbosity", "0"], sqlite_url, var_dir, secret_key
        )
        databases = [("SQLite", sqlite_url)]
        postgres_problem = recreate_postgres_database(POSTGRES_DATABASE)
        if postgres_problem:
            notes.append(f"PostgreSQL was skipped: {postgres_problem}.")
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
            if not postgres_problem:
                drop_postgres_database(POSTGRES_DATABASE)
    return _report(measured, notes, members=members, clients=clients, duration=duration)


def _environment(
    database_url: str, var_dir: Path, secret_key: str, *, settings: str = "hemonc.settings"
) -> dict[str, str]:
    """Production settings on loopback: no debug, no HTTPS redirect, a throwaway var/ dir."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "HEMONC_", "GRANIAN_"))
        and name not in {"DATABASE_URL", "CACHE_URL", "EMAIL_URL", "SITE_URL", "MEDIA_ROOT"}
    }
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": settings,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_ALLOWED_HOSTS": LOOPBACK,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SITE_URL": f"http://{LOOPBACK}",
        "HEMONC_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": CHILD_PYTHONPATH,
    }


def _manage(arguments: list[str], database_url: str, var_dir: Path, secret_key: str) -> None:
    subprocess.run(
        [str(BIN / "hemonc"), *arguments],
        env=_environment(database_url, var_dir, secret_key),
        cwd=REPO_ROOT,
        check=True,
    )


def _postgres_backends() -> list[int]:
    """The server processes of the connections to the bench database (PostgreSQL is local)."""
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
    log(f"{label}: adding {members:,} members and profiling the page")
    clock = time.perf_counter()
    seeded = subprocess.run(
        [sys.executable, "-m", "bench.directory", "seed", "--members", str(members)],
        env=_environment(database_url, var_dir, secret_key),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if seeded.returncode:
        raise RuntimeError(f"seeding {label} failed:\n{seeded.stderr[-3000:]}")
    database = json.loads(seeded.stdout.strip().splitlines()[-1])
    log(f"{label}: seeded and profiled in {time.perf_counter() - clock:.1f} s")
    port = free_port()
    log_path = var_dir / f"granian-{label.lower()}.log"
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
            pages = _check_pages(port, headers)
            database_pids = _postgres_backends if database["vendor"] == "postgresql" else None
            with CpuMeter(server.pid, database_pids) as meter:
                loads = _alternate_loads(
                    port, headers, label=label, clients=clients, warmup=warmup, duration=duration
                )
        finally:
            _stop(server)
    del database["session_key"]  # a throwaway database's, but no secret belongs in results
    return {
        "label": label,
        "database": database,
        "pages": pages,
        "bare": loads["bare"].summary(),
        "directory": loads["directory"].summary(),
        "new_searches": loads["new"].summary(),
        "cpu_shares": meter.shares(),
    }


def _alternate_loads(
    port: int, headers: dict[str, str], *, label: str, clients: int, warmup: float, duration: float
) -> dict[str, LoadResult]:
    """Load the bare view, the directory's usual searches and new searches in alternating
    rounds, `duration` s for each.

    Alternating makes a change in the machine's other work during the run weigh on all
    figures alike. The new searches never repeat: each round takes its own share of them.
    """
    rounds: dict[str, list[LoadResult]] = {"bare": [], "directory": [], "new": []}
    new = new_search_paths()
    share = len(new) // ROUNDS
    for number in range(1, ROUNDS + 1):
        loads = (
            ("bare", [BARE_PATH]),
            ("directory", DIRECTORY_PATHS),
            ("new", new[(number - 1) * share : number * share]),
        )
        for page, paths in loads:
            log(
                f"{label}: round {number}/{ROUNDS}, {page}, {clients} clients, "
                f"{warmup:g} s warm-up + {duration / ROUNDS:g} s"
            )
            rounds[page].append(
                run_load(
                    port=port,
                    paths=paths,
                    headers=headers,
                    clients=clients,
                    warmup=warmup,
                    duration=duration / ROUNDS,
                )
            )
    return {page: LoadResult.combined(results) for page, results in rounds.items()}


def _ratio(load: dict[str, Any], bare: dict[str, Any]) -> float | None:
    if not bare["requests_per_second"]:
        return None
    return round(load["requests_per_second"] / bare["requests_per_second"], 3)


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share:.0%}"


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str]:
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _wait_until_serving(port: int, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"granian exited: {log_path.read_text()[-2000:]}")
        try:
            _get(port, BARE_PATH, {})
        except OSError:
            time.sleep(0.2)
        else:
            return
    raise RuntimeError(f"granian did not answer in 60 s: {log_path.read_text()[-2000:]}")


# "24 members", or "More than 1,000 members" when the directory stopped counting.
_RESULT_COUNT = re.compile(r'class="result-count">\s*(More than )?([\d,]+) member')


def _check_pages(port: int, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every page answers 200 and, for the directory, shows member cards to the signed-in member."""
    status, body = _get(port, BARE_PATH, headers)
    if status != 200 or body != "ok":
        raise RuntimeError(f"{BARE_PATH} answered {status}: {body[:200]!r}")
    pages = []
    for path in DIRECTORY_PATHS:
        status, body = _get(port, path, headers)
        cards = body.count('class="member-card"')
        found = _RESULT_COUNT.search(body)
        if status != 200 or not cards or not found:
            raise RuntimeError(f"{path} answered {status} with {cards} member cards")
        pages.append(
            {
                "path": path,
                "matches": int(found.group(2).replace(",", "")),
                "more": bool(found.group(1)),
                "cards": cards,
                "kilobytes": round(len(body.encode()) / 1024, 1),
            }
        )
    return pages


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # the group started for this server only
            server.wait()


def _report(
    measured: list[dict[str, Any]],
    notes: list[str],
    *,
    members: int,
    clients: int,
    duration: float,
) -> dict[str, Any]:
    rows, new_rows, targets, pages, profile = [], [], [], [], []
    for run_ in measured:
        label, bare, directory = run_["label"], run_["bare"], run_["directory"]
        new = run_["new_searches"]
        ratio = _ratio(directory, bare)
        errors = bare["errors"] + directory["errors"] + new["errors"]
        new_rows.append(
            {
                "database": label,
                "bare_rps": bare["requests_per_second"],
                "new_rps": new["requests_per_second"],
                "ratio": _ratio(new, bare),
                "p50": new["latency_p50_ms"],
                "p95": new["latency_p95_ms"],
                "p99": new["latency_p99_ms"],
                "requests": new["requests"],
                "errors": new["errors"],
            }
        )
        rows.append(
            {
                "database": label,
                "bare_rps": bare["requests_per_second"],
                "bare_p95": bare["latency_p95_ms"],
                "directory_rps": directory["requests_per_second"],
                "ratio": ratio,
                "p50": directory["latency_p50_ms"],
                "p95": directory["latency_p95_ms"],
                "p99": directory["latency_p99_ms"],
                "requests": directory["requests"],
                "errors": errors,
                "server_cpu": _percent(run_["cpu_shares"]["server"]),
                "database_cpu": _percent(run_["cpu_shares"]["database"]),
                "client_cpu": _percent(run_["cpu_shares"]["client"]),
                "other_cpu": _percent(run_["cpu_shares"]["other"]),
            }
        )
        targets += [
            target(
                subject=label,
                name="directory req/s ÷ bare req/s",
                measured=ratio,
                op=">=",
                limit=TARGET_RATIO,
            ),
            target(
                subject=label,
                name="directory p95",
                measured=directory["latency_p95_ms"],
                op="<",
                limit=TARGET_P95_MS,
                unit=" ms",
            ),
            target(
                subject=label, name="errors (non-200 or dropped)", measured=errors, op="=", limit=0
            ),
        ]
        by_path = {p["path"]: p for p in run_["database"]["profile"]["pages"]}
        for page in run_["pages"]:
            profiled = by_path[page["path"]]
            pages.append(
                {
                    "database": label,
                    "path": f"`{page['path']}`",
                    "matches": f"{page['matches']:,}+" if page.get("more") else page["matches"],
                    "queries": profiled["queries"],
                    "sql_ms": profiled["sql_ms"],
                    "total_ms": profiled["total_ms"],
                    "warm_queries": profiled["warm_queries"],
                    "warm_sql_ms": profiled["warm_sql_ms"],
                    "warm_total_ms": profiled["warm_total_ms"],
                    "kilobytes": page["kilobytes"],
                }
            )
        for query in run_["database"]["profile"]["expensive_queries"]:
            profile.append(
                {
                    "database": label,
                    "path": f"`{query['path']}`",
                    "what": query["what"],
                    "ms": query["ms"],
                    "plan": query["plan"],
                }
            )
    vendors = [
        {
            "label": run_["label"],
            "vendor": run_["database"]["vendor"],
            "version": run_["database"]["version"],
        }
        for run_ in measured
    ]
    busy = [run_["label"] for run_ in measured if (run_["cpu_shares"]["other"] or 0) > 0.1]
    if busy:
        notes.append(
            f"Other work shared the machine during the {' and '.join(busy)} measurements (see "
            "Other CPU): the absolute figures are lower than on a quiet machine; the ratios "
            "are the figures to compare."
        )
    notes = [
        *notes,
        f"{members:,} members with spread stages, specialties, countries, institutions and "
        "interests; the signed-in reader has a few blocks and mutes, as a real member would.",
        f"{clients} keep-alive clients in one process on the same machine as the server "
        f"(`granian --interface wsgi --workers {WORKERS}`, DEBUG off, production settings); "
        f"{ROUNDS} rounds alternate the bare view, the directory's usual searches and new "
        f"searches, each {WARMUP_SECONDS:g} s of warm-up then {duration / ROUNDS:g} s measured "
        f"({duration:g} s per load in all). The CPU "
        "columns are shares of all the machine's CPUs over the measurements: granian and its "
        "workers, PostgreSQL's backends serving them, the load generator, and everything else.",
        "The baseline is a view returning a fixed 2-byte response through the full middleware "
        "stack with the same session cookie, so session and user look-ups are in both figures.",
        "The directory requests rotate over the searches in the pages table, where `Matches` is "
        "the result count shown and the other figures come from the Django test client on the "
        "same database, before the load (no HTTP server, one request at a time).",
        "SQLite gets no ANALYZE (Django never runs one); PostgreSQL is ANALYZEd after the bulk "
        "load, as autovacuum would be in a running site.",
        "The searches of the Figures table repeat, as a network's popular searches do: after "
        "its first request each comes from the cache (a search's matches per audience, each "
        "member card, the filter form), keyed by the directory's version, which every change "
        "to a profile or an account replaces, so no cached page outlives a change. The new "
        "searches never repeat (a first and a last name, one in three with a stage and a "
        f"country; {NEW_SEARCHES:,} of them shared out over the rounds): each runs its "
        "full-text search in the database, and a member card comes from the cache only when "
        "that member was shown before.",
        "The pages table gives each search cold (the cache emptied before every request) and "
        "warm; the query plans are those of the cold requests.",
    ]
    return {
        "summary": (
            f"A signed-in member searches the directory of {members:,} members: filtered "
            "searches (names, institutions, interests, stage, country, mentoring) against the "
            f"production server (granian, {WORKERS} workers) under {clients} concurrent clients, "
            "compared with a bare Django view on the same server in the same run."
        ),
        "command": ".venv/bin/python -m bench directory",
        "databases": vendors,
        "targets": targets,
        "tables": [
            {
                "title": "Figures",
                "columns": [
                    ["database", "Database"],
                    ["bare_rps", "Bare view req/s"],
                    ["bare_p95", "Bare p95 ms"],
                    ["directory_rps", "Directory req/s"],
                    ["ratio", "Ratio"],
                    ["p50", "p50 ms"],
                    ["p95", "p95 ms"],
                    ["p99", "p99 ms"],
                    ["requests", "Requests"],
                    ["errors", "Errors"],
                    ["server_cpu", "Server CPU"],
                    ["database_cpu", "PostgreSQL CPU"],
                    ["client_cpu", "Client CPU"],
                    ["other_cpu", "Other CPU"],
                ],
                "rows": rows,
            },
            {
                "title": "Searches no one made before (every request a new search)",
                "columns": [
                    ["database", "Database"],
                    ["bare_rps", "Bare view req/s"],
                    ["new_rps", "Directory req/s"],
                    ["ratio", "Ratio"],
                    ["p50", "p50 ms"],
                    ["p95", "p95 ms"],
                    ["p99", "p99 ms"],
                    ["requests", "Requests"],
                    ["errors", "Errors"],
                ],
                "rows": new_rows,
            },
            {
                "title": "Directory pages, one request at a time in process (median of 5)",
                "columns": [
                    ["database", "Database"],
                    ["path", "Search"],
                    ["matches", "Matches"],
                    ["queries", "Queries, cold"],
                    ["sql_ms", "SQL ms, cold"],
                    ["total_ms", "Total ms, cold"],
                    ["warm_queries", "Queries, warm"],
                    ["warm_sql_ms", "SQL ms, warm"],
                    ["warm_total_ms", "Total ms, warm"],
                    ["kilobytes", "KiB"],
                ],
                "rows": pages,
            },
            {
                "title": "Costliest queries of two searches (cold), with their plans",
                "columns": [
                    ["database", "Database"],
                    ["path", "Search"],
                    ["what", "Query"],
                    ["ms", "ms"],
                    ["plan", "Plan (abridged)"],
                ],
                "rows": profile,
            },
        ],
        "notes": notes,
        "details": {"runs": measured},
    }


# ---------------------------------------------------------------------------------------------
# `python -m bench.directory seed`: runs inside Django with the bench database's settings.


def seed(*, members: int) -> dict[str, Any]:
    """Fill the empty bench database, sign the reader in, profile the page in process."""
    from django.db import connection

    from bench import population
    from hemonc.members.models import Profile, User

    reader = population.populate(members=members, reader_email=BENCH_EMAIL)
    session_key = population.session_for(reader)
    return {
        "vendor": connection.vendor,
        "version": population.database_version(),
        "members": User.objects.count(),
        "profiles": Profile.objects.count(),
        "interests": Profile.interests.through.objects.count(),
        "full_text_index": population.check_full_text_index(),
        "session_key": session_key,
        "profile": _profile_directory(session_key, connection),
    }


def _profile_directory(session_key: str, connection: Any) -> dict[str, Any]:
    """Each search through the test client, cold (the cache emptied before each request: what
    a search no one made costs) and warm (what a repeated search costs): queries, SQL time,
    total time, and the query plans of the cold runs.

    Times are medians of five requests; a query's time is its execute call, which on both
    databases includes finding the rows (SQLite computes a sort before the first row).
    """
    from django.conf import settings
    from django.test import Client

    from hemonc.core.caching import page_cache as cache

    client = Client(SERVER_NAME=LOOPBACK)
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    pages = []
    for path in DIRECTORY_PATHS:
        client.get(path)  # warm what a running server has warm (templates, country names)
        cold = _timed_requests(client, path, connection, before=cache.clear)
        warm = _timed_requests(client, path, connection, before=lambda: None)
        pages.append(
            {
                "path": path,
                "queries": len(cold["statements"]),
                "sql_ms": round(sum(q["ms"] for q in cold["statements"]), 2),
                "total_ms": cold["total_ms"],
                "warm_queries": len(warm["statements"]),
                "warm_sql_ms": round(sum(q["ms"] for q in warm["statements"]), 2),
                "warm_total_ms": warm["total_ms"],
                "statements": cold["statements"],
            }
        )
    expensive = []
    for page in (p for p in pages if p["path"] in EXPLAINED_PATHS):
        for query in sorted(page["statements"], key=lambda q: -q["ms"])[:3]:
            plan = _explain(connection, query["sql"], query["params"])
            expensive.append({"path": page["path"], **query, "plan": plan})
    for query in expensive:
        query["params"] = [str(param) for param in query["params"]]
    # Each page keeps what its queries were and how long they took; only the costliest
    # keep their SQL and plan, which keeps the results file readable.
    for page in pages:
        page["statements"] = [{"what": q["what"], "ms": q["ms"]} for q in page["statements"]]
    return {"pages": pages, "expensive_queries": expensive}


def _timed_requests(
    client: Any, path: str, connection: Any, *, before: Any, times: int = 5
) -> dict[str, Any]:
    totals: list[float] = []
    runs: list[list[tuple[str, Any, float]]] = []
    for _ in range(times):
        statements: list[tuple[str, Any, float]] = []

        def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            clock = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                statements.append((sql, params, time.perf_counter() - clock))  # noqa: B023

        before()
        with connection.execute_wrapper(timed):
            clock = time.perf_counter()
            response = client.get(path)
            totals.append(time.perf_counter() - clock)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code} in process")
        runs.append(statements)
    statements = [
        {
            "what": _describe(sql),
            "ms": round(_median([run[i][2] for run in runs]) * 1000, 3),
            "sql": sql,
            "params": list(params or ()),
        }
        for i, (sql, params, _) in enumerate(runs[0])
    ]
    return {"statements": statements, "total_ms": round(_median(totals) * 1000, 2)}


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _describe(sql: str) -> str:
    if "django_session" in sql:
        return "session"
    if "core_dataversion" in sql:
        return "directory version"
    if "auth_group" in sql:
        return "roles of the reader"
    if "members_block" in sql:
        return "members the reader blocked or muted, or who blocked the reader"
    if "DISTINCT" in sql and '"country"' in sql:
        return "countries for the filter"
    if "taxonomy_topic" in sql and "members_profile" not in sql:
        return "topics for the filter"
    if '"members_profile"."id" IN (' in sql:
        return "profiles of the cards not cached"
    if 'ORDER BY "members_profile"."display_name"' in sql:
        return "matches of the search"
    if '"members_profile"."user_id" =' in sql:
        return "the reader's profile (time zone)"
    if 'FROM "members_user"' in sql:
        return "the reader (sign-in)"
    return sql[:60]


def _explain(connection: Any, sql: str, params: list[Any]) -> str:
    """The query plan, one node per line joined with " / "; on PostgreSQL with actual rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", params)
            lines = [row[0] for row in cursor.fetchall()]
            # Keep the plan nodes and the total time; drop the conditions and the sub-lines.
            lines = [
                re.sub(
                    r"\(actual rows=([\d.]+) loops=(\d+)\)", r"(\1 rows, \2 loops)", line.strip()
                )
                for index, line in enumerate(lines)
                if index == 0 or line.lstrip().startswith(("->", "SubPlan", "Execution"))
            ]
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            lines = [row[-1] for row in cursor.fetchall()]
    return " / ".join(line.removeprefix("->  ").strip() for line in lines)


def _seed_main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.directory")
    parser.add_argument("command", choices=["seed"])
    parser.add_argument("--members", type=int, default=MEMBERS)
    arguments = parser.parse_args()
    import django

    django.setup()
    print(json.dumps(seed(members=arguments.members)))


if __name__ == "__main__":
    _seed_main()
