"""Helpers every benchmark uses: progress lines, a free loopback port, a scratch PostgreSQL."""

from __future__ import annotations

import socket
import time
from typing import Any

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
