"""`hemonc mentorship match|speed-rounds|round-tables` on real CSV files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hemonc.core.spreadsheets import unneutralise

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mentorship"


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def test_match_writes_one_row_per_mentee_in_input_order(tmp_path: Path) -> None:
    out = tmp_path / "matches.csv"

    call_command(
        "mentorship",
        "match",
        "--mentors",
        str(FIXTURES / "mentors.csv"),
        "--mentees",
        str(FIXTURES / "mentees.csv"),
        "--out",
        str(out),
    )

    assert _read(out) == [
        ["mentee_id", "mentor_id", "score"],
        ["1", "10", "76.2500"],
        ["2", "11", "7.5000"],
        ["3", "12", "104.3750"],
        ["4", "", ""],
        ["5", "10", "8.7500"],
    ]


def test_match_explain_adds_the_terms_and_the_reasons(tmp_path: Path) -> None:
    out = tmp_path / "matches.csv"

    call_command(
        "mentorship",
        "match",
        "--mentors",
        str(FIXTURES / "mentors.csv"),
        "--mentees",
        str(FIXTURES / "mentees.csv"),
        "--out",
        str(out),
        "--explain",
    )

    rows = _read(out)
    assert rows[0] == [
        "mentee_id",
        "mentor_id",
        "score",
        "topics",
        "career_paths",
        "time_zone",
        "rank",
        "community",
        "reason",
    ]
    assert rows[1] == [
        "1",
        "10",
        "76.2500",
        "20.0000",
        "12.5000",
        "13.7500",
        "20.0000",
        "10.0000",
        "",
    ]
    assert rows[4] == ["4", "", "", "", "", "", "", "", "no eligible mentor (languages 2, stage 1)"]


def test_match_reports_file_line_and_field_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "matches.csv"

    with pytest.raises(CommandError) as error:
        call_command(
            "mentorship",
            "match",
            "--mentors",
            str(FIXTURES / "mentors_bad.csv"),
            "--mentees",
            str(FIXTURES / "mentees.csv"),
            "--out",
            str(out),
        )

    assert (
        str(error.value) == "mentors_bad.csv, line 3, field capacity: 'two' is not a whole number"
    )
    assert list(tmp_path.iterdir()) == []


def test_match_names_a_format_outside_the_vocabulary(tmp_path: Path) -> None:
    with pytest.raises(
        CommandError, match=r"mentees_bad_format.csv, line 3, field formats: 'zoom'"
    ):
        call_command(
            "mentorship",
            "match",
            "--mentors",
            str(FIXTURES / "mentors.csv"),
            "--mentees",
            str(FIXTURES / "mentees_bad_format.csv"),
            "--out",
            str(tmp_path / "m.csv"),
        )


def test_match_names_a_missing_column(tmp_path: Path) -> None:
    mentors = tmp_path / "mentors.csv"
    mentors.write_text("id,capacity\n1,2\n")

    with pytest.raises(CommandError, match=r"mentors.csv, line 1: missing column\(s\) stages"):
        call_command(
            "mentorship",
            "match",
            "--mentors",
            str(mentors),
            "--mentees",
            str(FIXTURES / "mentees.csv"),
            "--out",
            str(tmp_path / "m.csv"),
        )


def test_match_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command(
            "mentorship",
            "match",
            "--mentors",
            str(tmp_path / "nope.csv"),
            "--mentees",
            str(FIXTURES / "mentees.csv"),
            "--out",
            str(tmp_path / "m.csv"),
        )


def test_speed_rounds_writes_the_schedule(tmp_path: Path) -> None:
    out = tmp_path / "schedule.csv"

    call_command(
        "mentorship",
        "speed-rounds",
        "--mentors",
        str(FIXTURES / "mentors.csv"),
        "--mentees",
        str(FIXTURES / "mentees.csv"),
        "--rounds",
        "3",
        "--table-size",
        "2",
        "--out",
        str(out),
    )

    rows = _read(out)
    assert rows[0] == ["round", "mentor_id", "mentee_id"]
    body = rows[1:]
    assert {row[0] for row in body} == {"1", "2", "3"}
    assert len({(row[1], row[2]) for row in body}) == len(body)
    # Five mentees, three tables of two: everyone sits in every round (mentee 4 excluded 11).
    assert sum(1 for row in body if row[0] == "1") == 5


def test_round_tables_writes_the_seating(tmp_path: Path) -> None:
    out = tmp_path / "seating.csv"

    call_command(
        "mentorship",
        "round-tables",
        "--tables",
        str(FIXTURES / "tables.csv"),
        "--trainees",
        str(FIXTURES / "trainees.csv"),
        "--rotations",
        "2",
        "--out",
        str(out),
    )

    rows = _read(out)
    assert rows[0] == ["rotation", "table_id", "trainee_id"]
    body = rows[1:]
    assert len(body) == 10  # 5 trainees x 2 rotations, 6 seats per rotation
    assert ["1", "mh", "1"] in body or ["2", "mh", "1"] in body


def test_round_tables_reject_a_choice_that_is_no_table(tmp_path: Path) -> None:
    trainees = tmp_path / "trainees.csv"
    trainees.write_text("id,choices\n1,mh;zz\n")

    with pytest.raises(
        CommandError, match=r"trainees.csv, line 2, field choices: 'zz' is not a table"
    ):
        call_command(
            "mentorship",
            "round-tables",
            "--tables",
            str(FIXTURES / "tables.csv"),
            "--trainees",
            str(trainees),
            "--rotations",
            "2",
            "--out",
            str(tmp_path / "s.csv"),
        )


MENTOR_HEADER = (
    "id,capacity,stages,topics,career_paths,languages,formats,utc_offset,institution,communities\n"
)
MENTOR_GOOD = "10,2,fellow,mmsm,,en,video,-5,Lakeside,\n"

HOSTILE_MENTORS = [
    # (content of mentors.csv, field named on line 3)
    (MENTOR_HEADER + MENTOR_GOOD + "1\x001,1,,,,,,0,,\n", "id"),
    (MENTOR_HEADER + MENTOR_GOOD + "11,1,,mm\x1bsm,,,,0,,\n", "topics"),
    (MENTOR_HEADER + MENTOR_GOOD + f"11,{'9' * 5000},,,,,,0,,\n", "capacity"),
    (MENTOR_HEADER + MENTOR_GOOD + "11,1,,,,,,1e400,,\n", "utc_offset"),
    (MENTOR_HEADER + MENTOR_GOOD + f"11,1,,,,,,0,{'I' * 300},\n", "institution"),
    ((MENTOR_HEADER + MENTOR_GOOD).encode() + b"11,1,,,,,,0,Zo\xeb,\n", "institution"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "field"), HOSTILE_MENTORS)
def test_match_hostile_mentors_file_names_line_and_field_and_writes_nothing(
    tmp_path: Path, content: str | bytes, field: str
) -> None:
    mentors = tmp_path / "mentors.csv"
    if isinstance(content, bytes):
        mentors.write_bytes(content)
    else:
        mentors.write_text(content, encoding="utf-8")
    out = tmp_path / "matches.csv"

    with pytest.raises(CommandError) as error:
        call_command("mentorship", "match", "--mentors", str(mentors), "--mentees",
                     str(FIXTURES / "mentees.csv"), "--out", str(out))  # fmt: skip

    assert f"mentors.csv, line 3, field {field}:" in str(error.value)
    assert not out.exists()


@pytest.mark.parametrize("where", ["missing/matches.csv", "."])
def test_match_output_that_cannot_be_written_is_named_and_nothing_is_left(
    tmp_path: Path, where: str
) -> None:
    out = tmp_path / where

    with pytest.raises(CommandError) as error:
        call_command("mentorship", "match", "--mentors", str(FIXTURES / "mentors.csv"),
                     "--mentees", str(FIXTURES / "mentees.csv"), "--out", str(out))  # fmt: skip

    assert f"{out}: cannot write there" in str(error.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_match_output_starts_with_a_bom_and_quotes_formula_ids(tmp_path: Path) -> None:
    mentors = tmp_path / "mentors.csv"
    mentors.write_text(MENTOR_HEADER + "=HYPERLINK(1),2,,,,,,0,,\n", encoding="utf-8")
    mentees = tmp_path / "mentees.csv"
    mentees.write_text(
        "id,stage,topics,career_paths,languages,formats,utc_offset,institution,"
        "avoid_own_institution,communities,prefers_shared_community,ranked_mentors,"
        "excluded_mentors\n@me,,,,,,0,,false,,false,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "matches.csv"

    call_command("mentorship", "match", "--mentors", str(mentors), "--mentees", str(mentees),
                 "--out", str(out))  # fmt: skip

    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert _read(out)[1][:2] == ["'@me", "'=HYPERLINK(1)"]

    # A program reading the file as data, as docs/mentorship.md says: the header is clean
    # with utf-8-sig, and unneutralise gives back the ids as they were in the input.
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0])[:2] == ["mentee_id", "mentor_id"]
    assert [unneutralise(rows[0]["mentee_id"]), unneutralise(rows[0]["mentor_id"])] == [
        "@me",
        "=HYPERLINK(1)",
    ]


@pytest.mark.parametrize(
    ("action", "numbers", "message"),
    [
        ("speed-rounds", ["--rounds", "0", "--table-size", "2"],
         "--rounds and --table-size must be at least 1."),
        ("speed-rounds", ["--rounds", "2", "--table-size", "0"],
         "--rounds and --table-size must be at least 1."),
        ("round-tables", ["--rotations", "0"], "--rotations must be at least 1."),
    ],
)  # fmt: skip
def test_schedules_refuse_counts_under_one_and_write_nothing(
    tmp_path: Path, action: str, numbers: list[str], message: str
) -> None:
    out = tmp_path / "out.csv"
    files = (
        ["--mentors", str(FIXTURES / "mentors.csv"), "--mentees", str(FIXTURES / "mentees.csv")]
        if action == "speed-rounds"
        else ["--tables", str(FIXTURES / "tables.csv"), "--trainees",
              str(FIXTURES / "trainees.csv")]
    )  # fmt: skip

    with pytest.raises(CommandError) as error:
        call_command("mentorship", action, *files, *numbers, "--out", str(out))

    assert str(error.value) == message
    assert not out.exists()
