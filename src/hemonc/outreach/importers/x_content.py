"""X's current content export (2023 and later):

    account_analytics_content_<yyyy-MM-dd>_<yyyy-MM-dd>.csv  (both dates inclusive)
    Post id,Date,Post text,Post Link,Impressions,Likes,Engagements,Bookmarks,Shares,...

`Date` is "Tue, Jul 14, 2026" (UTC, no time of day: the post is placed at 00:00 UTC and left
out of the by-hour figures); metrics are integers; the rate is Engagements / Impressions.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import IO

from hemonc.outreach.importers.rows import (
    OutreachFileError,
    PostRow,
    checked_post,
    clean_text,
    hashtags_in,
    whole_number,
)
from hemonc.outreach.importers.x_legacy import handle_from_link

FILE_NAME = re.compile(
    r"^account_analytics_content_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})(?: ?\(\d+\))?\.csv$",
    re.IGNORECASE,
)
REQUIRED = ["post id", "date", "post text", "post link", "impressions", "likes", "engagements",
            "replies", "reposts"]  # fmt: skip
OPTIONAL = {
    "url clicks": "url_clicks",
    "profile visits": "profile_visits",
    "detail expands": "detail_expands",
    "new follows": "follows",
}
# The file's name of each PostRow attribute, for messages.
LABELS = {"post_id": "Post id", "url": "Post Link", "handle": "Post Link", "text": "Post text",
          "published_at": "Date"}  # fmt: skip
MONTHS = {name: number for number, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}  # fmt: skip


def is_content_header(columns: list[str]) -> bool:
    return "post id" in columns and "post link" in columns


def period_end(basename: str) -> date | None:
    match = FILE_NAME.match(basename)
    try:
        return date.fromisoformat(match[2]) if match else None
    except ValueError:  # an impossible date: read as a renamed file
        return None


def parse_day(value: str) -> date:
    """'Tue, Jul 14, 2026' (the weekday is not checked) or '2026-07-14'. Raises ValueError."""
    text = value.strip()
    if "," not in text:
        return date.fromisoformat(text)
    parts = text.replace(",", " ").split()
    if len(parts) != 4 or parts[1][:3].lower() not in MONTHS:
        raise ValueError(text)
    return date(int(parts[3]), MONTHS[parts[1][:3].lower()], int(parts[2]))


def parse_x_content(file: IO[str], *, name: str, default_handle: str | None) -> Iterator[PostRow]:
    reader = csv.reader(file)
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        raise OutreachFileError(name=name, line=1, field="header", problem="empty file") from None
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise OutreachFileError(
            name=name, line=1, field="header", problem=f"missing column(s) {', '.join(missing)}"
        )
    at = {column: header.index(column) for column in REQUIRED}
    optional = [(header.index(c), attr) for c, attr in OPTIONAL.items() if c in header]
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
        post_id = record[at["post id"]].strip()
        if not post_id.isdigit():
            raise OutreachFileError(
                name=name,
                line=row_line,
                field="Post id",
                problem=f"{post_id[:60]!r} is not a post id",
            )
        try:
            day = parse_day(record[at["date"]])
        except ValueError:
            raise OutreachFileError(
                name=name, line=row_line, field="Date",
                problem=f"{record[at['date']][:60]!r} is not a date like 'Tue, Jul 14, 2026'",
            ) from None  # fmt: skip
        url = record[at["post link"]].strip()
        handle = handle_from_link(url) or default_handle
        if not handle:
            raise OutreachFileError(
                name=name, line=row_line, field="Post Link",
                problem=f"{url[:60]!r} names no account; give --account",
            )  # fmt: skip
        text = clean_text(record[at["post text"]])

        def number(column: str, record: list[str] = record, row_line: int = row_line) -> int:
            return whole_number(record[at[column]], name=name, line=row_line, field=column)

        row = checked_post(PostRow(
            line=row_line,
            post_id=post_id,
            handle=handle,
            url=url,
            published_at=datetime(day.year, day.month, day.day, tzinfo=UTC),
            text=text,
            hashtags=hashtags_in(text),
            impressions=number("impressions"),
            engagements=number("engagements"),
            likes=number("likes"),
            reposts=number("reposts"),
            replies=number("replies"),
        ), name=name, labels=LABELS)  # fmt: skip
        for index, attr in optional:
            setattr(row, attr, whole_number(record[index], name=name, line=row_line,
                                            field=header[index]))  # fmt: skip
        yield row
