"""X's account overview export (`account_overview_analytics*.csv`): daily totals of the whole
account, newest day first; it names no account (`--account`). It feeds the daily series only.

    Date,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,Unfollows,Replies,...
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from hemonc.core import values
from hemonc.outreach.importers.rows import DailyRow, OutreachFileError, whole_number
from hemonc.outreach.importers.x_content import parse_day

REQUIRED = ["date", "impressions", "engagements"]
OPTIONAL = {
    "likes": "likes",
    "new follows": "new_follows",
    "unfollows": "unfollows",
    "profile visits": "profile_visits",
    "create post": "posts_created",
}


def is_overview_header(columns: list[str]) -> bool:
    return (
        bool(columns)
        and columns[0] == "date"
        and "impressions" in columns
        and ("unfollows" in columns or "create post" in columns)
    )


def parse_x_overview(file: IO[str], *, name: str) -> Iterator[DailyRow]:
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
    at = {column: header.index(column) for column in header}
    seen: set = set()
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
            day = values.day(parse_day(record[at["date"]]))
        except ValueError:
            raise OutreachFileError(
                name=name, line=row_line, field="Date",
                problem=f"{record[at['date']][:60]!r} is not a date in range like 'Tue, Jul 14, 2026'",
            ) from None  # fmt: skip
        if day in seen:
            raise OutreachFileError(
                name=name, line=row_line, field="Date", problem=f"{day} appears twice"
            )
        seen.add(day)
        row = DailyRow(
            line=row_line,
            date=day,
            impressions=whole_number(record[at["impressions"]], name=name, line=row_line,
                                     field="Impressions"),
            engagements=whole_number(record[at["engagements"]], name=name, line=row_line,
                                     field="Engagements"),
        )  # fmt: skip
        for column, attr in OPTIONAL.items():
            if column in at:
                setattr(row, attr, whole_number(record[at[column]], name=name, line=row_line,
                                                field=column))  # fmt: skip
        yield row
