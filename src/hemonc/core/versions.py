"""Version tokens of kinds of data, for caches that must never be stale (see DataVersion)."""

from __future__ import annotations

import uuid

from django.db import connection

from hemonc.core.models import DataVersion

# Read on every page whose caches it keys: written out, the ORM would cost more than the query.
# The figure, from the directory benchmark (bench/directory.py, per-query profile in
# bench/results/directory.json, "directory version"): 0.017 ms on SQLite and 0.20 ms on
# PostgreSQL (medians), within a warm directory page of 3.7 ms whose SQL is 0.18 ms in all.
_TOKEN_SQL = f"SELECT token FROM {DataVersion._meta.db_table} WHERE name = %s"  # noqa: S608


def data_version(name: str) -> str:
    """The current token of `name`; "" until its data first changes."""
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL, [name])
        row = cursor.fetchone()
    return row[0] if row else ""


def data_version_bump(*, name: str) -> None:
    """A new token for `name`, in the caller's transaction: it shows when the change commits.

    Random rather than counted: a database restored from a backup brings back a token whose
    cache entries were made for exactly that state, never for another state that happened to
    reach the same count.
    """
    token = uuid.uuid4().hex
    if not DataVersion.objects.filter(name=name).update(token=token):
        DataVersion.objects.update_or_create(name=name, defaults={"token": token})
