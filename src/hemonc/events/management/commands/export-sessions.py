"""`hemonc export-sessions --season NAME [--output PATH]`: the season's sessions as CSV."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.core.spreadsheets import OutputError, write_csv_atomically
from hemonc.events.importers.sessions_csv import COLUMNS, write_sessions_csv
from hemonc.events.models import Season
from hemonc.events.services import sessions_export_rows


class Command(BaseCommand):
    help = (
        "Write a season's sessions in the import-sessions format, times in the season's zone "
        "with their offset: to standard output, or to a file written whole or not at all. "
        "The file starts with a UTF-8 byte order mark and cells that a spreadsheet would run "
        "as formulas start with a quote; import-sessions reads both back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--season", required=True, help="The season's name.")
        parser.add_argument(
            "--output", "-o", type=Path, metavar="PATH", help="Default: standard output."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        season = Season.objects.filter(name__iexact=options["season"].strip()).first()
        if season is None:
            raise CommandError(f"There is no season called {options['season']!r}.")
        rows = sessions_export_rows(season=season)
        output: Path | None = options["output"]
        if output is None:
            buffer = io.StringIO()
            write_sessions_csv(rows, buffer)
            self.stdout.write(buffer.getvalue(), ending="")
            return
        try:
            write_csv_atomically(output, COLUMNS, rows)
        except OutputError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(f"Wrote {len(rows)} session(s) to {output}.")
