"""`hemonc phi-check [FILE...]`: patient identifiers in text files, reported like a linter.

    path:line:col: kind: "text"

Line and column are 1-based; the column counts characters (Unicode code points), as does every
offset. Standard input is read when no FILE is given, or for a FILE named `-`, and is reported
as `-`. Exit status: 0 when nothing was found, 1 when something was, 2 when a file could not be
read (missing, unreadable, a directory, not UTF-8): the others are still checked, and each
such file gets one line on standard error.

`--jsonl`: each input line is `{"id": ..., "text": "..."}`; each output line, in the same
order, is `{"id": ..., "findings": [{"kind", "start", "end", "text"}]}`. Blank lines are
skipped. Exit status 0 whatever is found; 2 when a line is malformed, naming its file and line
number; then nothing at all is printed on standard output (every line is read and checked
before the first result is written, so a consumer never gets a partial result).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.core import phi

STDIN = "-"


@dataclass(frozen=True)
class Source:
    name: str
    text: str


class Unreadable(Exception):
    """A file that cannot be read as UTF-8 text; the message names it."""


class Command(BaseCommand):
    help = (
        "Report patient identifiers (HIPAA Safe Harbor: names, dates, ages over 89, phone "
        "numbers, MRNs, addresses, ...) in text files or standard input, one line per finding: "
        'path:line:col: kind: "text". Exit 0 when clean, 1 when something was found, 2 when a '
        "file could not be read. See docs/phi.md."
    )
    stealth_options = ("stdin",)
    # A linter: it reads files and needs no database, secret key or deployment settings.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files",
            nargs="*",
            metavar="FILE",
            help="Text files to check (UTF-8); standard input when none is given or for -.",
        )
        parser.add_argument(
            "--jsonl",
            action="store_true",
            help='Read lines {"id": ..., "text": ...} and write {"id": ..., "findings": [...]} '
            "lines in the same order; exit 0 whatever is found.",
        )

    def handle(self, *args: Any, files: list[str], jsonl: bool, **options: Any) -> None:
        stdin: IO[bytes] = options.get("stdin") or sys.stdin.buffer
        names = files or [STDIN]
        if jsonl:
            self._jsonl(names, stdin)
            return
        unreadable = 0
        found = 0
        for name in names:
            try:
                source = _read(name, stdin)
            except Unreadable as error:
                self.stderr.write(f"phi-check: {error}")
                unreadable += 1
                continue
            lines = _Lines(source.text)
            for finding in phi.scan(source.text):
                line, column = lines.position(finding.start)
                quoted = json.dumps(finding.text, ensure_ascii=False)
                self.stdout.write(f"{source.name}:{line}:{column}: {finding.kind}: {quoted}")
                found += 1
        if unreadable:
            files_word = "file" if unreadable == 1 else "files"
            raise CommandError(f"{unreadable} {files_word} could not be read.", returncode=2)
        if found:
            sys.exit(1)

    def _jsonl(self, names: list[str], stdin: IO[bytes]) -> None:
        results: list[str] = []
        for name in names:
            try:
                source = _read(name, stdin)
            except Unreadable as error:
                raise CommandError(f"{error}; nothing was written.", returncode=2) from None
            for number, line in enumerate(source.text.split("\n"), start=1):
                if not line.strip():
                    continue
                identifier, text = _record(source.name, number, line)
                findings = [finding.as_dict() for finding in phi.scan(text)]
                results.append(
                    json.dumps({"id": identifier, "findings": findings}, ensure_ascii=False)
                )
        for result in results:
            self.stdout.write(result)


def _read(name: str, stdin: IO[bytes]) -> Source:
    if name == STDIN:
        data = stdin.read()
    else:
        path = Path(name)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise Unreadable(f"{name}: no such file.") from None
        except IsADirectoryError:
            raise Unreadable(f"{name}: is a directory, not a file.") from None
        except PermissionError:
            raise Unreadable(f"{name}: permission denied.") from None
        except OSError as error:
            raise Unreadable(f"{name}: cannot be read ({error.strerror or error}).") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise Unreadable(
            f"{name}: line {line} is not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
            f"{error.start})."
        ) from None
    return Source(name, text.removeprefix("\ufeff"))


def _record(name: str, number: int, line: str) -> tuple[Any, str]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"{name}, line {number}: not JSON ({error.msg}); nothing was written.", returncode=2
        ) from None
    if not isinstance(record, dict) or "id" not in record or "text" not in record:
        raise CommandError(
            f'{name}, line {number}: expected an object {{"id": ..., "text": "..."}}; '
            "nothing was written.",
            returncode=2,
        )
    identifier, text = record["id"], record["text"]
    if not isinstance(text, str):
        raise CommandError(
            f'{name}, line {number}: "text" must be a string; nothing was written.',
            returncode=2,
        )
    if not isinstance(identifier, str | int) or isinstance(identifier, bool):
        raise CommandError(
            f'{name}, line {number}: "id" must be a string or a number; nothing was written.',
            returncode=2,
        )
    return identifier, text


class _Lines:
    """1-based line and column (in characters) of offsets asked in increasing order."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line, self.line_start = text, 0, 1, 0

    def position(self, offset: int) -> tuple[int, int]:
        self.line += self.text.count("\n", self.offset, offset)
        newline = self.text.rfind("\n", self.offset, offset)
        if newline != -1:
            self.line_start = newline + 1
        self.offset = offset
        return self.line, offset - self.line_start + 1
