"""Subscriber imports: one parser per real export format, each yielding `Row`s.

A parser validates as it reads and raises `ImportFailure` naming the file, line and field of
the first malformed value; `subscribers_import` (services) writes the rows in one transaction.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pycountry

from hemonc.core import values
from hemonc.core.archives import ArchiveError, is_zip, open_zip
from hemonc.core.spreadsheets import undecodable_cell
from hemonc.members.enums import Gender
from hemonc.newsletter.enums import ConsentSource, SubscriberStatus
from hemonc.taxonomy.stages import stage_from_label

NAME_MAX = 120  # Subscriber.name
INSTITUTION_MAX = 160  # Subscriber.institution

# The demographic fields `--field NAME=COLUMN` may point at, and the headers tried by default.
FIELD_NAMES = ("stage", "gender", "country", "institution")
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "stage": ("training stage", "stage", "role", "position", "training_stage"),
    "gender": ("gender",),
    "country": ("country",),
    "institution": ("institution", "organization", "organisation", "company"),
}


class ImportFailure(Exception):
    """A file that cannot be imported; nothing is written."""

    def __init__(self, *, file: str, line: int, field: str, problem: str) -> None:
        self.file, self.line, self.field, self.problem = file, line, field, problem
        where = file + (f", line {line}" if line else "") + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Unmapped:
    """A value that could not be mapped to the platform's vocabulary; the row is still kept."""

    file: str
    line: int
    field: str
    value: str


@dataclass
class Row:
    file: str
    line: int
    email: str
    status: SubscriberStatus
    consent_source: ConsentSource
    consented_at: datetime | None = None
    consent_ip: str | None = None
    left_at: datetime | None = None  # when an unsubscribed or cleaned person left
    name: str = ""
    stage: str = ""
    specialty: str = ""
    country: str = ""
    institution: str = ""
    gender: str = ""
    unmapped: list[Unmapped] = field(default_factory=list)


@dataclass(frozen=True)
class InputFile:
    name: str
    content: bytes


def read_inputs(paths: list[str]) -> list[InputFile]:
    """The files named on the command line; a zip stands for the CSV files inside it."""
    inputs = []
    for name in paths:
        path = Path(name)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise ImportFailure(
                file=name, line=0, field="", problem=error.strerror or "unreadable"
            ) from None
        inputs.extend(expand_input(name, content, shown=path.name))
    return inputs


def expand_input(name: str, content: bytes, *, shown: str | None = None) -> list[InputFile]:
    """One file as read (from disk or an upload): itself, or the CSV files of a zip.

    `name` names the file in archive errors, `shown` (its last part) in the rows' files."""
    shown = shown or Path(name).name
    if not is_zip(content):
        return [InputFile(shown, content)]
    inputs = []
    try:
        with open_zip(content, name=name) as archive:
            for info in sorted(archive.members(), key=lambda info: info.filename):
                member = info.filename
                if member.lower().endswith(".csv") and not member.startswith("__MACOSX"):
                    inputs.append(InputFile(f"{shown}:{member}", archive.read(info)))
    except ArchiveError as error:
        raise ImportFailure(
            file=error.file if not error.member else f"{error.file}:{error.member}",
            line=0,
            field="",
            problem=error.problem,
        ) from None
    return inputs


def csv_records(source: InputFile) -> Iterator[tuple[int, dict[str, str]]]:
    """(line where the record starts, {header: value}) for each record of a CSV file.

    Reads a BOM, CRLF line ends and quoted newlines; headers keep their spelling, the
    lookups in `column` ignore case and surrounding spaces.
    """
    try:
        text = source.content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, field = undecodable_cell(source.content, error)
        raise ImportFailure(
            file=source.name, line=line, field=field, problem="the file is not UTF-8 text"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ImportFailure(file=source.name, line=1, field="", problem=str(error)) from None
    if not header:
        raise ImportFailure(file=source.name, line=1, field="", problem="the file is empty")
    header = [h.strip() for h in header]
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFailure(
                file=source.name, line=start, field="", problem=str(error)
            ) from None
        last_line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            raise ImportFailure(
                file=source.name,
                line=start,
                field="",
                problem=f"{len(values)} values for {len(header)} columns",
            )
        yield start, dict(zip(header, values, strict=False))


def find_column(header: list[str], wanted: str) -> str | None:
    wanted = wanted.strip().lower()
    return next((h for h in header if h.strip().lower() == wanted), None)


def demographic_columns(
    *, file: str, header: list[str], fields: dict[str, str]
) -> dict[str, str | None]:
    """The column that holds each demographic field: the one named by --field, or a default."""
    columns: dict[str, str | None] = {}
    for name in FIELD_NAMES:
        if name in fields:
            column = find_column(header, fields[name])
            if column is None:
                raise ImportFailure(
                    file=file,
                    line=1,
                    field=fields[name],
                    problem=f"no such column (--field {name})",
                )
            columns[name] = column
        else:
            columns[name] = next(
                (c for c in (find_column(header, d) for d in DEFAULT_COLUMNS[name]) if c), None
            )
    return columns


def clean_text(value: str | None) -> str:
    """Trimmed text with HTML entities (`&amp;`) decoded and whitespace runs folded."""
    return " ".join(html.unescape(value or "").split())


def clean_cell(
    *, file: str, line: int, field: str, value: str | None, max_length: int | None = None
) -> str:
    """`clean_text` of a cell that holds no control characters and fits `max_length`."""
    try:
        return values.text(clean_text(values.text(value or "")), max_length=max_length)
    except values.BadValue as error:
        raise ImportFailure(file=file, line=line, field=field, problem=str(error)) from None


def clean_email(*, file: str, line: int, field: str, value: str | None) -> str:
    try:
        return values.email(value or "")
    except values.BadValue as error:
        raise ImportFailure(file=file, line=line, field=field, problem=str(error)) from None


def clean_ip(*, file: str, line: int, field: str, value: str | None) -> str | None:
    text = clean_cell(file=file, line=line, field=field, value=value)
    if not text:
        return None
    try:
        return values.ip_address(text)
    except values.BadValue as error:
        raise ImportFailure(file=file, line=line, field=field, problem=str(error)) from None


def parse_time(*, file: str, line: int, field: str, value: str | None) -> datetime | None:
    """Times as exports write them: `2021-03-04 12:30:00` (UTC) or ISO 8601 with a zone."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ImportFailure(
            file=file, line=line, field=field, problem=f"{value[:60]!r} is not a date and time"
        ) from None
    try:
        return values.moment(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except values.BadValue as error:
        raise ImportFailure(file=file, line=line, field=field, problem=str(error)) from None


_COUNTRY_ALIASES = {
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states": "US", "america": "US",
    "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "great britain": "GB", "britain": "GB",
    "uae": "AE", "south korea": "KR", "korea": "KR", "russia": "RU", "iran": "IR",
    "vietnam": "VN", "turkey": "TR", "türkiye": "TR", "taiwan": "TW", "the netherlands": "NL",
    "holland": "NL", "czech republic": "CZ", "bolivia": "BO", "venezuela": "VE",
    "tanzania": "TZ", "syria": "SY", "laos": "LA", "moldova": "MD", "palestine": "PS",
}  # fmt: skip


def country_code(value: str) -> str | None:
    """An ISO 3166-1 alpha-2 code for a country name, alias or code; None when unknown."""
    text = clean_text(value)
    if not text:
        return None
    alias = _COUNTRY_ALIASES.get(text.lower())
    if alias:
        return alias
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


_GENDERS = {
    "male": Gender.MALE, "m": Gender.MALE, "man": Gender.MALE, "he/him": Gender.MALE,
    "female": Gender.FEMALE, "f": Gender.FEMALE, "woman": Gender.FEMALE,
    "she/her": Gender.FEMALE, "non-binary": Gender.NON_BINARY, "nonbinary": Gender.NON_BINARY,
    "non binary": Gender.NON_BINARY, "nb": Gender.NON_BINARY, "they/them": Gender.NON_BINARY,
    "genderqueer": Gender.NON_BINARY, "other": Gender.OTHER, "self-described": Gender.OTHER,
    "prefer not to say": Gender.PREFER_NOT_TO_SAY, "prefer_not_to_say": Gender.PREFER_NOT_TO_SAY,
    "rather not say": Gender.PREFER_NOT_TO_SAY, "decline to answer": Gender.PREFER_NOT_TO_SAY,
}  # fmt: skip


def apply_demographics(
    row: Row,
    *,
    stage: str | None,
    gender: str | None,
    country: str | None,
    institution: str | None,
    fallback_country: str | None = None,
    labels: Mapping[str, str | None] | None = None,
) -> Row:
    """Map raw answers onto the row; answers that map to nothing are listed as unmapped.
    `labels` names the column of each field in error messages."""
    labels = labels or {}

    def cell(name: str, value: str | None, max_length: int = 200) -> str:
        return clean_cell(
            file=row.file, line=row.line, field=labels.get(name) or name, value=value,
            max_length=max_length,
        )  # fmt: skip

    stage_text = cell("stage", stage)
    if stage_text:
        mapped = stage_from_label(stage_text)
        if mapped is None:
            row.unmapped.append(Unmapped(row.file, row.line, "stage", stage_text))
        else:
            row.stage = mapped.stage.value
            row.specialty = mapped.specialty.value if mapped.specialty else ""
    gender_text = cell("gender", gender)
    if gender_text:
        mapped_gender = _GENDERS.get(gender_text.lower())
        if mapped_gender is None:
            row.unmapped.append(Unmapped(row.file, row.line, "gender", gender_text))
        else:
            row.gender = mapped_gender.value
    country_text = cell("country", country) or cell("CC", fallback_country)
    if country_text:
        code = country_code(country_text)
        if code is None:
            row.unmapped.append(Unmapped(row.file, row.line, "country", country_text))
        else:
            row.country = code
    row.institution = cell("institution", institution, max_length=INSTITUTION_MAX)
    return row
