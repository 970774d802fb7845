r"""The sessions CSV of `hemonc import-sessions` / `export-sessions`:

    starts_at,title,kind,guests,attendance,recording_url

`starts_at` is ISO-8601 with its UTC offset, `guests` names separated by ";" (a ";" or "\"
inside a name is written "\;" or "\\"), `kind` one of the session kinds, `attendance` a whole
number or empty. Columns may come in any order and extra columns are ignored; a BOM and CRLF
line ends are fine. A cell that starts with a quote followed by = + - @ (how the export keeps
spreadsheets from running a cell as a formula) is read without the quote.
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

from hemonc.core import values
from hemonc.core.errors import DomainError
from hemonc.core.spreadsheets import CsvWriter, undecodable_cell, unneutralise
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


GUEST_SEPARATOR = ";"
TITLE_MAX = 200  # LiveSession.title
GUEST_MAX = 120  # Guest.name
URL_MAX = 500  # LiveSession.recording_url


def join_guests(names: list[str]) -> str:
    """The guests cell: names separated by ";", a ";" or "\\" inside a name escaped."""
    return GUEST_SEPARATOR.join(
        name.replace("\\", "\\\\").replace(GUEST_SEPARATOR, "\\" + GUEST_SEPARATOR)
        for name in names
    )


def split_guests(cell: str) -> list[str]:
    """The names of a guests cell, escapes undone and whitespace folded; empty names dropped."""
    names, current, escaped = [], [], False
    for character in cell:
        if escaped:
            current.append(character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == GUEST_SEPARATOR:
            names.append("".join(current))
            current = []
        else:
            current.append(character)
    if escaped:
        current.append("\\")
    names.append("".join(current))
    return [" ".join(name.split()) for name in names if name.strip()]


def _text(file: IO[bytes], *, name: str) -> IO[str]:
    raw = file.read()
    try:
        data = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, field = undecodable_cell(raw, error)
        raise SessionsFileError(
            line=line, field=field, problem="the file is not UTF-8 text", name=name
        ) from None
    return io.StringIO(data.removeprefix("\ufeff"), newline="")


def parse_sessions_csv(file: IO[bytes], *, name: str = "") -> Iterator[SessionRow]:
    """Validate and yield the rows; the first bad one raises SessionsFileError."""
    reader = csv.reader(_text(file, name=name), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise SessionsFileError(
            line=1, field="header", problem="the file is empty", name=name
        ) from None
    except csv.Error as error:
        raise SessionsFileError(line=1, field="header", problem=str(error), name=name) from None
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
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise SessionsFileError(
                line=next_line, field="row", problem=str(error), name=name
            ) from None
        line, next_line = next_line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue

        def fail(field: str, problem: str, line: int = line) -> SessionsFileError:
            return SessionsFileError(line=line, field=field, problem=problem, name=name)

        def cell(column: str, record: list[str] = record, max_length: int | None = None) -> str:
            position = index[column]
            text = unneutralise(record[position].strip()) if position < len(record) else ""
            try:
                return values.text(text, max_length=max_length)
            except values.BadValue as error:
                raise fail(column, str(error)) from None

        try:
            starts_at = datetime.fromisoformat(cell("starts_at"))
        except ValueError:
            raise fail("starts_at", f"{cell('starts_at')[:60]!r} is not an ISO-8601 time") from None
        if starts_at.tzinfo is None:
            raise fail("starts_at", "the time has no UTC offset (e.g. 2021-07-08T20:00:00-04:00)")
        try:
            values.moment(starts_at)
        except values.BadValue as error:
            raise fail("starts_at", str(error)) from None
        title = cell("title")
        if not title:
            raise fail("title", "the title is empty")
        if len(title) > TITLE_MAX:
            raise fail("title", f"the title is longer than {TITLE_MAX} characters")
        kind = cell("kind") or SessionKind.REGULAR.value
        if kind not in kinds:
            raise fail("kind", f"{kind[:60]!r} is not one of {', '.join(sorted(kinds))}")
        guests = tuple(split_guests(cell("guests")))
        if any(len(g) > GUEST_MAX for g in guests):
            raise fail("guests", f"a guest's name is longer than {GUEST_MAX} characters")
        attendance_text = cell("attendance")
        attendance = None
        if attendance_text:
            try:
                attendance = values.whole_number(int(attendance_text), high=values.INTEGER_MAX)
            except values.BadValue as error:
                raise fail("attendance", str(error)) from None
            except ValueError:
                raise fail(
                    "attendance", f"{attendance_text[:60]!r} is not a whole number"
                ) from None
        recording_url = cell("recording_url", max_length=URL_MAX)
        if recording_url:
            try:
                validate_url(recording_url)
            except ValidationError:
                raise fail(
                    "recording_url", f"{recording_url[:60]!r} is not an http(s) URL"
                ) from None
        yield SessionRow(line, starts_at, title, kind, guests, attendance, recording_url)


def write_sessions_csv(rows: list[list[str]], out: IO[str]) -> None:
    """The file with a BOM, cells that could run as formulas quoted (`core.spreadsheets`)."""
    writer = CsvWriter(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
