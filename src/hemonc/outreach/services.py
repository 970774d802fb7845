"""Writes of the outreach app: importing exports, archives and follower snapshots.

Imports write in batched upserts (one INSERT ... ON CONFLICT per 500 rows on SQLite; per
20,000 on PostgreSQL, where the rows arrive by COPY and the server writes one batch while the
next is parsed) inside one transaction: a broken row anywhere rolls back everything. A post
keeps the metrics of the export whose period ends latest; the database applies that rule
itself (the upsert's WHERE compares `source_period_end`), so it holds within a run and across
runs alike.

Why not Django's `bulk_create(update_conflicts=True)`: bench/outreach.py (1,000,000 posts,
target 20,000 rows/s on each database) measured it, each batch first reading the stored posts
it names to apply the period rule, back to back with this path on a loaded 2-CPU machine:
SQLite 5,078 rows/s (0.021 of the csv-only baseline) and PostgreSQL 3,324 rows/s (0.021),
against 20,641 (0.064) and 5,267 (0.027) for this path. It misses the target on both
databases, so both keep these statements. Daily totals (a few hundred rows a file, in no
benchmark) use `bulk_create`.
"""

from __future__ import annotations

import csv
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import ngettext

from hemonc.core.archives import ArchiveError
from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import Operator, require
from hemonc.core.spreadsheets import undecodable_cell
from hemonc.core.tasks import enqueue_on_commit
from hemonc.members.models import User
from hemonc.outreach.enums import ImportKind, ImportStatus, Platform, SourceFormat
from hemonc.outreach.importers import x_content, x_legacy
from hemonc.outreach.importers.followers_csv import parse_followers_csv
from hemonc.outreach.importers.mastodon import parse_mastodon_outbox, read_outbox
from hemonc.outreach.importers.rows import DailyRow, OutreachFileError, PostRow, SnapshotRow
from hemonc.outreach.importers.sources import Source
from hemonc.outreach.importers.x_archive import is_archive_head, parse_x_archive
from hemonc.outreach.importers.x_overview import is_overview_header, parse_x_overview
from hemonc.outreach.models import (
    DailyTotals,
    FollowerSnapshot,
    ImportRun,
    Post,
    PostHashtag,
    SocialAccount,
)

BATCH = 500

# What a file is, recognized by its header (see detect_format).
LEGACY, LEGACY_DAILY, CONTENT, OVERVIEW, ARCHIVE = (
    "x_legacy", "x_legacy_daily", "x_content", "x_overview", "x_archive",
)  # fmt: skip
FORMAT_LABELS = {
    LEGACY: "tweet activity export",
    LEGACY_DAILY: "daily tweet activity export",
    CONTENT: "content export",
    OVERVIEW: "account overview export",
    ARCHIVE: "archive tweets",
}


# ---------------------------------------------------------------------------------------------
# Accounts


def normalize_handle(handle: str) -> str:
    """'@ExampleNet' -> 'ExampleNet'; '@user@instance' -> 'user@instance'."""
    return handle.strip().removeprefix("@")


@transaction.atomic(durable=True)
def account_get_or_create(
    *, platform: str, handle: str, actor: User | Operator
) -> tuple[SocialAccount, bool]:
    """The account with this handle (any case), created when missing."""
    require(actor, "outreach.manage")
    return _account_get_or_create(platform=platform, handle=handle, actor=actor)


def _account_get_or_create(
    *, platform: str, handle: str, actor: User | Operator
) -> tuple[SocialAccount, bool]:
    handle = normalize_handle(handle)
    if not handle:
        raise DomainError("An account needs a handle.")
    if len(handle) > 120 or not handle.isprintable():
        raise DomainError(f"{handle[:60]!r} is not an account handle.")
    account = SocialAccount.objects.filter(platform=platform, handle__iexact=handle).first()
    if account:
        return account, False
    account = SocialAccount.objects.create(platform=platform, handle=handle)
    audit(actor=actor, action="outreach.account_create", target=account)
    return account, True


class _Accounts:
    """Account ids by handle for one import, created on first sight."""

    def __init__(self, platform: str, *, actor: User | Operator) -> None:
        self.platform = platform
        self.actor = actor
        self.ids: dict[str, int] = {}
        self.created: list[str] = []

    def id_for(self, handle: str) -> int:
        key = normalize_handle(handle).lower()
        if key not in self.ids:
            account, created = _account_get_or_create(
                platform=self.platform, handle=handle, actor=self.actor
            )
            self.ids[key] = account.pk
            if created:
                self.created.append(account.handle)
        return self.ids[key]


# ---------------------------------------------------------------------------------------------
# Batched upserts


POST_COLUMNS = [
    "key", "platform", "post_id", "account_id", "url", "published_at", "month", "text",
    "impressions", "engagements", "likes", "reposts", "replies", "url_clicks", "profile_visits",
    "detail_expands", "follows", "source_format", "source_file", "source_period_end",
]  # fmt: skip
METRIC_COLUMNS = POST_COLUMNS[8:17]


def _values(rows: int, width: int) -> str:
    one = "(" + ", ".join(["%s"] * width) + ")"
    return ", ".join([one] * rows)


POST_TYPES = ["text", "text", "text", "bigint", "text", "timestamptz", "date", "text",
              *["bigint"] * 9, "text", "text", "date"]  # fmt: skip


INCOMING_POSTS = "outreach_incoming_post"
INCOMING_TAGS = "outreach_incoming_tag"


def _post_rows_sql(rows: int, vendor: str) -> str:
    """The rows to insert: multi-row VALUES on SQLite; on PostgreSQL a temporary table filled
    by COPY (the fastest way in), so one statement carries thousands of rows."""
    if vendor == "postgresql":
        return f"SELECT {', '.join(POST_COLUMNS)} FROM {INCOMING_POSTS}"  # noqa: S608
    return f"VALUES {_values(rows, len(POST_COLUMNS))}"


def _prepare_incoming(cursor: Any) -> None:
    """PostgreSQL: the temporary tables COPY writes into, dropped when the import commits."""
    columns = ", ".join(f"{c} {t}" for c, t in zip(POST_COLUMNS, POST_TYPES, strict=True))
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {INCOMING_POSTS} ({columns}) ON COMMIT DROP"
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {INCOMING_TAGS} "
        "(post_key text, tag text, spelling text) ON COMMIT DROP"
    )


def _copy_in(cursor: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    cursor.execute(f"TRUNCATE {table}")
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


@cache
def _post_sql(rows: int, mode: str, vendor: str) -> str:
    """mode: "export" (metrics, latest period wins), "content" (same, but a post already
    known keeps its time of day and text: the content export has neither precisely),
    "archive" (adds missing posts only), "mastodon" (counts of the newer archive)."""
    table = Post._meta.db_table
    # Table and column names are ours; every value goes in as a parameter.
    insert = f"INSERT INTO {table} ({', '.join(POST_COLUMNS)}) {_post_rows_sql(rows, vendor)}"
    if mode == "archive":
        return f"{insert} ON CONFLICT (key) DO NOTHING"
    if mode == "mastodon":
        updated = ["url", "text", "likes", "reposts", "replies", "source_file"]
        changed = " OR ".join(f"excluded.{c} IS DISTINCT FROM {table}.{c}" for c in updated)
        sets = ", ".join(f"{c} = excluded.{c}" for c in updated)
        return f"{insert} ON CONFLICT (key) DO UPDATE SET {sets} WHERE {changed}"
    updated = [*METRIC_COLUMNS, "account_id", "url", "source_format", "source_period_end"]
    if mode == "export":
        updated += ["published_at", "month", "text"]
    compared = [*METRIC_COLUMNS, "source_period_end"]
    sets = ", ".join(f"{c} = excluded.{c}" for c in [*updated, "source_file"])
    changed = " OR ".join(f"excluded.{c} IS DISTINCT FROM {table}.{c}" for c in compared)
    return (
        f"{insert} ON CONFLICT (key) DO UPDATE SET {sets} "
        f"WHERE ({table}.source_period_end IS NULL "
        f"OR excluded.source_period_end >= {table}.source_period_end) AND ({changed})"
    )


@cache
def _hashtag_sql(rows: int, vendor: str) -> str:
    table = PostHashtag._meta.db_table
    values = (
        f"SELECT post_key, tag, spelling FROM {INCOMING_TAGS}"  # noqa: S608
        if vendor == "postgresql"
        else f"VALUES {_values(rows, 3)}"
    )
    return (
        f"INSERT INTO {table} (post_key, tag, spelling) {values} "
        "ON CONFLICT (post_key, tag) DO NOTHING"
    )


def _params(rows: list[tuple[Any, ...]], vendor: str) -> list[Any]:
    """Flat parameters for VALUES; none on PostgreSQL (the rows went in by COPY)."""
    if vendor == "postgresql":
        return []
    return [value for row in rows for value in row]


def _batches(rows: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class _Written:
    rows: int = 0
    written: int = 0


def _upsert_posts(
    rows: Iterable[PostRow],
    *,
    platform: str,
    accounts: _Accounts,
    mode: str,
    source_format: str,
    source_file: str,
    period_end: date | None,
    pipeline: _Pipeline,
) -> _Written:
    """Write `rows` through `pipeline`; the counts are complete once the pipeline is left."""
    vendor = connection.vendor
    adapt_datetime = connection.ops.adapt_datetimefield_value
    adapt_date = connection.ops.adapt_datefield_value
    period = adapt_date(period_end)
    source_file = source_file[-255:]
    months: dict[tuple[int, int], Any] = {}
    result = _Written()
    size = BATCH * 40 if vendor == "postgresql" else BATCH
    for batch in _batches(rows, size):
        # One statement may not touch a row twice (PostgreSQL): the last line wins.
        unique = {row.post_id: row for row in batch}
        values: list[tuple[Any, ...]] = []
        tags: list[tuple[str, str, str]] = []
        for row in unique.values():
            key = f"{platform}:{row.post_id}"
            published = row.published_at
            month = months.get((published.year, published.month))
            if month is None:
                month = adapt_date(date(published.year, published.month, 1))
                months[(published.year, published.month)] = month
            values.append((
                key, platform, row.post_id, accounts.id_for(row.handle), row.url[:300],
                adapt_datetime(published), month, row.text,
                row.impressions, row.engagements, row.likes, row.reposts, row.replies,
                row.url_clicks, row.profile_visits, row.detail_expands, row.follows,
                source_format, source_file, period,
            ))  # fmt: skip
            for spelling in row.hashtags:
                tags.append((key, spelling.lower()[:100], spelling[:100]))
        statements = [(_post_sql(len(values), mode, vendor), _params(values, vendor))]
        copies = [(INCOMING_POSTS, POST_COLUMNS, values)]
        # PostgreSQL takes a batch's hashtags in one table, however many; SQLite's VALUES
        # have a limit of parameters.
        for tag_batch in _batches(tags, len(tags) if vendor == "postgresql" else BATCH * 2):
            statements.append((_hashtag_sql(len(tag_batch), vendor), _params(tag_batch, vendor)))
            copies.append((INCOMING_TAGS, ["post_key", "tag", "spelling"], tag_batch))
        pipeline.submit(statements, copies=copies, counted=result)
        result.rows += len(batch)
    return result


class _Pipeline:
    """On PostgreSQL, runs each batch's statements in a second thread while the next batch is
    read, so the server inserts while Python parses (the driver waits without the GIL).

    The statements run one batch at a time, in order, on the caller's connection and so in
    its transaction; `submit` waits for the batch before and raises its error. This thread
    fills the temporary tables by COPY once the batch before is written; the other runs the
    INSERT ... SELECT the server spends its time on. Leaving waits for the last batch, even
    when parsing failed. SQLite runs inside this process and its statements are short: they
    run at once, here (a second thread only competed with the parsing for the GIL).
    """

    def __enter__(self) -> _Pipeline:
        self.cursor = connection.cursor()
        if connection.vendor == "postgresql":
            _prepare_incoming(self.cursor)
        self._executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="hemonc-import")
            if connection.vendor == "postgresql"
            else None
        )
        self._pending: Future[None] | None = None
        return self

    def submit(
        self,
        statements: list[tuple[str, list[Any]]],
        *,
        copies: list[tuple[str, list[str], list[tuple[Any, ...]]]],
        counted: _Written,
    ) -> None:
        """Run `statements` after the batch before; on PostgreSQL, first fill the temporary
        tables with `copies` (table, columns, rows), here, once that batch no longer reads
        them. Only the first statement's rows count as written (the posts)."""
        if self._executor is None:
            self._run(statements, counted)
            return
        self._wait()
        for table, columns, rows in copies:
            _copy_in(self.cursor, table, columns, rows)
        self._pending = self._executor.submit(self._run, statements, counted)

    def _run(self, statements: list[tuple[str, list[Any]]], counted: _Written) -> None:
        for index, (sql, params) in enumerate(statements):
            self.cursor.execute(sql, params)
            if index == 0:
                counted.written += max(self.cursor.rowcount, 0)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        try:
            if error is None:
                self._wait()
            elif self._pending is not None:
                wait([self._pending])  # the parse error is the one to report
        finally:
            if self._executor is not None:
                self._executor.shutdown()
            self.cursor.close()


def _upsert_days(rows: Iterable[DailyRow], *, account_id: int) -> int:
    """A daily series (a few hundred rows a file): Django's upsert, a file's later line for a
    day winning."""
    fields = ["impressions", "engagements", "likes", "new_follows", "unfollows",
              "profile_visits", "posts_created"]  # fmt: skip
    count = 0
    for batch in _batches(rows):
        unique = {row.date: row for row in batch}
        DailyTotals.objects.bulk_create(
            [
                DailyTotals(
                    account_id=account_id,
                    date=row.date,
                    **{name: getattr(row, name) for name in fields},
                )
                for row in unique.values()
            ],
            update_conflicts=True,
            unique_fields=["account", "date"],
            update_fields=fields,
        )
        count += len(batch)
    return count


# ---------------------------------------------------------------------------------------------
# X analytics


def detect_format(source: Source) -> str:
    """Recognize a file by its first line; anything else is an error naming the file."""
    head = source.head()
    if is_archive_head(head):
        return ARCHIVE
    first_line = next(csv.reader([head.splitlines()[0] if head else ""]), [])
    columns = [column.strip().lower() for column in first_line]
    if x_legacy.is_legacy_header(columns):
        return LEGACY
    if x_legacy.is_daily_header(columns):
        return LEGACY_DAILY
    if x_content.is_content_header(columns):
        return CONTENT
    if is_overview_header(columns):
        return OVERVIEW
    match = x_legacy.FILE_NAME.match(source.basename)
    if match and match["lang"].lower() != "en":
        problem = (
            f"a '{match['lang']}' tweet activity export: only English headers are read; "
            "export the file again with X set to English"
        )
    else:
        problem = (
            "not a known export (tweet activity, account_analytics_content, "
            "account_overview_analytics, or the archive's tweets.js)"
        )
    raise OutreachFileError(name=source.name, line=1, field="header", problem=problem)


@dataclass
class FileSummary:
    name: str
    format: str
    rows: int
    period_end: date | None


@dataclass
class ImportSummary:
    files: list[FileSummary] = field(default_factory=list)
    posts_added: int = 0
    posts_updated: int = 0
    posts_unchanged: int = 0
    archive_posts_added: int = 0
    days: int = 0
    accounts_created: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)


def _period_end_from_rows(rows: list[PostRow]) -> date | None:
    return max((row.published_at.date() for row in rows), default=None)


@transaction.atomic(durable=True)
def x_analytics_import(
    *, sources: list[Source], actor: User | Operator, account: str | None = None
) -> ImportSummary:
    """Import X exports and archives (any mix, in the order given); see the module docstring."""
    require(actor, "outreach.manage")
    formats = [detect_format(source) for source in sources]
    accounts = _Accounts(Platform.X, actor=actor)
    default_handle = normalize_handle(account) if account else None
    summary = ImportSummary()
    x_posts = Post.objects.filter(platform=Platform.X)
    before = x_posts.count()
    export_rows = export_written = 0
    imported = []
    # One pipeline for every file: the database writes one file's last rows while the next
    # file is read.
    with _Pipeline() as pipeline:
        for source, kind in zip(sources, formats, strict=True):
            with source.open_text() as file:
                try:
                    written, period = _import_one(
                        source, kind, file, accounts=accounts, default_handle=default_handle,
                        pipeline=pipeline,
                    )  # fmt: skip
                except UnicodeDecodeError:
                    raise _not_utf8(source.name, source.open_binary) from None
            imported.append((source, kind, written, period))
    for source, kind, written, period in imported:
        summary.files.append(FileSummary(source.name, kind, written.rows, period))
        if kind == ARCHIVE:
            summary.archive_posts_added += written.written
        elif kind in (LEGACY, CONTENT):
            export_rows += written.rows
            export_written += written.written
        else:
            summary.days += written.rows
    added = x_posts.count() - before
    summary.posts_added = added - summary.archive_posts_added
    summary.posts_updated = export_written - summary.posts_added
    summary.posts_unchanged = export_rows - export_written
    summary.accounts_created = accounts.created
    audit(
        actor=actor,
        action="outreach.import_x_analytics",
        changes={
            "files": len(sources),
            "rows": summary.rows,
            "posts_added": summary.posts_added,
            "posts_updated": summary.posts_updated,
            "archive_posts_added": summary.archive_posts_added,
            "days": summary.days,
        },
    )
    return summary


def _import_one(
    source: Source,
    kind: str,
    file: Any,
    *,
    accounts: _Accounts,
    default_handle: str | None,
    pipeline: _Pipeline,
) -> tuple[_Written, date | None]:
    name = source.name
    if kind in (LEGACY, CONTENT):
        if kind == LEGACY:
            handle = default_handle or x_legacy.handle_from_name(source.basename)
            rows: Iterable[PostRow] = x_legacy.parse_x_legacy(
                file, name=name, default_handle=handle
            )
            period = x_legacy.period_end(source.basename)
        else:
            rows = x_content.parse_x_content(file, name=name, default_handle=default_handle)
            period = x_content.period_end(source.basename)
        if period is None:
            # A renamed file: the period ends on the day of its newest post.
            rows = list(rows)
            period = _period_end_from_rows(rows)
        written = _upsert_posts(
            rows, platform=Platform.X, accounts=accounts,
            mode="export" if kind == LEGACY else "content",
            source_format=SourceFormat.X_LEGACY if kind == LEGACY else SourceFormat.X_CONTENT,
            source_file=source.basename, period_end=period, pipeline=pipeline,
        )  # fmt: skip
        return written, period
    if kind == ARCHIVE:
        handle = default_handle or _only_handle(accounts)
        written = _upsert_posts(
            parse_x_archive(file, name=name, handle=handle), platform=Platform.X,
            accounts=accounts, mode="archive", source_format=SourceFormat.X_ARCHIVE,
            source_file=source.basename, period_end=None, pipeline=pipeline,
        )  # fmt: skip
        return written, None
    handle = default_handle or (
        x_legacy.handle_from_name(source.basename) if kind == LEGACY_DAILY else None
    )
    if not handle:
        raise OutreachFileError(
            name=name, line=1, field="account",
            problem="the file names no account; give --account HANDLE",
        )  # fmt: skip
    days = (
        parse_x_overview(file, name=name)
        if kind == OVERVIEW
        else x_legacy.parse_x_legacy_daily(file, name=name)
    )
    count = _upsert_days(days, account_id=accounts.id_for(handle))
    return _Written(rows=count, written=count), None


def _not_utf8(
    name: str, open_binary: Callable[[], AbstractContextManager[IO[bytes]]]
) -> OutreachFileError:
    """The error for a file that is not UTF-8, naming the line and column of the first bad byte."""
    with open_binary() as raw:
        data = raw.read()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, field = undecodable_cell(data, error)
    else:  # pragma: no cover - the caller saw the error
        line, field = 0, "encoding"
    return OutreachFileError(name=name, line=line, field=field, problem="the file is not UTF-8")


def _only_handle(accounts: _Accounts) -> str | None:
    """For an archive without --account: the one X account this run or the database knows."""
    if len(accounts.ids) == 1:
        return next(iter(accounts.ids))
    handles = list(SocialAccount.objects.filter(platform=Platform.X).values_list("handle")[:2])
    return handles[0][0] if len(handles) == 1 else None


# ---------------------------------------------------------------------------------------------
# Followers and Mastodon


@dataclass
class SnapshotSummary:
    account: SocialAccount
    rows: int
    first: date | None
    last: date | None


@transaction.atomic(durable=True)
def followers_import(
    *,
    path: Path,
    account: str,
    actor: User | Operator,
    platform: str = Platform.X,
    name: str | None = None,
) -> SnapshotSummary:
    """Load `date,followers` snapshots; a date already known takes the file's count. `name`
    is what messages call the file (an upload's own name; else the path)."""
    require(actor, "outreach.manage")
    name = name or str(path)
    social, _ = _account_get_or_create(platform=platform, handle=account, actor=actor)
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            rows: list[SnapshotRow] = list(parse_followers_csv(file, name=name))
    except UnicodeDecodeError:
        raise _not_utf8(name, lambda: path.open("rb")) from None
    except OSError as error:
        raise OutreachFileError(
            name=name, line=0, field="file", problem=error.strerror or str(error)
        ) from None
    existing = {s.date: s for s in FollowerSnapshot.objects.filter(account=social)}
    FollowerSnapshot.objects.bulk_create(
        [FollowerSnapshot(account=social, date=r.date, followers=r.followers) for r in rows],
        update_conflicts=True,
        unique_fields=["account", "date"],
        update_fields=["followers"],
    )
    changed = sum(
        1 for r in rows if r.date not in existing or existing[r.date].followers != r.followers
    )
    audit(
        actor=actor,
        action="outreach.import_followers",
        target=social,
        changes={"rows": len(rows), "changed": changed},
    )
    return SnapshotSummary(
        account=social,
        rows=len(rows),
        first=min((r.date for r in rows), default=None),
        last=max((r.date for r in rows), default=None),
    )


@transaction.atomic(durable=True)
def follower_snapshot_record(
    *, account: SocialAccount, on: date, followers: int, actor: User | Operator
) -> FollowerSnapshot:
    """An organizer enters a count by hand; a second entry for the day replaces the first."""
    require(actor, "outreach.manage", account)
    if followers < 0:
        raise DomainError("A follower count cannot be negative.")
    snapshot, _ = FollowerSnapshot.objects.update_or_create(
        account=account, date=on, defaults={"followers": followers}
    )
    audit(
        actor=actor,
        action="outreach.follower_snapshot",
        target=snapshot,
        changes={"followers": followers},
    )
    return snapshot


@dataclass
class MastodonSummary:
    account: SocialAccount
    posts: int
    added: int


@transaction.atomic(durable=True)
def mastodon_archive_import(
    *, path: Path, account: str, actor: User | Operator, name: str | None = None
) -> MastodonSummary:
    """The archive's posts with likes and boosts (no impressions); a newer archive's counts
    replace older ones. `name` is what messages call the file (an upload's own name)."""
    require(actor, "outreach.manage")
    handle = normalize_handle(account)
    if "@" not in handle:
        raise DomainError(f"{account!r} is not a Mastodon account like @user@instance.")
    name, outbox = read_outbox(path, name=name)
    accounts = _Accounts(Platform.MASTODON, actor=actor)
    social, _ = _account_get_or_create(platform=Platform.MASTODON, handle=handle, actor=actor)
    accounts.ids[handle.lower()] = social.pk
    before = Post.objects.filter(account=social).count()
    rows = list(parse_mastodon_outbox(outbox, name=name, handle=handle))
    with _Pipeline() as pipeline:
        _upsert_posts(
            rows, platform=Platform.MASTODON, accounts=accounts, mode="mastodon",
            source_format=SourceFormat.MASTODON_ARCHIVE, source_file=Path(name).name,
            period_end=None, pipeline=pipeline,
        )  # fmt: skip
    added = Post.objects.filter(account=social).count() - before
    audit(
        actor=actor,
        action="outreach.import_mastodon_archive",
        target=social,
        changes={"posts": len(rows), "added": added},
    )
    return MastodonSummary(account=social, posts=len(rows), added=added)


# ---------------------------------------------------------------------------------------------
# Uploads: an organizer's file, imported in the background by the importer of its kind


def upload_folder() -> Path:
    """Where uploads wait for their import: under VAR_DIR, never served."""
    return Path(settings.VAR_DIR) / "uploads" / "outreach"


def _stored_name(file_name: str) -> str:
    """A safe name on disk that keeps what the importers read from a name (the period of an
    export, the kind of archive): the upload's name with anything unusual replaced."""
    base = PurePosixPath(file_name.replace("\\", "/")).name
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return safe[-120:]


@transaction.atomic(durable=True)
def import_upload(
    *,
    actor: User,
    kind: str,
    upload: UploadedFile,
    account: str = "",
    platform: str = Platform.X,
) -> ImportRun:
    """Keep the uploaded file and queue its import; the run's page follows it."""
    require(actor, "outreach.manage")
    if kind not in ImportKind.values:
        raise DomainError("Choose what kind of file this is.")
    if upload.size is None or upload.size > settings.OUTREACH_UPLOAD_MAX_BYTES:
        raise DomainError(
            f"The file is larger than the {settings.OUTREACH_UPLOAD_MAX_BYTES // 2**20} MB "
            "an upload may be."
        )
    account = normalize_handle(account)
    if kind in (ImportKind.FOLLOWERS, ImportKind.MASTODON) and not account:
        raise DomainError("Name the account these figures belong to.")
    if kind == ImportKind.MASTODON:
        platform = Platform.MASTODON
    file_name = PurePosixPath((upload.name or "upload").replace("\\", "/")).name[-255:]
    folder = upload_folder() / uuid.uuid4().hex
    folder.mkdir(parents=True, mode=0o700)
    stored = folder / _stored_name(file_name)
    with stored.open("xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    run = ImportRun.objects.create(
        kind=kind, file_name=file_name, stored_path=str(stored), file_size=upload.size,
        account=account, platform=platform, created_by=actor,
    )  # fmt: skip
    audit(actor=actor, action="outreach.import_upload", target=run, changes={"kind": kind})
    from hemonc.outreach.tasks import run_import_task  # the task module imports this one

    enqueue_on_commit(run_import_task, run.pk)
    return run


@transaction.atomic(durable=True)
def import_run_claim(*, run_id: int) -> ImportRun | None:
    """Mark a queued run as running; None when it is not queued (already taken or gone)."""
    run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status != ImportStatus.QUEUED:
        return None
    run.status, run.started_at = ImportStatus.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at", "updated_at"])
    return run


@transaction.atomic(durable=True)
def import_run_finish(
    *, run_id: int, rows: int = 0, summary: str = "", error: Exception | None = None
) -> None:
    """Record how the run ended, and delete its upload."""
    run = ImportRun.objects.select_for_update().get(pk=run_id)
    run.finished_at = timezone.now()
    run.rows, run.summary = rows, summary
    run.status = ImportStatus.DONE
    if error is not None:
        run.status, run.rows = ImportStatus.FAILED, 0
        run.error = str(error)[:2000]
        if isinstance(error, OutreachFileError):
            run.error, run.error_file = error.problem[:2000], error.name[:500]
            run.error_line, run.error_field = error.line or None, error.field[:200]
        elif isinstance(error, ArchiveError):
            run.error, run.error_file = error.problem[:2000], error.file[:500]
            run.error_field = error.member[:200]
    run.save()
    stored = Path(run.stored_path) if run.stored_path else None
    if stored is not None and stored.is_relative_to(upload_folder()):
        shutil.rmtree(stored.parent, ignore_errors=True)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {ngettext(one, many, count)}"


def x_summary_text(summary: ImportSummary) -> str:
    text = (
        f"Read {_plural(len(summary.files), 'file', 'files')} and "
        f"{_plural(summary.rows, 'row', 'rows')}: "
        f"{_plural(summary.posts_added, 'post', 'posts')} added, "
        f"{summary.posts_updated:,} updated, {summary.posts_unchanged:,} unchanged or older "
        f"than what is stored; {_plural(summary.archive_posts_added, 'archive-only post', 'archive-only posts')} added; "
        f"{_plural(summary.days, 'daily row', 'daily rows')}."
    )
    if summary.accounts_created:
        handles = ", ".join(f"@{h}" for h in summary.accounts_created)
        text += f" New {ngettext('account', 'accounts', len(summary.accounts_created))}: {handles}."
    return text


def followers_summary_text(summary: SnapshotSummary) -> str:
    text = f"Read {_plural(summary.rows, 'follower count', 'follower counts')} of @{summary.account.handle}"
    return text + (f", from {summary.first} to {summary.last}." if summary.rows else ".")


def mastodon_summary_text(summary: MastodonSummary) -> str:
    return (
        f"Read {_plural(summary.posts, 'post', 'posts')} of @{summary.account.handle}: "
        f"{summary.added:,} new."
    )
