"""X's legacy "tweet activity" export (analytics.twitter.com, until 2023), English headers.

    tweet_activity_metrics_<handle>_<YYYYMMDD>_<YYYYMMDD>_<lang>.csv  (end date exclusive)

Every field is quoted; `impressions` ... `permalink clicks` are floats ("3423.0"), promoted
columns hold "-". Older files say `favorites` for `likes`. Columns may come in any order and
unknown columns are ignored. Translated headers (`_pt.csv`, ...) are not supported: the
importer says so. Also the daily variant (`daily_tweet_activity_metrics_...`, "Date","Tweets
published",...), which feeds the daily series.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import IO

from hemonc.core import values
from hemonc.outreach.importers.rows import (
    DailyRow,
    OutreachFileError,
    PostRow,
    checked_post,
    clean_text,
    hashtags_in,
    whole_number,
)

FILE_NAME = re.compile(
    r"^(?P<daily>daily_)?tweet_activity_metrics_(?P<handle>\w+?)_(?P<start>\d{8})_(?P<end>\d{8})"
    r"_(?P<lang>[a-z]{2}(?:-[a-z]{2})?)\.csv$",
    re.IGNORECASE,
)
REQUIRED = ["tweet id", "tweet permalink", "tweet text", "time", "impressions", "engagements",
            "retweets", "replies"]  # fmt: skip
OPTIONAL = {
    "url clicks": "url_clicks",
    "user profile clicks": "profile_visits",
    "detail expands": "detail_expands",
    "follows": "follows",
}
# The file's name of each PostRow attribute, for messages.
LABELS = {"post_id": "Tweet id", "url": "Tweet permalink", "handle": "Tweet permalink",
          "text": "Tweet text", "published_at": "time"}  # fmt: skip
DAILY_REQUIRED = ["date", "tweets published", "impressions", "engagements"]


def is_legacy_header(columns: list[str]) -> bool:
    return "tweet id" in columns and "tweet permalink" in columns


def is_daily_header(columns: list[str]) -> bool:
    return bool(columns) and columns[0] == "date" and "tweets published" in columns


def period_end(basename: str) -> date | None:
    """The last day the file covers: the name's end date is exclusive."""
    match = FILE_NAME.match(basename)
    if not match:
        return None
    text = match["end"]
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:])) - timedelta(days=1)
    except (ValueError, OverflowError):  # an impossible date: read as a renamed file
        return None


def handle_from_name(basename: str) -> str | None:
    match = FILE_NAME.match(basename)
    return match["handle"] if match else None


def handle_from_link(url: str) -> str | None:
    """'https://twitter.com/ExampleNet/status/123' -> 'ExampleNet'."""
    parts = url.split("/")
    if len(parts) >= 6 and parts[4] == "status" and parts[3]:
        return parts[3]
    return None


def parse_time(value: str, *, name: str, line: int) -> datetime:
    """'2021-12-07 16:28 +0000' (UTC, minutes)."""
    try:
        if len(value) == 22 and value.endswith(" +0000"):
            return datetime(
                int(value[0:4]), int(value[5:7]), int(value[8:10]),
                int(value[11:13]), int(value[14:16]), tzinfo=UTC,
            )  # fmt: skip
        return datetime.strptime(value, "%Y-%m-%d %H:%M %z").astimezone(UTC)
    except (ValueError, OverflowError):
        raise OutreachFileError(
            name=name, line=line, field="time",
            problem=f"{value[:60]!r} is not a time like '2021-12-07 16:28 +0000'",
        ) from None  # fmt: skip


def _header(reader: Iterator[list[str]], *, name: str) -> list[str]:
    try:
        return [column.strip().lower() for column in next(reader)]
    except StopIteration:
        raise OutreachFileError(name=name, line=1, field="header", problem="empty file") from None


def parse_x_legacy(file: IO[str], *, name: str, default_handle: str | None) -> Iterator[PostRow]:
    """Validate and yield the posts of a tweet activity export."""
    reader = csv.reader(file)
    header = _header(reader, name=name)
    likes = "likes" if "likes" in header else "favorites"
    missing = [column for column in [*REQUIRED, likes] if column not in header]
    if missing:
        raise OutreachFileError(
            name=name, line=1, field="header",
            problem=f"missing column(s) {', '.join(missing)} (only English headers are read)",
        )  # fmt: skip
    at = {column: header.index(column) for column in [*REQUIRED, likes]}
    rate_at = header.index("engagement rate") if "engagement rate" in header else None
    i_id, i_link, i_text, i_time = (at["tweet id"], at["tweet permalink"], at["tweet text"],
                                    at["time"])  # fmt: skip
    # The metric columns in PostRow's order: (index in the row or None, name for messages).
    metrics: list[tuple[int | None, str]] = [(at["impressions"], "impressions"), (at["engagements"], "engagements"),
               (at[likes], likes), (at["retweets"], "retweets"), (at["replies"], "replies")]  # fmt: skip
    metrics += [(header.index(c) if c in header else None, c) for c in OPTIONAL]
    indexes = [index for index, _ in metrics]
    width = len(header)
    line = reader.line_num + 1
    for record in reader:
        row_line, line = line, reader.line_num + 1
        if len(record) < width:
            if not any(cell.strip() for cell in record):
                continue
            raise OutreachFileError(
                name=name, line=row_line, field=header[len(record)] if record else header[0],
                problem=f"the row has {len(record)} fields, the header {width}",
            )  # fmt: skip
        post_id = record[i_id]
        if not post_id.isdigit():
            raise OutreachFileError(
                name=name,
                line=row_line,
                field="Tweet id",
                problem=f"{post_id[:60]!r} is not a post id",
            )
        url = record[i_link]
        handle = handle_from_link(url) or default_handle
        if not handle:
            raise OutreachFileError(
                name=name, line=row_line, field="Tweet permalink",
                problem=f"{url[:60]!r} names no account; give --account",
            )  # fmt: skip
        numbers = [None if i is None else _count(record[i]) for i in indexes]
        if -1 in numbers:
            # The slow path: a count written otherwise ("12.00") or wrong (an error).
            numbers = [
                None if i is None else whole_number(record[i], name=name, line=row_line,
                                                    field=label)
                for i, label in metrics
            ]  # fmt: skip
        if rate_at is not None:
            try:
                float(record[rate_at])
            except ValueError:
                raise OutreachFileError(
                    name=name, line=row_line, field="engagement rate",
                    problem=f"{record[rate_at]!r} is not a number",
                ) from None  # fmt: skip
        text = clean_text(record[i_text])
        yield checked_post(
            PostRow(
                row_line, post_id, handle, url,
                parse_time(record[i_time], name=name, line=row_line), text, hashtags_in(text),
                *numbers,
            ),
            name=name, labels=LABELS,
        )  # fmt: skip


def _count(value: str) -> int:
    """'1627.0' or '1627' -> 1627 fast; -1 when it needs a closer look."""
    if value.endswith(".0"):
        value = value[:-2]
    return int(value) if value.isdigit() and len(value) < 19 else -1


def parse_x_legacy_daily(file: IO[str], *, name: str) -> Iterator[DailyRow]:
    """The daily variant: one row per day ("Date","Tweets published","impressions",...)."""
    reader = csv.reader(file)
    header = _header(reader, name=name)
    missing = [column for column in DAILY_REQUIRED if column not in header]
    if missing:
        raise OutreachFileError(
            name=name, line=1, field="header", problem=f"missing column(s) {', '.join(missing)}"
        )
    at = {column: header.index(column) for column in header}
    line = reader.line_num + 1
    for record in reader:
        row_line, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if len(record) < len(header):
            raise OutreachFileError(
                name=name, line=row_line, field=header[len(record)],
                problem=f"the row has {len(record)} fields, the header {len(header)}",
            )  # fmt: skip
        try:
            day = values.day(date.fromisoformat(record[at["date"]].strip()))
        except ValueError:
            raise OutreachFileError(
                name=name, line=row_line, field="Date",
                problem=f"{record[at['date']][:60]!r} is not a date in range like 2021-12-07",
            ) from None  # fmt: skip

        def number(column: str, record: list[str] = record, row_line: int = row_line) -> int:
            if column not in at:
                return 0
            return whole_number(record[at[column]], name=name, line=row_line, field=column)

        yield DailyRow(
            line=row_line,
            date=day,
            impressions=number("impressions"),
            engagements=number("engagements"),
            likes=number("likes"),
            new_follows=number("follows"),
            profile_visits=number("user profile clicks"),
            posts_created=number("tweets published"),
        )
