"""The one CSV writer of every export: safe to open in a spreadsheet, and read back by the
importers unchanged.

- A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would run as a
  formula in Excel or LibreOffice (`=HYPERLINK(...)`): it is written with a `'` in front, which
  spreadsheets show as text. `unneutralise` removes that quote again when a file is imported.
- Files start with a UTF-8 byte order mark, without which Excel reads UTF-8 as Latin-1
  ("ZoÃ«"); every importer accepts the mark.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.http import HttpResponse

from hemonc.core.errors import DomainError

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def neutralise(value: object) -> object:
    """The cell as a spreadsheet shows it and never runs: text that could be a formula (or
    already starts with quotes before such a character) gets a leading quote. Numbers, and
    text that is only a number, are left as they are."""
    if (
        isinstance(value, str)
        and value.lstrip("'").startswith(FORMULA_STARTS)
        and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def unneutralise(text: str) -> str:
    """A cell read from a file we wrote: the quote `neutralise` added is removed."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


class CsvWriter:
    """`csv.writer` with every text cell neutralised; writes the BOM before the first row."""

    def __init__(self, out: IO[str] | Any, *, bom: bool = True, lineterminator: str = "\r\n"):
        self._writer = csv.writer(out, lineterminator=lineterminator)
        if bom:
            out.write(BOM)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_download(filename: str) -> tuple[HttpResponse, CsvWriter]:
    """A CSV attachment and the writer that fills it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, CsvWriter(response)


class OutputError(DomainError):
    """A file that cannot be written; names the path."""


def write_csv_atomically(
    path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]
) -> None:
    """Write the whole file or nothing: a temporary file beside it, renamed when complete.
    A folder that does not exist or cannot be written is an `OutputError` naming the path."""
    directory = path.resolve().parent
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(
            f"{path}: cannot write there ({error.strerror or error}); nothing was written."
        ) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = CsvWriter(out)
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(
            f"{path}: cannot write there ({error.strerror or error}); nothing was written."
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def undecodable_cell(data: bytes, error: UnicodeDecodeError) -> tuple[int, str]:
    """(line, column) of the first byte of a CSV file that is not UTF-8; the column is the
    header's name for it, or "encoding" when it cannot be told."""
    line = data[: error.start].count(b"\n") + 1
    start = data.rfind(b"\n", 0, error.start) + 1
    end = data.find(b"\n", error.start)
    text = data[start : end if end >= 0 else len(data)].decode("utf-8", errors="replace")
    header_end = data.find(b"\n")
    header = data[: header_end if header_end >= 0 else len(data)]
    try:
        names = next(csv.reader([header.decode("utf-8-sig", errors="replace")]), [])
        cells = next(csv.reader([text]), [])
    except csv.Error:  # not a CSV line after all: the line is all that can be told
        return line, "encoding"
    for index, cell in enumerate(cells):
        if "\ufffd" in cell:
            if line > 1 and index < len(names) and names[index].strip():
                return line, names[index].strip()
            break
    return line, "encoding"
