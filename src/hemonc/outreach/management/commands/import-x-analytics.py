"""`hemonc import-x-analytics PATH... [--account HANDLE]`: load X analytics exports and archives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.core.errors import DomainError
from hemonc.core.permissions import OPERATOR
from hemonc.outreach.importers.sources import sources_from_paths
from hemonc.outreach.services import FORMAT_LABELS, x_analytics_import, x_summary_text


class Command(BaseCommand):
    help = (
        "Import X analytics: legacy tweet activity exports (English headers), "
        "account_analytics_content_*.csv, account_overview_analytics*.csv and the archive's "
        "tweets.js, given as files, folders or zips (read in the order given; inside a folder "
        "or zip by file name). Each file's format is recognized by its header. A post keeps "
        "the metrics of the export whose period ends latest. Any bad file or row fails the "
        "whole import and nothing is written; importing the same files again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--account",
            metavar="HANDLE",
            help="The X account of files that name none (overview export, archive).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sources = sources_from_paths(options["paths"])
            if not sources:
                raise CommandError("No files found in the given paths.")
            summary = x_analytics_import(
                sources=sources, account=options["account"], actor=OPERATOR
            )
        except OSError as error:
            raise CommandError(f"{error.filename or ''}: {error.strerror or error}") from None
        except DomainError as error:
            raise CommandError(str(error)) from None
        for file in summary.files:
            period = f", period ends {file.period_end}" if file.period_end else ""
            rows = f"{file.rows:,} {'row' if file.rows == 1 else 'rows'}"
            self.stdout.write(f"  {file.name}: {FORMAT_LABELS[file.format]}, {rows}{period}")
        self.stdout.write(self.style.SUCCESS(x_summary_text(summary)))
