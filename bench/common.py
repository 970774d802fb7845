"""Helpers every benchmark uses: progress lines, a free loopback port, a scratch PostgreSQL;
and for the page benchmarks, a fresh database of each kind served by the production server,
loads in alternating rounds, and a page's queries measured in process."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import CHILD_PYTHONPATH, REPO_ROOT

LOOPBACK = "127.0.0.1"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"


def log(message: str) -> None:
    print(f"   {time.strftime('%H:%M:%S')} {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def postgres_admin() -> Any:
    import psycopg

    return psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)


def recreate_postgres_database(name: str) -> str:
    """Drop and create a scratch database; the reason when PostgreSQL cannot be used."""
    try:
        with postgres_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    except Exception as error:
        return f"{POSTGRES_SERVER} did not answer ({error.__class__.__name__}: {error})".strip()
    return ""


def drop_postgres_database(name: str) -> None:
    with postgres_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------------------------------------
# Serving a prepared database with the production server and loading its pages.

BIN = Path(sys.executable).parent
BARE_PATH = "/bench/bare/"
WORKERS = 2  # granian's workers: one per CPU of the machine the figures were first taken on


def environment(
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


def manage(arguments: list[str], database_url: str, var_dir: Path, secret_key: str) -> None:
    subprocess.run(
        [str(BIN / "hemonc"), *arguments],
        env=environment(database_url, var_dir, secret_key),
        cwd=REPO_ROOT,
        check=True,
    )


@dataclass(frozen=True)
class Database:
    """One database a benchmark runs on, fresh, with what its processes share."""

    label: str  # "SQLite", "PostgreSQL"
    url: str
    var_dir: Path
    secret_key: str

    def manage(self, arguments: list[str]) -> None:
        manage(arguments, self.url, self.var_dir, self.secret_key)

    def environment(self, *, settings: str = "hemonc.settings") -> dict[str, str]:
        return environment(self.url, self.var_dir, self.secret_key, settings=settings)


def on_each_database(
    *, prefix: str, postgres_database: str, measure: Callable[[Database], dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """`measure` on SQLite, then on PostgreSQL when it answers, each a fresh database; the
    measurements, and notes for the reader (PostgreSQL skipped, and why)."""
    notes: list[str] = []
    measured: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        var_dir = Path(scratch) / "var"
        secret_key = secrets.token_urlsafe(50)
        sqlite_url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
        log("collecting static files")
        manage(["collectstatic", "--no-input", "--verbosity", "0"], sqlite_url, var_dir, secret_key)
        databases = [Database("SQLite", sqlite_url, var_dir, secret_key)]
        problem = recreate_postgres_database(postgres_database)
        if problem:
            notes.append(f"PostgreSQL was skipped: {problem}.")
        else:
            url = f"{POSTGRES_SERVER}/{postgres_database}"
            databases.append(Database("PostgreSQL", url, var_dir, secret_key))
        try:
            for database in databases:
                measured.append(measure(database))
        finally:
            if not problem:
                drop_postgres_database(postgres_database)
    return measured, notes


def seed_database(database: Database, module: str, arguments: list[str]) -> dict[str, Any]:
    """Run `python -m <module> seed ARGUMENTS` on the database: the JSON its last line prints."""
    clock = time.perf_counter()
    seeded = subprocess.run(
        [sys.executable, "-m", module, "seed", *arguments],
        env=database.environment(),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if seeded.returncode:
        raise RuntimeError(f"seeding {database.label} failed:\n{seeded.stderr[-3000:]}")
    log(f"{database.label}: seeded in {time.perf_counter() - clock:.1f} s")
    return json.loads(seeded.stdout.strip().splitlines()[-1])


def postgres_backends(name: str) -> Callable[[], list[int]]:
    """The server processes of the connections to database `name` (PostgreSQL is local)."""

    def backends() -> list[int]:
        with postgres_admin() as admin:
            rows = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]
            ).fetchall()
        return [pid for (pid,) in rows]

    return backends


@contextmanager
def serving(
    database: Database, *, name: str, workers: int = WORKERS
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """granian serving the site (and the bare view) on a free loopback port until the block
    ends: the port and the server's process, once it answers."""
    port = free_port()
    log_path = database.var_dir / f"granian-{name}-{database.label.lower()}.log"
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
                str(workers),
                "hemonc.wsgi:application",
            ],
            env=database.environment(settings="bench.settings"),
            cwd=REPO_ROOT,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_serving(port, server, log_path)
            yield port, server
        finally:
            stop(server)


def session_headers(session_key: str) -> dict[str, str]:
    """The headers of a signed-in member's browser (the session cookie)."""
    return {
        "Cookie": f"sessionid={session_key}",
        "Accept": "text/html",
        "User-Agent": "hemonc-bench",
    }


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str]:
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def wait_until_serving(port: int, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"granian exited: {log_path.read_text()[-2000:]}")
        try:
            get(port, BARE_PATH, {})
        except OSError:
            time.sleep(0.2)
        else:
            return
    raise RuntimeError(f"granian did not answer in 60 s: {log_path.read_text()[-2000:]}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # the group started for this server only
            server.wait()


def alternate_loads(
    port: int,
    headers: dict[str, str],
    loads: list[tuple[str, Callable[[int], list[str]]]],
    *,
    label: str,
    clients: int,
    warmup: float,
    duration: float,
    rounds: int,
) -> dict[str, Any]:
    """Each load (a name, and the paths of its round number, from 1) in alternating rounds,
    `duration` s in all for each, every round after `warmup` s; the rounds combined per load.

    Alternating makes a change in the machine's other work during the run weigh on all
    figures alike.
    """
    from bench.load import LoadResult, run_load

    results: dict[str, list[LoadResult]] = {name: [] for name, _ in loads}
    for number in range(1, rounds + 1):
        for name, paths in loads:
            log(
                f"{label}: round {number}/{rounds}, {name}, {clients} clients, "
                f"{warmup:g} s warm-up + {duration / rounds:g} s"
            )
            results[name].append(
                run_load(
                    port=port,
                    paths=paths(number),
                    headers=headers,
                    clients=clients,
                    warmup=warmup,
                    duration=duration / rounds,
                )
            )
    return {name: LoadResult.combined(parts) for name, parts in results.items()}


def ratio(load: dict[str, Any], bare: dict[str, Any]) -> float | None:
    """A page's requests per second over the bare view's, measured in the same run."""
    if not bare["requests_per_second"]:
        return None
    return round(load["requests_per_second"] / bare["requests_per_second"], 3)


def percent(share: float | None) -> str:
    return "" if share is None else f"{share:.0%}"


# ---------------------------------------------------------------------------------------------
# In process, inside Django: a page's queries and their plans.


def timed_requests(
    client: Any,
    path: str,
    connection: Any,
    *,
    before: Callable[[], object],
    describe: Callable[[str], str],
    times: int = 5,
) -> dict[str, Any]:
    """`times` requests of `path` through the test client, `before` each: the statements of
    the first with the median time of each, and the median total time.

    A query's time is its execute call, which on both databases includes finding the rows
    (SQLite computes a sort before the first row).
    """
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
    described = [
        {
            "what": describe(sql),
            "ms": round(median([run[i][2] for run in runs]) * 1000, 3),
            "sql": sql,
            "params": list(params or ()),
        }
        for i, (sql, params, _) in enumerate(runs[0])
    ]
    return {"statements": described, "total_ms": round(median(totals) * 1000, 2)}


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def explain(connection: Any, sql: str, params: list[Any]) -> str:
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
