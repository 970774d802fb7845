"""The CSV files of `hemonc mentorship ...`: parsers that name file, line and field on bad input.

mentors.csv  id,capacity,stages,topics,career_paths,languages,formats,utc_offset,institution,communities
mentees.csv  id,stage,topics,career_paths,languages,formats,utc_offset,institution,
             avoid_own_institution,communities,prefers_shared_community,ranked_mentors,excluded_mentors
tables.csv   id,topic,seats          trainees.csv  id,choices
Lists inside a field are separated by ";"; booleans are true/false; utc_offset is in hours.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import pycountry

from hemonc.core import values
from hemonc.core.spreadsheets import undecodable_cell
from hemonc.mentorship.matching import FORMATS, Mentee, Mentor
from hemonc.mentorship.round_tables import RoundTable, Trainee
from hemonc.taxonomy.enums import Stage

MENTOR_COLUMNS = (
    "id",
    "capacity",
    "stages",
    "topics",
    "career_paths",
    "languages",
    "formats",
    "utc_offset",
    "institution",
    "communities",
)
MENTEE_COLUMNS = (
    "id",
    "stage",
    "topics",
    "career_paths",
    "languages",
    "formats",
    "utc_offset",
    "institution",
    "avoid_own_institution",
    "communities",
    "prefers_shared_community",
    "ranked_mentors",
    "excluded_mentors",
)
TABLE_COLUMNS = ("id", "topic", "seats")
TRAINEE_COLUMNS = ("id", "choices")
MAX_CHOICES = 3
TEXT_MAX = 200  # any value
MAX_LENGTHS = {"institution": 160}  # as members.Profile.institution


class CsvError(ValueError):
    """A bad value in an input file; the message names the file, the line and the field."""

    def __init__(self, file: str, line: int, field: str | None, message: str) -> None:
        where = f"{file}, line {line}" + (f", field {field}" if field else "")
        super().__init__(f"{where}: {message}")
        self.file, self.line, self.field = file, line, field


def _name(file: IO[str]) -> str:
    return Path(getattr(file, "name", "") or "input.csv").name


def _rows(file: IO[str], columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    name = _name(file)
    reader = csv.reader(file)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvError(
            name, 1, None, f"the file is empty; expected the header {','.join(columns)}"
        ) from None
    except csv.Error as error:
        raise CsvError(name, 1, None, str(error)) from None
    except UnicodeDecodeError:
        raise _not_utf8(file, name) from None
    header = [h.strip().lstrip("\ufeff").casefold() for h in header]
    missing = [c for c in columns if c not in header]
    unknown = [h for h in header if h not in columns]
    if missing or unknown:
        problems = []
        if missing:
            problems.append("missing column(s) " + ", ".join(missing))
        if unknown:
            problems.append("unknown column(s) " + ", ".join(unknown))
        raise CsvError(name, 1, None, "; ".join(problems) + f" (expected {','.join(columns)})")
    seen: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(v.strip() for v in cells):
                continue
            if len(cells) != len(header):
                raise CsvError(name, line, None, f"{len(cells)} values for {len(header)} columns")
            row = {key: value.strip() for key, value in zip(header, cells, strict=True)}
            for key, value in row.items():
                try:
                    values.text(value, max_length=MAX_LENGTHS.get(key, TEXT_MAX))
                except values.BadValue as error:
                    raise CsvError(name, line, key, str(error)) from None
            key = row["id"].casefold()
            if not key:
                raise CsvError(name, line, "id", "the id is empty")
            if key in seen:
                raise CsvError(
                    name, line, "id", f"{row['id']!r} already appears on line {seen[key]}"
                )
            seen[key] = line
            yield line, row
    except csv.Error as error:
        raise CsvError(name, reader.line_num, None, str(error)) from None
    except UnicodeDecodeError:
        raise _not_utf8(file, name) from None


def _not_utf8(file: IO[str], name: str) -> CsvError:
    """The error for a file that is not UTF-8, naming the line and column of the first bad
    byte (found by reading the file again as bytes)."""
    line, field = 0, "encoding"
    try:
        data = Path(file.name).read_bytes()
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, field = undecodable_cell(data, error)
    except (OSError, AttributeError, TypeError):
        pass
    return CsvError(name, line, field, "the file is not UTF-8 text")


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(";") if item.strip()]


def _int(name: str, line: int, field: str, value: str, *, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise CsvError(name, line, field, f"{value!r} is not a whole number") from None
    if not low <= number <= high:
        raise CsvError(name, line, field, f"{number} is not between {low} and {high}")
    return number


def _offset(name: str, line: int, value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        raise CsvError(name, line, "utc_offset", f"{value!r} is not a number of hours") from None
    if not math.isfinite(hours) or not -12 <= hours <= 14:
        raise CsvError(name, line, "utc_offset", f"{value} is not between -12 and 14 hours")
    return hours


def _bool(name: str, line: int, field: str, value: str) -> bool:
    text = value.casefold()
    if text in {"true", ""}:
        return text == "true"
    if text == "false":
        return False
    raise CsvError(name, line, field, f"{value!r} is not true or false")


def _stages(name: str, line: int, field: str, values: Iterable[str]) -> list[str]:
    stages = [v.casefold() for v in values]
    for stage in stages:
        if stage not in Stage.values:
            raise CsvError(
                name, line, field, f"{stage!r} is not a stage ({', '.join(Stage.values)})"
            )
    return stages


def _languages(name: str, line: int, values: Iterable[str]) -> list[str]:
    codes = [v.casefold() for v in values]
    for code in codes:
        if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
            raise CsvError(name, line, "languages", f"{code!r} is not an ISO 639-1 language code")
    return codes


def _formats(name: str, line: int, values: Iterable[str]) -> list[str]:
    formats = [v.casefold() for v in values]
    for value in formats:
        if value not in FORMATS:
            raise CsvError(name, line, "formats", f"{value!r} is not one of {', '.join(FORMATS)}")
    return formats


def parse_mentors_csv(file: IO[str]) -> Iterator[Mentor]:
    name = _name(file)
    for line, row in _rows(file, MENTOR_COLUMNS):
        yield Mentor(
            id=row["id"],
            capacity=_int(name, line, "capacity", row["capacity"], low=0, high=1000),
            stages=frozenset(_stages(name, line, "stages", _list(row["stages"]))),
            topics=frozenset(_list(row["topics"])),
            career_paths=frozenset(_list(row["career_paths"])),
            languages=frozenset(_languages(name, line, _list(row["languages"]))),
            formats=frozenset(_formats(name, line, _list(row["formats"]))),
            utc_offset=_offset(name, line, row["utc_offset"]),
            institution=row["institution"],
            communities=frozenset(_list(row["communities"])),
        )


def parse_mentees_csv(file: IO[str]) -> Iterator[Mentee]:
    name = _name(file)
    for line, row in _rows(file, MENTEE_COLUMNS):
        stage = row["stage"]
        yield Mentee(
            id=row["id"],
            stage=_stages(name, line, "stage", [stage])[0] if stage else "",
            topics=frozenset(_list(row["topics"])),
            career_paths=frozenset(_list(row["career_paths"])),
            languages=frozenset(_languages(name, line, _list(row["languages"]))),
            formats=frozenset(_formats(name, line, _list(row["formats"]))),
            utc_offset=_offset(name, line, row["utc_offset"]),
            institution=row["institution"],
            avoid_own_institution=_bool(
                name, line, "avoid_own_institution", row["avoid_own_institution"]
            ),
            communities=frozenset(_list(row["communities"])),
            prefers_shared_community=_bool(
                name, line, "prefers_shared_community", row["prefers_shared_community"]
            ),
            ranked_mentors=tuple(_list(row["ranked_mentors"])),
            excluded_mentors=frozenset(_list(row["excluded_mentors"])),
        )


def parse_tables_csv(file: IO[str]) -> Iterator[RoundTable]:
    name = _name(file)
    for line, row in _rows(file, TABLE_COLUMNS):
        if not row["topic"]:
            raise CsvError(name, line, "topic", "the topic is empty")
        seats = _int(name, line, "seats", row["seats"], low=1, high=1000)
        yield RoundTable(id=row["id"], topic=row["topic"], seats=seats)


def parse_trainees_csv(file: IO[str], *, table_ids: Iterable[str]) -> Iterator[Trainee]:
    name = _name(file)
    known = {t.casefold(): t for t in table_ids}
    for line, row in _rows(file, TRAINEE_COLUMNS):
        choices = _list(row["choices"])
        if len(choices) > MAX_CHOICES:
            raise CsvError(
                name, line, "choices", f"{len(choices)} choices; rank up to three tables"
            )
        for choice in choices:
            if choice.casefold() not in known:
                raise CsvError(
                    name, line, "choices", f"{choice!r} is not a table in the tables file"
                )
        if len({c.casefold() for c in choices}) != len(choices):
            raise CsvError(name, line, "choices", "a table is ranked twice")
        yield Trainee(id=row["id"], choices=tuple(known[c.casefold()] for c in choices))
