"""The member directory under load: 20,000 members, 8 clients, granian with 2 workers.

For each database (SQLite, then PostgreSQL when reachable) the run migrates a fresh database,
fills it (`python -m bench.directory seed`, which also profiles the page in-process), starts
the production server on loopback and measures a bare Django view, then filtered directory
searches, with the same clients and the same signed-in session.
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from bench import common, target
from bench.common import (
    BARE_PATH,
    LOOPBACK,
    WORKERS,
    Database,
    alternate_loads,
    explain,
    get,
    log,
    on_each_database,
    percent,
    postgres_backends,
    ratio,
    seed_database,
    serving,
    session_headers,
    timed_requests,
)
from bench.load import CpuMeter, LoadResult

# bench/community.py takes these from here, by the names they had here.
_environment, _manage, _get, _ratio = common.environment, common.manage, common.get, ratio
_stop, _wait_until_serving, BIN = common.stop, common.wait_until_serving, common.BIN

TITLE = "Member directory under load"
MEMBERS = 20_000
CLIENTS = 8
WARMUP_SECONDS = 2.0  # before each round of each page
MEASURE_SECONDS = 15.0  # per page, split over the rounds
ROUNDS = 2
TARGET_RATIO = 0.25
TARGET_P95_MS = 100.0

POSTGRES_DATABASE = "hemonc_bench"
BENCH_EMAIL = "reader@bench.invalid"
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
    measured, notes = on_each_database(
        prefix="hemonc-bench-",
        postgres_database=POSTGRES_DATABASE,
        measure=lambda database: _measure_database(
            database, members=members, clients=clients, warmup=warmup, duration=duration
        ),
    )
    return _report(measured, notes, members=members, clients=clients, duration=duration)


def _measure_database(
    database: Database, *, members: int, clients: int, warmup: float, duration: float
) -> dict[str, Any]:
    label = database.label
    log(f"{label}: migrating")
    database.manage(["migrate", "--no-input", "--verbosity", "0"])
    log(f"{label}: adding {members:,} members and profiling the page")
    seeded = seed_database(database, "bench.directory", ["--members", str(members)])
    with serving(database, name="directory") as (port, server):
        headers = session_headers(seeded["session_key"])
        pages = _check_pages(port, headers)
        database_pids = (
            postgres_backends(POSTGRES_DATABASE) if seeded["vendor"] == "postgresql" else None
        )
        with CpuMeter(server.pid, database_pids) as meter:
            loads = _alternate_loads(
                port, headers, label=label, clients=clients, warmup=warmup, duration=duration
            )
    del seeded["session_key"]  # a throwaway database's, but no secret belongs in results
    return {
        "label": label,
        "database": seeded,
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

    The new searches never repeat: each round takes its own share of them.
    """
    new = new_search_paths()
    share = len(new) // ROUNDS
    return alternate_loads(
        port,
        headers,
        [
            ("bare", lambda number: [BARE_PATH]),
            ("directory", lambda number: DIRECTORY_PATHS),
            ("new", lambda number: new[(number - 1) * share : number * share]),
        ],
        label=label,
        clients=clients,
        warmup=warmup,
        duration=duration,
        rounds=ROUNDS,
    )


# "24 members", or "More than 1,000 members" when the directory stopped counting.
_RESULT_COUNT = re.compile(r'class="result-count">\s*(More than )?([\d,]+) member')


def _check_pages(port: int, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every page answers 200 and, for the directory, shows member cards to the signed-in member."""
    status, body = get(port, BARE_PATH, headers)
    if status != 200 or body != "ok":
        raise RuntimeError(f"{BARE_PATH} answered {status}: {body[:200]!r}")
    pages = []
    for path in DIRECTORY_PATHS:
        status, body = get(port, path, headers)
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
        directory_ratio = ratio(directory, bare)
        errors = bare["errors"] + directory["errors"] + new["errors"]
        new_rows.append(
            {
                "database": label,
                "bare_rps": bare["requests_per_second"],
                "new_rps": new["requests_per_second"],
                "ratio": ratio(new, bare),
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
                "ratio": directory_ratio,
                "p50": directory["latency_p50_ms"],
                "p95": directory["latency_p95_ms"],
                "p99": directory["latency_p99_ms"],
                "requests": directory["requests"],
                "errors": errors,
                "server_cpu": percent(run_["cpu_shares"]["server"]),
                "database_cpu": percent(run_["cpu_shares"]["database"]),
                "client_cpu": percent(run_["cpu_shares"]["client"]),
                "other_cpu": percent(run_["cpu_shares"]["other"]),
            }
        )
        targets += [
            target(
                subject=label,
                name="directory req/s ÷ bare req/s",
                measured=directory_ratio,
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
        cold = timed_requests(client, path, connection, before=cache.clear, describe=_describe)
        warm = timed_requests(client, path, connection, before=lambda: None, describe=_describe)
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
            plan = explain(connection, query["sql"], query["params"])
            expensive.append({"path": page["path"], **query, "plan": plan})
    for query in expensive:
        query["params"] = [str(param) for param in query["params"]]
    # Each page keeps what its queries were and how long they took; only the costliest
    # keep their SQL and plan, which keeps the results file readable.
    for page in pages:
        page["statements"] = [{"what": q["what"], "ms": q["ms"]} for q in page["statements"]]
    return {"pages": pages, "expensive_queries": expensive}


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
