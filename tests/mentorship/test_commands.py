"""`hemonc mentorship match|speed-rounds|round-tables` on real CSV files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mentorship"


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="") as file:
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
