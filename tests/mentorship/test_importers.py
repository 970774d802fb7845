"""The CSV parsers of `hemonc mentorship ...` on real files: every bad value is named by file,
line and field."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest

from hemonc.mentorship import importers

MENTORS = (
    "id,capacity,stages,topics,career_paths,languages,formats,utc_offset,institution,communities\n"
)
MENTOR = "10,2,fellow,mmsm,,en,video,-5,Lakeside,\n"
MENTEES = (
    "id,stage,topics,career_paths,languages,formats,utc_offset,institution,"
    "avoid_own_institution,communities,prefers_shared_community,ranked_mentors,excluded_mentors\n"
)
MENTEE = "1,fellow,mmsm,,en,video,-6,Plains,false,,true,10,\n"
TABLES = "id,topic,seats\n"
TRAINEES = "id,choices\n"


def _mentors(file: IO[str]) -> list[Any]:
    return list(importers.parse_mentors_csv(file))


def _mentees(file: IO[str]) -> list[Any]:
    return list(importers.parse_mentees_csv(file))


def _tables(file: IO[str]) -> list[Any]:
    return list(importers.parse_tables_csv(file))


def _trainees(file: IO[str]) -> list[Any]:
    return list(importers.parse_trainees_csv(file, table_ids=["mh", "ch", "bc", "ped"]))


def _parse(path: Path, content: str | bytes, parser: Callable[[IO[str]], list[Any]]) -> list[Any]:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with path.open(encoding="utf-8-sig", newline="") as file:
        return parser(file)


BAD_FILES = [
    # (parser, file name, content, the error's exact text)
    (_mentors, "mentors.csv", "",
     "mentors.csv, line 1: the file is empty; expected the header " + MENTORS.strip()),
    (_tables, "tables.csv", "a" * 200_000 + "\n",
     "tables.csv, line 1: field larger than field limit (131072)"),
    (_tables, "tables.csv", "id,topic,seats,colour\n",
     "tables.csv, line 1: unknown column(s) colour (expected id,topic,seats)"),
    (_tables, "tables.csv", "id,seats,colour\n",
     "tables.csv, line 1: missing column(s) topic; unknown column(s) colour "
     "(expected id,topic,seats)"),
    (_tables, "tables.csv", TABLES + "mh,Myeloma\n",
     "tables.csv, line 2: 2 values for 3 columns"),
    (_tables, "tables.csv", TABLES + " ,Myeloma,4\n",
     "tables.csv, line 2, field id: the id is empty"),
    (_tables, "tables.csv", TABLES + "mh,Myeloma,4\n\nMH,Lymphoma,4\n",
     "tables.csv, line 4, field id: 'MH' already appears on line 2"),
    (_tables, "tables.csv", TABLES + "mh,Myeloma,4\nch," + "x" * 200_000 + ",4\n",
     "tables.csv, line 3: field larger than field limit (131072)"),
    (_tables, "tables.csv", TABLES + "mh,,4\n",
     "tables.csv, line 2, field topic: the topic is empty"),
    (_tables, "tables.csv", TABLES + "mh,Myeloma,0\n",
     "tables.csv, line 2, field seats: 0 is not between 1 and 1000"),
    (_mentors, "mentors.csv", MENTORS + "10,2,fellow,mmsm,,en,video,UTC+1,Lakeside,\n",
     "mentors.csv, line 2, field utc_offset: 'UTC+1' is not a number of hours"),
    (_mentors, "mentors.csv", MENTORS + "10,2,fellow,mmsm,,en,video,15,Lakeside,\n",
     "mentors.csv, line 2, field utc_offset: 15 is not between -12 and 14 hours"),
    (_mentors, "mentors.csv", MENTORS + "10,2,fellow;chief,mmsm,,en,video,0,Lakeside,\n",
     "mentors.csv, line 2, field stages: 'chief' is not a stage "),
    (_mentors, "mentors.csv", MENTORS + "10,2,fellow,mmsm,,en;eng,video,0,Lakeside,\n",
     "mentors.csv, line 2, field languages: 'eng' is not an ISO 639-1 language code"),
    (_mentors, "mentors.csv", MENTORS + "10,2,fellow,mmsm,,en;qq,video,0,Lakeside,\n",
     "mentors.csv, line 2, field languages: 'qq' is not an ISO 639-1 language code"),
    (_mentees, "mentees.csv", MENTEES + "1,fellow,mmsm,,en,video,-6,Plains,yes,,true,10,\n",
     "mentees.csv, line 2, field avoid_own_institution: 'yes' is not true or false"),
    (_mentees, "mentees.csv", MENTEES + "1,fellow,mmsm,,en,video,-6,Plains,false,,1,10,\n",
     "mentees.csv, line 2, field prefers_shared_community: '1' is not true or false"),
    (_mentees, "mentees.csv", MENTEES + "1,chief,mmsm,,en,video,-6,Plains,false,,true,,\n",
     "mentees.csv, line 2, field stage: 'chief' is not a stage "),
    (_trainees, "trainees.csv", TRAINEES + "1,mh;ch;bc;ped\n",
     "trainees.csv, line 2, field choices: 4 choices; rank up to three tables"),
    (_trainees, "trainees.csv", TRAINEES + "1,mh;MH\n",
     "trainees.csv, line 2, field choices: a table is ranked twice"),
]  # fmt: skip


@pytest.mark.parametrize(("parser", "name", "content", "message"), BAD_FILES)
def test_parse_bad_file_names_file_line_and_field(
    tmp_path: Path,
    parser: Callable[[IO[str]], list[Any]],
    name: str,
    content: str,
    message: str,
) -> None:
    with pytest.raises(importers.CsvError) as error:
        _parse(tmp_path / name, content, parser)

    assert str(error.value).startswith(message)


def test_parse_bad_stage_lists_the_stages(tmp_path: Path) -> None:
    with pytest.raises(importers.CsvError) as error:
        _parse(tmp_path / "mentees.csv", MENTEES + "1,chief,,,,,0,,,,,,\n", _mentees)

    assert str(error.value) == (
        "mentees.csv, line 2, field stage: 'chief' is not a stage "
        "(medical_student, resident, fellow, advanced_fellow, attending, phd_trainee, other)"
    )


def test_parse_not_utf8_past_the_first_block_names_the_line_and_field(tmp_path: Path) -> None:
    # The decoder reads the file by blocks: a bad byte far down is met while reading rows.
    rows = "".join(f"t{n},Topic {n},4\n" for n in range(1, 1001))
    content = (TABLES + rows).encode() + b"t1001,Zo\xeb,4\n"

    with pytest.raises(importers.CsvError) as error:
        _parse(tmp_path / "tables.csv", content, _tables)

    assert str(error.value) == "tables.csv, line 1002, field topic: the file is not UTF-8 text"


def test_parse_not_utf8_stream_without_a_file_is_named_input(tmp_path: Path) -> None:
    stream = io.TextIOWrapper(io.BytesIO(TABLES.encode() + b"mh,Zo\xeb,4\n"), encoding="utf-8")

    with pytest.raises(importers.CsvError) as error:
        _tables(stream)

    assert str(error.value) == "input.csv, line 0, field encoding: the file is not UTF-8 text"


def test_parse_skips_blank_lines_and_reads_every_field(tmp_path: Path) -> None:
    mentors = _parse(tmp_path / "mentors.csv", MENTORS + "\n , ,\n" + MENTOR, _mentors)
    mentees = _parse(tmp_path / "mentees.csv", "\ufeff" + MENTEES + MENTEE, _mentees)
    tables = _parse(tmp_path / "tables.csv", TABLES + "MH,Myeloma,4\n", _tables)
    trainees = _parse(
        tmp_path / "trainees.csv",
        TRAINEES + "1,mh;Ch\n",
        lambda f: list(importers.parse_trainees_csv(f, table_ids=[t.id for t in tables] + ["ch"])),
    )

    assert [(m.id, m.capacity, m.utc_offset, sorted(m.stages)) for m in mentors] == [
        ("10", 2, -5.0, ["fellow"])
    ]
    assert [(m.id, m.avoid_own_institution, m.prefers_shared_community) for m in mentees] == [
        ("1", False, True)
    ]
    assert [m.ranked_mentors for m in mentees] == [("10",)]
    assert [(t.id, t.choices) for t in trainees] == [("1", ("MH", "ch"))]
