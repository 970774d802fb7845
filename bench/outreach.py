"""Importing X analytics and computing the network report at 1,000,000 posts.

The run writes 1,000,000 synthetic posts as legacy tweet activity exports (the real layout:
all fields quoted, float counts, "-" in the 18 promoted columns, CRLF), then, on a fresh SQLite
database and a fresh PostgreSQL database, runs the real import (`x_analytics_import`, as
`hemonc import-x-analytics` does) and the JSON report. The baseline, in the same run: reading
the same files with the csv module and nothing else.
"""

from __future__ import annotations

import csv
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import CHILD_PYTHONPATH, REPO_ROOT, target
from bench.common import POSTGRES_SERVER, drop_postgres_database, log, recreate_postgres_database

TITLE = "Outreach import and report"
POSTS = 1_000_000
FILES = 10
TARGET_RATE = 20_000.0
TARGET_REPORT_SECONDS = 2.0
POSTGRES_DATABASE = "hemonc_bench_outreach"
HANDLE = "BenchNet"
START = datetime(2019, 1, 1, tzinfo=UTC)
SPAN_DAYS = 5 * 365


def generate(folder: Path, posts: int = POSTS, files: int = FILES) -> list[Path]:
    """`files` consecutive period files of synthetic posts (about 5 years in all)."""
    sys.path.insert(0, str(REPO_ROOT / "src"))
    from hemonc.outreach.exports import SyntheticPost, legacy_header, legacy_name, legacy_row

    rng = random.Random(1_000_000)
    per_file = posts // files
    days_per_file = SPAN_DAYS // files
    paths = []
    post_id = 1_100_000_000_000_000_000
    tags = ["", "", "", " #HOFellows", " #ASH22", " #hemetwitter #MedTwitter"]
    for index in range(files):
        first = START.date() + timedelta(days=index * days_per_file)
        end = first + timedelta(days=days_per_file)
        path = folder / legacy_name(HANDLE, first, end)
        with path.open("w", encoding="utf-8", newline="") as file:
            file.write(legacy_header() + "\r\n")
            seconds = days_per_file * 86400
            for n in range(per_file):
                post_id += rng.randint(1, 5000)
                impressions = rng.randint(20, 3000)
                engagements = rng.randint(0, impressions // 10)
                published = datetime.combine(first, datetime.min.time(), tzinfo=UTC) + timedelta(
                    seconds=seconds * n // per_file
                )
                post = SyntheticPost(
                    str(post_id), published, f"Synthetic post {n}{rng.choice(tags)}",
                    impressions, engagements, engagements // 3, engagements // 9,
                    engagements // 12,
                )  # fmt: skip
                file.write(legacy_row(HANDLE, post) + "\r\n")
        paths.append(path)
    return paths


def baseline(paths: list[Path]) -> float:
    """Rows per second when only the csv module reads the files."""
    started = time.perf_counter()
    rows = 0
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file)
            next(reader)
            for _ in reader:
                rows += 1
    return rows / (time.perf_counter() - started)


def run(*, posts: int = POSTS) -> dict[str, Any]:
    notes: list[str] = []
    measured: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hemonc-bench-outreach-") as scratch:
        folder = Path(scratch)
        log(f"writing {posts:,} synthetic posts as legacy exports")
        paths = generate(folder, posts)
        databases = [("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}")]
        problem = recreate_postgres_database(POSTGRES_DATABASE)
        if problem:
            notes.append(f"PostgreSQL was skipped: {problem}.")
        else:
            databases.append(("PostgreSQL", f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"))
        try:
            for label, url in databases:
                log(f"{label}: importing and reporting")
                result = _child(url, folder / label, paths)
                log(
                    f"{label}: {result['rows_per_second']:,.0f} rows/s "
                    f"(csv only {result['baseline_rows_per_second']:,.0f}), report "
                    f"{result['report_seconds']:.2f} s"
                )
                measured.append({"label": label, **result})
        finally:
            if not problem:
                drop_postgres_database(POSTGRES_DATABASE)
    targets = []
    for m in measured:
        targets += [
            target(subject=f"{m['label']} import", name="rows/s", measured=m["rows_per_second"],
                   op=">=", limit=TARGET_RATE),
            target(subject=f"{m['label']} JSON report", name="time", measured=m["report_seconds"],
                   op="<", limit=TARGET_REPORT_SECONDS, unit=" s"),
        ]  # fmt: skip
    return {
        "summary": f"{posts:,} synthetic posts in legacy tweet activity exports ({FILES} files) "
        "imported end to end by the real importer (parse, validate, batched upserts in one "
        "transaction), then the JSON network report over all of them. The baseline reads the "
        "same files with the csv module only, in the same run.",
        "command": ".venv/bin/python -m bench outreach",
        "databases": [
            {"label": m["label"], "vendor": m["vendor"], "version": m["version"]} for m in measured
        ],
        "tables": [
            {
                "title": "Import and report",
                "columns": [
                    ["label", "Database"],
                    ["rows", "Rows"],
                    ["import_seconds", "Import (s)"],
                    ["rows_per_second", "Rows/s"],
                    ["baseline_rows_per_second", "csv only, rows/s"],
                    ["ratio", "Import / csv only"],
                    ["report_seconds", "JSON report (s)"],
                    ["reimport_seconds", "Same files again (s)"],
                ],
                "rows": measured,
            }
        ],
        "targets": targets,
        "notes": [
            *notes,
            "The report time is the second of two runs (the first warms the database's cache); "
            "both are in the JSON details.",
            "On PostgreSQL the importer reads the next batch of 20,000 rows while the server "
            "writes the one before (COPY into a temporary table, then INSERT ... ON CONFLICT "
            "from it, run by a second thread on the same connection and transaction); SQLite "
            "runs inside the process, so its statements of 500 rows run in turn.",
        ],
        "details": {"measured": measured},
    }


def _child(database_url: str, var_dir: Path, paths: list[Path]) -> dict[str, Any]:
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HEMONC_"))},
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "hemonc.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "HEMONC_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": CHILD_PYTHONPATH,
    }
    completed = subprocess.run(
        [sys.executable, "-m", "bench.outreach", "measure", *map(str, paths)],
        env=env,
        cwd=REPO_ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    if completed.returncode:
        raise RuntimeError(completed.stderr[-3000:])
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _measure(paths: list[Path]) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hemonc.analytics.report import network_report
    from hemonc.core.permissions import OPERATOR
    from hemonc.outreach.importers.sources import sources_from_paths
    from hemonc.outreach.services import x_analytics_import

    call_command("migrate", verbosity=0)
    base = baseline(paths)
    started = time.perf_counter()
    summary = x_analytics_import(sources=sources_from_paths(paths), actor=OPERATOR)
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    x_analytics_import(sources=sources_from_paths(paths), actor=OPERATOR)
    reimport = time.perf_counter() - again
    report_times = []
    for _ in range(2):
        clock = time.perf_counter()
        report = network_report(start=date(2019, 1, 1), end=date(2023, 12, 31))
        json.dumps(report)
        report_times.append(time.perf_counter() - clock)
    rate = summary.rows / seconds
    return {
        "vendor": connection.vendor,
        "version": ".".join(map(str, connection.Database.sqlite_version_info))
        if connection.vendor == "sqlite"
        else str(connection.cursor().connection.info.server_version),
        "rows": summary.rows,
        "posts": report["outreach"]["posts"],
        "import_seconds": round(seconds, 2),
        "rows_per_second": round(rate),
        "baseline_rows_per_second": round(base),
        "ratio": round(rate / base, 3),
        "reimport_seconds": round(reimport, 2),
        "report_seconds": round(report_times[-1], 3),
        "report_seconds_cold": round(report_times[0], 3),
    }


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "measure":
        print(json.dumps(_measure([Path(p) for p in sys.argv[2:]])), flush=True)
    else:
        from bench.__main__ import main

        sys.exit(main(["outreach", *sys.argv[1:]]))
