"""A moderator's queue of 2,000 open cases among 20,000 members, under load.

For each database (SQLite, then PostgreSQL when reachable) the run migrates a fresh database,
fills it (`python -m bench.moderation seed`: the directory's population of members, eight
moderators, items of every kind that can be reported, 2,000 open cases and 20,000 closed ones
with their reports, decisions and appeals, and the audit rows they left; it also profiles the
pages in process), starts the production server on loopback and loads the bare Django view,
the queue's pages and the pages of cases in alternating rounds, with the same clients and the
same signed-in moderator.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from bench import target
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
from bench.load import CpuMeter

TITLE = "The moderators' queue under load"
MEMBERS = 20_000
OPEN_CASES = 2_000
CLOSED_CASES = 20_000
MODERATORS = 8  # the reader and seven others, at other institutions
CLIENTS = 8
WARMUP_SECONDS = 2.0
MEASURE_SECONDS = 12.0  # per load, split over the rounds
ROUNDS = 2
TARGET_P95_MS = 200.0
PER_PAGE = 25  # the queue's page (moderation.views.QUEUE_PAGE)
POSTGRES_DATABASE = "hemonc_bench_moderation"
BENCH_EMAIL = "moderator@bench.invalid"
READER_INSTITUTION = "Mayo Clinic"  # bench.population's reader works there

# What is reported, in what shares (moderation.items.KINDS: every kind).
KIND_SHARES = [
    ("community.reply", 35),
    ("events.question", 20),
    ("members.profile", 18),
    ("community.discussion", 14),
    ("mentorship.mentoroffer", 13),
]
REPORTS_PER_CASE = [(1, 55), (2, 20), (3, 10), (4, 6), (5, 4), (8, 3), (15, 2)]
OTHER_REASONS = [("harassment", 25), ("spam", 25), ("misinformation", 15), ("conduct", 20),
                 ("other", 15)]  # fmt: skip
PATIENT_DATA_OPEN = 0.08  # of open cases: patient data first in the queue
PATIENT_DATA_CLOSED = 0.03
CLAIMED_OPEN = 0.12  # claimed by another moderator, some claims lapsed (after 30 minutes)
ABOUT_READER_INSTITUTION = 0.05  # of cases: about mentors of the reader's institution
OUTCOMES = [("dismissed", 45), ("hidden", 24), ("warned", 17), ("suspended", 10), ("banned", 2)]
NOTES = [
    "This looks like a real patient: age, ward and the date of admission.",
    "Rude to a guest speaker.",
    "Selling board review material again.",
    "The dose quoted here is wrong by a factor of ten.",
    "<b>Not OK</b>\nSee the second paragraph.",
    "Third time this week.",
]


def _weighted(rng: random.Random, pairs: list[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


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
        prefix="hemonc-bench-moderation-",
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
    log(f"{label}: adding {members:,} members, items and {OPEN_CASES + CLOSED_CASES:,} cases")
    seeded = seed_database(database, "bench.moderation", ["--members", str(members)])
    queue_paths, case_paths = seeded["queue_paths"], seeded["case_paths"]
    with serving(database, name="moderation") as (port, server):
        headers = session_headers(seeded["session_key"])
        pages = _check_pages(port, headers, queue_paths, case_paths)
        database_pids = (
            postgres_backends(POSTGRES_DATABASE) if seeded["vendor"] == "postgresql" else None
        )
        with CpuMeter(server.pid, database_pids) as meter:
            loads = alternate_loads(
                port,
                headers,
                [
                    ("bare", lambda number: [BARE_PATH]),
                    ("queue", lambda number: queue_paths),
                    ("case", lambda number: case_paths),
                ],
                label=label,
                clients=clients,
                warmup=warmup,
                duration=duration,
                rounds=ROUNDS,
            )
    del seeded["session_key"]  # a throwaway database's, but no secret belongs in results
    return {
        "label": label,
        "database": seeded,
        "pages": pages,
        "bare": loads["bare"].summary(),
        "queue": loads["queue"].summary(),
        "case": loads["case"].summary(),
        "cpu_shares": meter.shares(),
    }


_QUEUE_COUNT = re.compile(r'class="result-count"[^>]*>\s*([\d,]+) open case')


def _check_pages(
    port: int, headers: dict[str, str], queue_paths: list[str], case_paths: list[str]
) -> list[dict[str, Any]]:
    """Every page answers 200, whole: the bare view its 2 bytes, the queue its count and a
    full page of cases (the last page what is left), a case its reports."""
    status, body = get(port, BARE_PATH, headers)
    if status != 200 or body != "ok":
        raise RuntimeError(f"{BARE_PATH} answered {status}: {body[:200]!r}")
    pages = []
    for path in dict.fromkeys(queue_paths):
        status, body = get(port, path, headers)
        found = _QUEUE_COUNT.search(body)
        rows = body.count('<th scope="row">')
        if status != 200 or not found or not rows:
            raise RuntimeError(f"{path} answered {status} with {rows} cases")
        pages.append(
            {
                "path": path,
                "shown": rows,
                "open": int(found.group(1).replace(",", "")),
                "kilobytes": round(len(body.encode()) / 1024, 1),
            }
        )
    for path in case_paths:
        status, body = get(port, path, headers)
        if status != 200 or 'id="reports-heading"' not in body:
            raise RuntimeError(f"{path} answered {status}")
        start = body.index('id="reports-heading"')
        pages.append(
            {
                "path": path,
                "shown": body.count("<strong>", start, body.index("</section>", start)),
                "kilobytes": round(len(body.encode()) / 1024, 1),
            }
        )
    return pages


def _report(
    measured: list[dict[str, Any]], notes: list[str], *, members: int, clients: int, duration: float
) -> dict[str, Any]:
    rows, case_rows, targets, pages, plans = [], [], [], [], []
    for m in measured:
        label, bare, queue, case = m["label"], m["bare"], m["queue"], m["case"]
        shares = m["cpu_shares"]
        errors = bare["errors"] + queue["errors"] + case["errors"]
        rows.append(
            {
                "database": label,
                "bare_rps": bare["requests_per_second"],
                "bare_p95": bare["latency_p95_ms"],
                "queue_rps": queue["requests_per_second"],
                "ratio": ratio(queue, bare),
                "p50": queue["latency_p50_ms"],
                "p95": queue["latency_p95_ms"],
                "p99": queue["latency_p99_ms"],
                "requests": queue["requests"],
                "errors": errors,
                "server_cpu": percent(shares["server"]),
                "database_cpu": percent(shares["database"]),
                "client_cpu": percent(shares["client"]),
                "other_cpu": percent(shares["other"]),
            }
        )
        case_rows.append(
            {
                "database": label,
                "bare_rps": bare["requests_per_second"],
                "case_rps": case["requests_per_second"],
                "ratio": ratio(case, bare),
                "p50": case["latency_p50_ms"],
                "p95": case["latency_p95_ms"],
                "p99": case["latency_p99_ms"],
                "requests": case["requests"],
                "errors": case["errors"],
            }
        )
        targets += [
            target(subject=label, name="queue p95", measured=queue["latency_p95_ms"], op="<",
                   limit=TARGET_P95_MS, unit=" ms"),
            target(subject=label, name="errors (non-200 or dropped)", measured=errors, op="=",
                   limit=0),
        ]  # fmt: skip
        profiled = {p["path"]: p for p in m["database"]["profile"]["pages"]}
        for page in m["pages"]:
            measured_page = profiled[page["path"]]
            pages.append(
                {
                    "database": label,
                    "path": f"`{page['path']}`",
                    "shown": page["shown"],
                    "queries": measured_page["queries"],
                    "sql_ms": measured_page["sql_ms"],
                    "total_ms": measured_page["total_ms"],
                    "kilobytes": page["kilobytes"],
                }
            )
        for query in m["database"]["profile"]["expensive_queries"]:
            plans.append(
                {
                    "database": label,
                    "path": f"`{query['path']}`",
                    "what": query["what"],
                    "ms": query["ms"],
                    "plan": query["plan"],
                }
            )
    first = measured[0]["database"] if measured else {}
    busy = [m["label"] for m in measured if (m["cpu_shares"]["other"] or 0) > 0.1]
    if busy:
        notes.append(
            f"Other work shared the machine during the {' and '.join(busy)} measurements (see "
            "Other CPU): the absolute figures are lower than on a quiet machine; the ratios "
            "are the figures to compare."
        )
    counts = first.get("counts", {})
    notes = [
        *notes,
        f"{members:,} members from the directory benchmark's population, {MODERATORS} of them "
        f"moderators at {MODERATORS} institutions; the reader is the moderator at "
        f"{READER_INSTITUTION}. Items of every kind that can be reported "
        f"({', '.join(kind for kind, _ in KIND_SHARES)}): "
        + ", ".join(f"{n:,} {kind}" for kind, n in counts.get("items", {}).items())
        + ".",
        f"{counts.get('open', 0):,} open cases (of the last three weeks, most recent the "
        f"most) and {counts.get('closed', 0):,} closed ones (three years, each with its "
        f"decision), {counts.get('reports', 0):,} reports in all: one to fifteen per case, "
        f"{PATIENT_DATA_OPEN:.0%} of the open cases about patient data (hidden when "
        f"reported), {CLAIMED_OPEN:.0%} claimed by another moderator. As the site routes "
        "them, cases about a mentor or a moderator skip the moderators of the author's "
        f"institution: {counts.get('excluded_for_reader', 0):,} open cases about mentors at "
        f"the reader's institution and {counts.get('about_reader', 0)} about the reader are "
        f"not the reader's, leaving {counts.get('reader_queue', 0):,} in the reader's queue. "
        f"{counts.get('appeals_waiting', 0)} appeals wait, "
        f"{counts.get('appeals_for_reader', 0)} of them for the reader (not decided by them, "
        f"nor routed away); {counts.get('audit', 0):,} audit rows.",
        "The queue's requests rotate over its pages as a moderator reads them: the first "
        "page most (patient data first, then the oldest), the next pages, one in the middle "
        "and the last. The queue has no filter but its pages. Each request counts the "
        f"reader's open cases, reads the {PER_PAGE} of its page through the index "
        "moderation_case_queue (their reports counted in one query) and lists the 10 oldest "
        "appeals waiting for the reader, with the count of all.",
        "Before that index, the queue joined every open case to its reports, grouped and "
        "sorted them all for each page: on SQLite that query took 160 to 210 ms for a page "
        "of 50 (in process, 22,000 cases among 3,000 members), 3 ms through the index. With "
        "the index but the rows read whole and every appeal listed, a run on the same busy "
        "machine measured a queue p95 of 774 ms on SQLite and 646 ms on PostgreSQL (ratios "
        "0.057 and 0.066).",
        "The case pages are those a moderator opens from the queue's first pages: patient "
        "data, one of each kind, the most reported, one another moderator claimed, and "
        "closed cases whose appeal waits. Their figure is reported apart; the target is the "
        "queue's.",
        "No target is set for the ratio to the bare view; it is a figure, reported with every run.",
        f"{clients} keep-alive clients in one process on the same machine as the server "
        f"(`granian --interface wsgi --workers {WORKERS}`, DEBUG off, production settings); "
        f"{ROUNDS} rounds alternate the bare view, the queue and the case pages, each "
        f"{WARMUP_SECONDS:g} s of warm-up then {duration / ROUNDS:g} s measured. The baseline "
        "is a view returning a fixed 2-byte response through the full middleware stack with "
        "the same session cookie.",
        "The pages table gives each page through the Django test client on the same "
        "database before the load (no HTTP server, one request at a time, median of 5); "
        "`Shown` is the cases listed, or a case's reports.",
    ]
    return {
        "summary": (
            f"A moderator works the queue of {OPEN_CASES:,} open cases among {members:,} "
            f"members, with {CLOSED_CASES:,} closed cases in the history: the queue's pages "
            f"and the cases' pages against the production server (granian, {WORKERS} "
            f"workers) under {clients} concurrent clients, compared with a bare Django view "
            "on the same server in the same run."
        ),
        "command": ".venv/bin/python -m bench moderation",
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
                "title": "Figures: the queue",
                "columns": [
                    ["database", "Database"],
                    ["bare_rps", "Bare view req/s"],
                    ["bare_p95", "Bare p95 ms"],
                    ["queue_rps", "Queue req/s"],
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
                "title": "A case's page",
                "columns": [
                    ["database", "Database"],
                    ["bare_rps", "Bare view req/s"],
                    ["case_rps", "Case page req/s"],
                    ["ratio", "Ratio"],
                    ["p50", "p50 ms"],
                    ["p95", "p95 ms"],
                    ["p99", "p99 ms"],
                    ["requests", "Requests"],
                    ["errors", "Errors"],
                ],
                "rows": case_rows,
            },
            {
                "title": "Pages, one request at a time in process (median of 5)",
                "columns": [
                    ["database", "Database"],
                    ["path", "Page"],
                    ["shown", "Shown"],
                    ["queries", "Queries"],
                    ["sql_ms", "SQL ms"],
                    ["total_ms", "Total ms"],
                    ["kilobytes", "KiB"],
                ],
                "rows": pages,
            },
            {
                "title": "Costliest queries of the queue's first and last pages, with their plans",
                "columns": [
                    ["database", "Database"],
                    ["path", "Page"],
                    ["what", "Query"],
                    ["ms", "ms"],
                    ["plan", "Plan (abridged)"],
                ],
                "rows": plans,
            },
        ],
        "notes": notes,
        "details": {"runs": measured},
    }


# ---------------------------------------------------------------------------------------------
# `python -m bench.moderation seed`: runs inside Django with the bench database's settings.


@contextmanager
def _dates_as_given(*models: Any) -> Iterator[None]:
    """bulk_create keeps the created_at and updated_at the seed gives (auto_now and
    auto_now_add would make every row's now)."""
    fields = [
        field
        for model in models
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def seed(*, members: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from bench import population
    from hemonc.community.models import Discussion, Reply
    from hemonc.community.services.spaces import space_create
    from hemonc.core.models import AuditEntry
    from hemonc.core.permissions import OPERATOR
    from hemonc.events.models import LiveSession, Question, Season
    from hemonc.members.models import User
    from hemonc.mentorship.models import MentorOffer
    from hemonc.moderation.models import Case

    reader = population.populate(members=members, reader_email=BENCH_EMAIL)
    # As the server reads them: the profile populate() filled in, not the one it first made.
    reader = User.objects.select_related("profile").get(pk=reader.pk)
    space = space_create(actor=OPERATOR, slug="general", name="General")
    rng = random.Random(2_000)
    now = timezone.now()
    models = (Case, Discussion, Reply, Question, LiveSession, Season, MentorOffer, AuditEntry)
    with transaction.atomic(), _dates_as_given(*models):
        moderators = _moderators(reader, rng)
        items, by_author, mentors = _items(reader, space, rng, now)
        counts = _cases(
            reader=reader,
            moderators=moderators,
            items=items,
            by_author=by_author,
            mentors=mentors,
            rng=rng,
            now=now,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    queue_paths, case_paths = _paths(reader, counts)
    session_key = population.session_for(reader)
    return {
        "vendor": connection.vendor,
        "version": population.database_version(),
        "counts": counts,
        "queue_paths": queue_paths,
        "case_paths": case_paths,
        "session_key": session_key,
        "profile": _profile_pages(session_key, connection, queue_paths, case_paths),
    }


def _moderators(reader: Any, rng: random.Random) -> list[Any]:
    """The reader and seven others, each at an institution of their own."""
    from django.contrib.auth.models import Group

    from hemonc.members.enums import Role
    from hemonc.members.models import User

    group, _ = Group.objects.get_or_create(name=Role.MODERATOR.value)
    candidates = list(
        User.objects.filter(is_active=True, profile__stage="attending")
        .exclude(profile__institution="")
        .exclude(profile__institution__iexact=READER_INSTITUTION)
        .select_related("profile")
        .order_by("pk")
    )
    rng.shuffle(candidates)
    chosen, institutions = [reader], {READER_INSTITUTION.casefold()}
    for user in candidates:
        if len(chosen) == MODERATORS:
            break
        if user.profile.institution.casefold() not in institutions:
            chosen.append(user)
            institutions.add(user.profile.institution.casefold())
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=group.pk) for user in chosen
    )
    return chosen


def _items(
    reader: Any, space: Any, rng: random.Random, now: datetime
) -> tuple[dict[str, list[tuple[int, int]]], dict[str, list[tuple[int, int]]], set[int]]:
    """Items of every kind: (id, author id) by kind; those by mentors of the reader's
    institution apart; and who mentors."""
    from hemonc.community.models import Discussion, Reply
    from hemonc.core.markdown import render_markdown
    from hemonc.events.models import LiveSession, Question, Season
    from hemonc.members.models import Profile, User
    from hemonc.mentorship.models import MentorOffer

    people = list(
        User.objects.filter(is_active=True)
        .exclude(pk=reader.pk)
        .values_list("pk", "profile__stage", "profile__institution")
    )
    ids = [pk for pk, _, _ in people]
    senior = [pk for pk, stage, _ in people if stage in {"attending", "advanced_fellow", "fellow"}]
    at_reader = {pk for pk, _, inst in people if inst.casefold() == READER_INSTITUTION.casefold()}
    # One senior member in eight mentors; at the reader's institution, one in three.
    mentor_ids = [pk for pk in senior if rng.random() < (1 / 3 if pk in at_reader else 1 / 8)]
    abouts = [
        "Careers in myeloma, grant writing and the fellowship interview season.",
        "Happy to talk about research years, visas and moving countries for training.",
        "Transplant and cellular therapy; how to choose a first clinical trial project.",
        "Work and life with small children during fellowship. Ask me anything.",
    ]

    def dated(days: int) -> dict[str, datetime]:
        when = now - timedelta(minutes=rng.randrange(days * 24 * 60))
        return {"created_at": when, "updated_at": when}

    MentorOffer.objects.bulk_create(
        (
            MentorOffer(user_id=pk, capacity=rng.randint(1, 5), about=rng.choice(abouts),
                        **dated(900))
            for pk in mentor_ids
        ),
        batch_size=2000,
    )  # fmt: skip
    bodies = [
        "Has anyone used the new **bispecific** outside a trial? How did you monitor CRS?",
        "Our program changed the night float schedule; sharing what worked and what did not.",
        "Which review would you give a new fellow on MRD in myeloma? Links welcome.",
        "Board question of the week: a 64-year-old with pancytopenia and a dry tap.",
    ]
    rendered = {body: render_markdown(body) for body in bodies}
    discussions = []
    for number in range(1_500):
        body, when = rng.choice(bodies), dated(700)
        discussions.append(
            Discussion(space=space, author_id=rng.choice(ids), title=f"Thread {number}: {body[:40]}",
                       body=body, body_html=rendered[body], last_activity_at=when["created_at"],
                       **when)
        )  # fmt: skip
    Discussion.objects.bulk_create(discussions, batch_size=1000)
    replies = []
    for number in range(12_000):
        discussion, body = rng.choice(discussions), rng.choice(bodies)
        author = reader.pk if number < 4 else rng.choice(ids)  # the reader writes too
        replies.append(
            Reply(discussion=discussion, author_id=author, body=body, body_html=rendered[body],
                  created_at=discussion.created_at + timedelta(minutes=rng.randrange(1, 60_000)))
        )  # fmt: skip
    Reply.objects.bulk_create(replies, batch_size=2000)
    season = Season.objects.create(
        name="Season 1", slug="season-1", starts_on=(now - timedelta(days=430)).date(),
        ends_on=(now + timedelta(days=30)).date(), created_at=now - timedelta(days=440),
        updated_at=now - timedelta(days=440),
    )  # fmt: skip
    sessions = [
        LiveSession(season=season, title=f"Session {week}: lymphoma, myeloma and more",
                    starts_at=now - timedelta(weeks=60 - week), status="ended",
                    created_at=now - timedelta(weeks=62 - week),
                    updated_at=now - timedelta(weeks=60 - week))
        for week in range(60)
    ]  # fmt: skip
    LiveSession.objects.bulk_create(sessions)
    questions = []
    for _ in range(6_000):
        session = rng.choice(sessions)
        when = session.starts_at + timedelta(seconds=rng.randrange(3600))
        questions.append(
            Question(session=session, author_id=rng.choice(ids),
                     text="How do you choose between the two regimens in frail patients?",
                     created_at=when, updated_at=when)
        )  # fmt: skip
    Question.objects.bulk_create(questions, batch_size=2000)
    items: dict[str, list[tuple[int, int]]] = {
        "community.reply": [(r.pk, r.author_id) for r in replies],
        "events.question": [(q.pk, q.author_id) for q in questions],
        "members.profile": list(
            Profile.objects.exclude(bio="").exclude(user=reader).values_list("pk", "user_id")
        ),
        "community.discussion": [(d.pk, d.author_id) for d in discussions],
        "mentorship.mentoroffer": list(MentorOffer.objects.values_list("pk", "user_id")),
    }
    mentors = set(mentor_ids)
    by_author = {
        kind: [(pk, author) for pk, author in rows if author in mentors and author in at_reader]
        for kind, rows in items.items()
    }
    items["members.profile"].append((reader.profile.pk, reader.pk))  # the reader's own bio
    return items, by_author, mentors


def _cases(
    *,
    reader: Any,
    moderators: list[Any],
    items: dict[str, list[tuple[int, int]]],
    by_author: dict[str, list[tuple[int, int]]],
    mentors: set[int],
    rng: random.Random,
    now: datetime,
) -> dict[str, Any]:
    """Open and closed cases with their reports, decisions, appeals and audit rows."""
    from hemonc.core.models import AuditEntry
    from hemonc.members.models import User
    from hemonc.moderation.models import Appeal, Case, Decision, Report
    from hemonc.moderation.selectors import appeals_waiting_for, cases_open_for

    institution = dict(User.objects.values_list("pk", "profile__institution"))
    moderator_ids = {m.pk for m in moderators}
    others = [m for m in moderators if m.pk != reader.pk]
    reporters = [pk for pk in institution if pk not in moderator_ids and pk != reader.pk]
    reported: dict[tuple[str, int], set[int]] = {}

    def excluded(author: int) -> str:
        """What report_create decides (moderation.services._excluded_institution)."""
        if author in mentors or author in moderator_ids:
            return institution.get(author, "").strip()
        return ""

    def pick(taken: set[tuple[str, int]]) -> tuple[str, int, int]:
        while True:
            kind = _weighted(rng, KIND_SHARES)
            near = by_author[kind] if rng.random() < ABOUT_READER_INSTITUTION else []
            item_id, author = rng.choice(near or items[kind])
            if (kind, item_id) not in taken and author != reader.pk:
                return kind, item_id, author

    cases: list[Case] = []
    planned: list[tuple[Case, list[tuple[int, str, str, datetime]]]] = []

    def plan(kind: str, item_id: int, author: int, *, opened: datetime, patient_data: bool,
             latest: datetime) -> Case:  # fmt: skip
        case = Case(item_type=kind, item_id=str(item_id), author_id=author,
                    excluded_institution=excluded(author), patient_data=patient_data,
                    hidden_on_report=patient_data, created_at=opened, updated_at=opened)  # fmt: skip
        taken = reported.setdefault((kind, item_id), {author})
        lines = []
        for index in range(_weighted(rng, REPORTS_PER_CASE)):
            reporter = rng.choice(reporters)
            if reporter in taken:
                continue  # once per person per item
            taken.add(reporter)
            reason = (
                "patient_data"
                if patient_data and (index == 0 or rng.random() < 0.5)
                else _weighted(rng, OTHER_REASONS)
            )
            note = rng.choice(NOTES) if rng.random() < 0.35 else ""
            when = (
                opened
                if index == 0
                else min(latest, opened + timedelta(minutes=rng.randrange(1, 3000)))
            )
            lines.append((reporter, reason, note, when))
        cases.append(case)
        planned.append((case, lines))
        return case

    # Open cases: the last three weeks, most of them recent; every item once.
    open_items: set[tuple[str, int]] = set()
    for _ in range(OPEN_CASES):
        kind, item_id, author = pick(open_items)
        open_items.add((kind, item_id))
        opened = now - timedelta(minutes=min(21 * 24 * 60, rng.expovariate(1 / (4 * 24 * 60))))
        case = plan(kind, item_id, author, opened=opened, latest=now,
                    patient_data=rng.random() < PATIENT_DATA_OPEN)  # fmt: skip
        if rng.random() < CLAIMED_OPEN:
            case.claimed_by_id = rng.choice(others).pk
            case.claimed_at = now - timedelta(minutes=rng.randrange(1, 90))
    # Cases about the reader: never in their queue.
    own_replies = [pk for pk, author in items["community.reply"] if author == reader.pk]
    about_reader = [("members.profile", reader.profile.pk)]
    about_reader += [("community.reply", pk) for pk in own_replies[:2]]
    for kind, item_id in about_reader:
        open_items.add((kind, item_id))
        plan(kind, item_id, reader.pk, opened=now - timedelta(days=2), latest=now,
             patient_data=False)  # fmt: skip
    # Closed cases: three years of them, each decided by one moderator.
    closed: list[Case] = []
    for _ in range(CLOSED_CASES):
        kind, item_id, author = pick(set())
        opened = now - timedelta(minutes=rng.randrange(60, 3 * 365 * 24 * 60))
        decided = min(now, opened + timedelta(minutes=rng.randrange(10, 3 * 24 * 60)))
        patient_data = rng.random() < PATIENT_DATA_CLOSED
        case = plan(kind, item_id, author, opened=opened, latest=decided,
                    patient_data=patient_data)  # fmt: skip
        moderator = rng.choice(moderators)
        outcome = (
            _weighted(rng, [("redacted", 60), ("hidden", 40)])
            if patient_data
            else _weighted(rng, OUTCOMES)
        )
        case.status, case.outcome = "closed", outcome
        case.decided_by_id = case.claimed_by_id = moderator.pk
        case.decided_at, case.claimed_at = decided, decided - timedelta(minutes=10)
        case.updated_at = decided
        closed.append(case)
    Case.objects.bulk_create(cases, batch_size=2000)
    Report.objects.bulk_create(
        (
            Report(case=case, reporter_id=reporter, item_type=case.item_type,
                   item_id=case.item_id, reason=reason, note=note, created_at=when)
            for case, lines in planned
            for reporter, reason, note, when in lines
        ),
        batch_size=5000,
    )  # fmt: skip
    decisions = []
    for case in closed:
        days = rng.choice([7, 14, 30]) if case.outcome == "suspended" else None
        decisions.append(
            Decision(case=case, moderator_id=case.decided_by_id, outcome=case.outcome,
                     reason="The report was read against the code of conduct.",
                     suspended_days=days, created_at=case.decided_at)
        )  # fmt: skip
    Decision.objects.bulk_create(decisions, batch_size=5000)
    # Appeals: of recent decisions, one in four waits; older ones were decided.
    appeals = []
    for case in closed:
        if case.outcome == "dismissed":
            continue
        recent = case.decided_at > now - timedelta(days=21)
        if rng.random() >= (0.25 if recent else 0.04):
            continue
        appealed = case.decided_at + timedelta(hours=rng.randrange(1, 72))
        appeal = Appeal(case=case, author_id=case.author_id, created_at=min(now, appealed),
                        text="I shared nothing that identifies anyone; please look again.")  # fmt: skip
        if not recent:
            appeal.upheld = rng.random() < 0.7
            appeal.answer = "Read again by another moderator."
            appeal.decided_by_id = rng.choice(
                [m for m in moderators if m.pk != case.decided_by_id]
            ).pk
            appeal.decided_at = appeal.created_at + timedelta(days=1)
        appeals.append(appeal)
    Appeal.objects.bulk_create(appeals, batch_size=2000)
    _hide_items(cases, now)
    audit = [
        AuditEntry(actor_id=reporter, action="case.report", target_type="moderation.case",
                   target_id=str(case.pk), changes={"reason": reason}, created_at=when)
        for case, lines in planned
        for reporter, reason, _, when in lines
    ] + [
        AuditEntry(actor_id=case.decided_by_id, action=f"case.{case.outcome}",
                   target_type="moderation.case", target_id=str(case.pk), created_at=case.decided_at)
        for case in closed
    ]  # fmt: skip
    AuditEntry.objects.bulk_create(audit, batch_size=5000)
    reader_queue = cases_open_for(reader).count()
    return {
        "items": {kind: len(rows) for kind, rows in items.items()},
        "open": len(cases) - len(closed),
        "closed": len(closed),
        "reports": Report.objects.count(),
        "reader_queue": reader_queue,
        "about_reader": len(about_reader),
        "excluded_for_reader": len(cases) - len(closed) - reader_queue - len(about_reader),
        "open_patient_data": sum(1 for c in cases if c.status == "open" and c.patient_data),
        "open_claimed": sum(1 for c in cases if c.status == "open" and c.claimed_by_id),
        "appeals_waiting": sum(1 for a in appeals if a.upheld is None),
        "appeals_for_reader": appeals_waiting_for(reader).count(),
        "audit": AuditEntry.objects.count(),
    }


def _hide_items(cases: list[Any], now: datetime) -> None:
    """What patient-data reports hid, and what decisions hid, is hidden."""
    from hemonc.community.models import Discussion, Reply
    from hemonc.events.models import Question
    from hemonc.members.models import Profile
    from hemonc.mentorship.models import MentorOffer

    hidden: dict[str, set[int]] = {}
    for case in cases:
        if (case.status == "open" and case.patient_data) or case.outcome in {"hidden", "redacted"}:
            hidden.setdefault(case.item_type, set()).add(int(case.item_id))
    flags = {
        "community.reply": (Reply, {"hidden": True}),
        "community.discussion": (Discussion, {"hidden": True}),
        "events.question": (Question, {"is_hidden": True}),
        "members.profile": (Profile, {"bio_hidden_at": now}),
        "mentorship.mentoroffer": (MentorOffer, {"about_hidden_at": now}),
    }
    for kind, pks in hidden.items():
        model, values = flags[kind]
        ordered = sorted(pks)
        for start in range(0, len(ordered), 500):
            model.objects.filter(pk__in=ordered[start : start + 500]).update(**values)


def _paths(reader: Any, counts: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The queue's pages as a moderator reads them, and the cases they open from it."""
    from django.db.models import Count

    from hemonc.moderation.selectors import appeals_waiting_for, cases_open_for

    last = max(1, -(-counts["reader_queue"] // PER_PAGE))
    queue = "/organize/cases/"
    queue_paths = [
        queue, f"{queue}?page=2", queue, f"{queue}?page=3", queue, f"{queue}?page=2",
        queue, f"{queue}?page=4", f"{queue}?page={last // 2}", f"{queue}?page={last}",
    ]  # fmt: skip
    ordered = cases_open_for(reader).order_by("-patient_data", "created_at", "id")
    chosen: dict[int, None] = {}
    chosen.update(dict.fromkeys(ordered.values_list("pk", flat=True)[:3]))  # patient data
    chosen.update(dict.fromkeys(ordered.values_list("pk", flat=True)[PER_PAGE : PER_PAGE + 2]))
    for kind, _ in KIND_SHARES:
        pk = ordered.filter(patient_data=False, item_type=kind).values_list("pk", flat=True)[:1]
        chosen.update(dict.fromkeys(pk))
    most = ordered.annotate(n=Count("reports")).order_by("-n", "pk").values_list("pk", flat=True)
    chosen.update(dict.fromkeys(most[:1]))
    claimed = ordered.filter(claimed_by__isnull=False).values_list("pk", flat=True)[:1]
    chosen.update(dict.fromkeys(claimed))
    waiting = appeals_waiting_for(reader).values_list("case_id", flat=True)[:2]
    chosen.update(dict.fromkeys(waiting))
    return queue_paths, [f"{queue}{pk}/" for pk in chosen]


def _profile_pages(
    session_key: str, connection: Any, queue_paths: list[str], case_paths: list[str]
) -> dict[str, Any]:
    """Each page through the test client: queries, SQL time, total time (medians of five
    requests), and the plans of the costliest queries of the queue's first and last pages."""
    from django.conf import settings
    from django.test import Client

    client = Client(SERVER_NAME=LOOPBACK)
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    pages = []
    for path in [*dict.fromkeys(queue_paths), *case_paths]:
        client.get(path)  # warm what a running server has warm (templates)
        timed = timed_requests(client, path, connection, before=lambda: None, describe=_describe)
        pages.append(
            {
                "path": path,
                "queries": len(timed["statements"]),
                "sql_ms": round(sum(q["ms"] for q in timed["statements"]), 2),
                "total_ms": timed["total_ms"],
                "statements": timed["statements"],
            }
        )
    expensive = []
    for page in (pages[0], pages[len(dict.fromkeys(queue_paths)) - 1]):
        for query in sorted(page["statements"], key=lambda q: -q["ms"])[:3]:
            plan = explain(connection, query["sql"], query["params"])
            expensive.append({"path": page["path"], **query, "plan": plan})
    for query in expensive:
        query["params"] = [str(param) for param in query["params"]]
    for page in pages:
        page["statements"] = [{"what": q["what"], "ms": q["ms"]} for q in page["statements"]]
    return {"pages": pages, "expensive_queries": expensive}


def _describe(sql: str) -> str:
    if "django_session" in sql:
        return "session"
    if "auth_group" in sql:
        return "roles of the reader"
    if '"moderation_appeal"' in sql and "upheld" in sql:
        return "appeals waiting for the reader"
    if '"moderation_case"' in sql and "COUNT(*)" in sql:
        return "the reader's open cases, counted"
    if '"moderation_case"' in sql and "LIMIT" in sql and '"status"' in sql:
        return "the page's cases"
    if 'FROM "moderation_report"' in sql and "COUNT(" in sql:
        return "the reports of the page's cases, counted"
    if 'FROM "moderation_report"' in sql:
        return "the case's reports"
    if 'FROM "moderation_decision"' in sql:
        return "the case's decisions"
    if 'FROM "core_auditentry"' in sql:
        return "what the author did lately"
    if 'FROM "moderation_case"' in sql:
        return "a case"
    if '"members_profile"."user_id" =' in sql:
        return "the reader's profile"
    if 'FROM "members_user"' in sql:
        return "the reader (sign-in)"
    return sql[:60]


def _seed_main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.moderation")
    parser.add_argument("command", choices=["seed"])
    parser.add_argument("--members", type=int, default=MEMBERS)
    arguments = parser.parse_args()
    import django

    django.setup()
    print(json.dumps(seed(members=arguments.members)))


if __name__ == "__main__":
    _seed_main()
