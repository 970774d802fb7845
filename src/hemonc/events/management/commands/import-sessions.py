"""`hemonc import-sessions FILE --season NAME [--time-zone ZONE]`: load a season's sessions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.core.errors import DomainError
from hemonc.core.permissions import OPERATOR
from hemonc.core.timezones import is_time_zone
from hemonc.events.importers.sessions_csv import parse_sessions_csv
from hemonc.events.services import sessions_import


class Command(BaseCommand):
    help = (
        "Import sessions from a CSV file with the header "
        "starts_at,title,kind,guests,attendance,recording_url. Creates the season if missing. "
        "Importing the same file again updates attendance, guests and recordings and creates "
        "nothing new; any bad row fails the whole import and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument("--season", required=True, help="The season's name.")
        parser.add_argument(
            "--time-zone",
            default="UTC",
            help="IANA zone of a season created by the import (default: UTC).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not is_time_zone(options["time_zone"]):
            raise CommandError(f"--time-zone {options['time_zone']!r} is not an IANA time zone.")
        try:
            with path.open("rb") as file:
                rows = list(parse_sessions_csv(file, name=str(path)))
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        except DomainError as error:
            raise CommandError(str(error)) from None
        try:
            summary = sessions_import(
                season_name=options["season"],
                rows=rows,
                time_zone=options["time_zone"],
                actor=OPERATOR,
            )
        except DomainError as error:
            raise CommandError(f"{path}: {error}") from None
        verb = "Created" if summary.season_created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} season {summary.season.name!r}: {summary.created} session(s) created, "
                f"{summary.updated} updated."
            )
        )
