"""`hemonc mentorship match|speed-rounds|round-tables`: the mentorship algorithms on CSV files.

For organizers and audits: no database is read or written. The output file is written whole
or not at all, with a UTF-8 byte order mark and with cells that a spreadsheet would run as
formulas quoted; bad input or an output that cannot be written stops with the file (and
line and field) named and a non-zero exit.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.core.spreadsheets import OutputError, write_csv_atomically
from hemonc.mentorship import importers
from hemonc.mentorship.matching import match
from hemonc.mentorship.round_tables import round_tables
from hemonc.mentorship.speed_rounds import speed_rounds

MATCH_HEADER = ("mentee_id", "mentor_id", "score")
EXPLAIN_HEADER = ("topics", "career_paths", "time_zone", "rank", "community", "reason")


def _open(path: Path) -> IO[str]:
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror}") from None


def _number(value: float) -> str:
    return f"{value:.4f}"


class Command(BaseCommand):
    help = "Mentorship algorithms on CSV files: match, speed-rounds, round-tables."
    # Files in, a file out: no database, no secret, so no configuration is needed.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        matcher = actions.add_parser(
            "match", help="Match mentees to mentors: the most matched, then the best total score."
        )
        matcher.add_argument("--mentors", type=Path, required=True, help="mentors.csv")
        matcher.add_argument("--mentees", type=Path, required=True, help="mentees.csv")
        matcher.add_argument("--out", type=Path, required=True, help="matches.csv to write")
        matcher.add_argument(
            "--explain", action="store_true", help="Add the score terms and the reason columns."
        )
        speed = actions.add_parser("speed-rounds", help="A speed-mentoring schedule.")
        speed.add_argument("--mentors", type=Path, required=True)
        speed.add_argument("--mentees", type=Path, required=True)
        speed.add_argument("--rounds", type=int, required=True)
        speed.add_argument("--table-size", type=int, required=True)
        speed.add_argument("--out", type=Path, required=True, help="schedule.csv to write")
        tables = actions.add_parser("round-tables", help="Career round-table seating.")
        tables.add_argument("--tables", type=Path, required=True)
        tables.add_argument("--trainees", type=Path, required=True)
        tables.add_argument("--rotations", type=int, required=True)
        tables.add_argument("--out", type=Path, required=True, help="seating.csv to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except (importers.CsvError, OutputError) as error:
            raise CommandError(str(error)) from None

    def _read_people(self, options: dict[str, Any]) -> tuple[list, list]:
        with _open(options["mentors"]) as file:
            mentors = list(importers.parse_mentors_csv(file))
        with _open(options["mentees"]) as file:
            mentees = list(importers.parse_mentees_csv(file))
        return mentors, mentees

    def _match(self, options: dict[str, Any]) -> None:
        mentors, mentees = self._read_people(options)
        result = match(mentors, mentees)
        explain = options["explain"]
        rows = []
        for row in result.rows:
            line: list[str] = [
                row.mentee_id,
                row.mentor_id or "",
                _number(row.score) if row.score is not None else "",
            ]
            if explain:
                terms = row.terms
                if terms is None:
                    line += ["", "", "", "", "", row.reason]
                else:
                    line += [
                        _number(terms.topics),
                        _number(terms.career_paths),
                        _number(terms.time_zone),
                        _number(terms.rank),
                        _number(terms.community),
                        "",
                    ]
            rows.append(line)
        header = MATCH_HEADER + (EXPLAIN_HEADER if explain else ())
        write_csv_atomically(options["out"], header, rows)
        self.stdout.write(
            f"Matched {result.matched} of {len(mentees)} mentees to {len(mentors)} mentors "
            f"(total score {result.total_score:.4f}); wrote {options['out']}."
        )

    def _speed_rounds(self, options: dict[str, Any]) -> None:
        if options["rounds"] < 1 or options["table_size"] < 1:
            raise CommandError("--rounds and --table-size must be at least 1.")
        mentors, mentees = self._read_people(options)
        schedule = speed_rounds(
            mentors, mentees, rounds=options["rounds"], table_size=options["table_size"]
        )
        write_csv_atomically(
            options["out"],
            ("round", "mentor_id", "mentee_id"),
            ((s.round, s.mentor_id, s.mentee_id) for s in schedule),
        )
        self.stdout.write(
            f"Scheduled {len(schedule)} conversations in {options['rounds']} rounds; "
            f"wrote {options['out']}."
        )

    def _round_tables(self, options: dict[str, Any]) -> None:
        if options["rotations"] < 1:
            raise CommandError("--rotations must be at least 1.")
        with _open(options["tables"]) as file:
            tables = list(importers.parse_tables_csv(file))
        with _open(options["trainees"]) as file:
            trainees = list(importers.parse_trainees_csv(file, table_ids=[t.id for t in tables]))
        seating = round_tables(tables, trainees, rotations=options["rotations"])
        write_csv_atomically(
            options["out"],
            ("rotation", "table_id", "trainee_id"),
            ((s.rotation, s.table_id, s.trainee_id) for s in seating),
        )
        self.stdout.write(
            f"Seated {len(seating)} of {len(trainees) * options['rotations']} trainee-rotations "
            f"at {len(tables)} tables; wrote {options['out']}."
        )
