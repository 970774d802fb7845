"""`hemonc export-sessions --season NAME`: the season's sessions as CSV on stdout."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.events.importers.sessions_csv import write_sessions_csv
from hemonc.events.models import Season
from hemonc.events.services import sessions_export_rows


class Command(BaseCommand):
    help = (
        "Write a season's sessions to stdout in the import-sessions format, times in the "
        "season's zone with their offset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--season", required=True, help="The season's name.")

    def handle(self, *args: Any, **options: Any) -> None:
        season = Season.objects.filter(name__iexact=options["season"].strip()).first()
        if season is None:
            raise CommandError(f"There is no season called {options['season']!r}.")
        write_sessions_csv(sessions_export_rows(season=season), self.stdout)
