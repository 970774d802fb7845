"""The sessions CSV of `hemonc import-sessions` / `export-sessions`:

    starts_at,title,kind,guests,attendance,recording_url

`starts_at` is ISO-8601 with its UTC offset, `guests` names separated by ";", `kind` one of
the session kinds, `attendance` a whole number or empty. Columns may come in any order and
extra columns are ignored; a BOM and CRLF line ends are fine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from hemonc.core.errors import DomainError
from hemonc.events.enums import SessionKind

COLUMNS = ["starts_at", "title", "kind", "guests", "attendance", "recording_url"]


class SessionsFileError(DomainError):
    """A row of the file is wrong; the message names the line and the field."""

    def __init__(self, *, line: int, field: str, problem: str, name: str = "") -> None:
        self.line, self.field, self.problem = line, field, problem
        where = f"{name}: " if name else ""
        super().__init__(f"{where}line {line}, field {field}: {problem}")


@dataclass(frozen=True)
class SessionRow:
    line: int
    starts_at: datetime
    title: str
    kind: str
    guests: tuple[str, ...]
    attendance: int | None
    recording_url: str


def _text(file: IO[str] | IO[bytes]) -> IO[str]:
    if isinstance(file, io.TextIOBase):
        return file  # type: ignore[return-value]
    raw = file.read()
    data = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    return io.StringIO(data.removeprefix("\ufeff"), newline="")


def parse_sessions_csv(file: IO[str] | IO[bytes], *, name: str = "") -> Iterator[SessionRow]:
    """Validate and yield the rows; the first bad one raises SessionsFileError."""
    reader = csv.reader(_text(file))
    try:
        header = next(reader)
    except StopIteration:
        raise SessionsFileError(
            line=1, field="header", problem="the file is empty", name=name
        ) from None
    header = [h.strip().lstrip("\ufeff").lower() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise SessionsFileError(
            line=1, field="header", problem=f"missing column(s) {', '.join(missing)}", name=name
        )
    index = {column: header.index(column) for column in COLUMNS}
    validate_url = URLValidator(schemes=["http", "https"])
    kinds = {k.value for k in SessionKind}
    next_line = reader.line_num + 1
    for record in reader:
        line, next_line = next_line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue

        def cell(column: str, record: list[str] = record) -> str:
            position = index[column]
            return record[position].strip() if position < len(record) else ""

        def fail(field: str, problem: str, line: int = line) -> SessionsFileError:
            return SessionsFileError(line=line, field=field, problem=problem, name=name)

        try:
            starts_at = datetime.fromisoformat(cell("starts_at"))
        except ValueError:
            raise fail("starts_at", f"{cell('starts_at')!r} is not an ISO-8601 time") from None
        if starts_at.tzinfo is None:
            raise fail("starts_at", "the time has no UTC offset (e.g. 2021-07-08T20:00:00-04:00)")
        title = cell("title")
        if not title:
            raise fail("title", "the title is empty")
        if len(title) > 200:
            raise fail("title", "the title is longer than 200 characters")
        kind = cell("kind") or SessionKind.REGULAR.value
        if kind not in kinds:
            raise fail("kind", f"{kind!r} is not one of {', '.join(sorted(kinds))}")
        guests = tuple(" ".join(g.split()) for g in cell("guests").split(";") if g.strip())
        if any(len(g) > 120 for g in guests):
            raise fail("guests", "a guest's name is longer than 120 characters")
        attendance_text = cell("attendance")
        attendance = None
        if attendance_text:
            try:
                attendance = int(attendance_text)
            except ValueError:
                raise fail("attendance", f"{attendance_text!r} is not a whole number") from None
            if attendance < 0:
                raise fail("attendance", "the attendance cannot be negative")
        recording_url = cell("recording_url")
        if recording_url:
            try:
                validate_url(recording_url)
            except ValidationError:
                raise fail("recording_url", f"{recording_url!r} is not an http(s) URL") from None
        yield SessionRow(line, starts_at, title, kind, guests, attendance, recording_url)


def write_sessions_csv(rows: list[list[str]], out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
