"""Follower snapshots: a CSV with the header `date,followers` (ISO dates; BOM, CRLF and extra
columns are fine)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from typing import IO

from hemonc.core import values
from hemonc.outreach.importers.rows import OutreachFileError, SnapshotRow, whole_number


def parse_followers_csv(file: IO[str], *, name: str) -> Iterator[SnapshotRow]:
    reader = csv.reader(file)
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        raise OutreachFileError(name=name, line=1, field="header", problem="empty file") from None
    missing = [column for column in ("date", "followers") if column not in header]
    if missing:
        raise OutreachFileError(
            name=name, line=1, field="header",
            problem=f"missing column(s) {', '.join(missing)}; expected date,followers",
        )  # fmt: skip
    at_date, at_followers = header.index("date"), header.index("followers")
    seen: set[date] = set()
    line = reader.line_num + 1
    for record in reader:
        row_line, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if len(record) <= max(at_date, at_followers):
            raise OutreachFileError(
                name=name, line=row_line, field="followers", problem="the row is too short"
            )
        try:
            day = values.day(date.fromisoformat(record[at_date].strip()))
        except ValueError:
            raise OutreachFileError(
                name=name, line=row_line, field="date",
                problem=f"{record[at_date][:60]!r} is not a date in range like 2022-06-30",
            ) from None  # fmt: skip
        if day in seen:
            raise OutreachFileError(
                name=name, line=row_line, field="date", problem=f"{day} appears twice"
            )
        seen.add(day)
        followers = whole_number(
            record[at_followers], name=name, line=row_line, field="followers",
            high=values.INTEGER_MAX,
        )  # fmt: skip
        yield SnapshotRow(line=row_line, date=day, followers=followers)
