"""`hemonc import-subscribers FILE_OR_ZIP... --source mailchimp|substack|listmonk|csv`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.core.permissions import OPERATOR
from hemonc.newsletter.importers import FIELD_NAMES, ImportFailure
from hemonc.newsletter.imports import import_files


class Command(BaseCommand):
    help = (
        "Import newsletter subscribers from Mailchimp, Substack or listmonk exports, or a CSV "
        "file with an email column. Nobody who left is ever subscribed again by an import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE_OR_ZIP")
        parser.add_argument(
            "--source", required=True, choices=["mailchimp", "substack", "listmonk", "csv"]
        )
        parser.add_argument(
            "--field",
            action="append",
            default=[],
            metavar="NAME=COLUMN",
            help=f"Which column holds a field ({', '.join(FIELD_NAMES)}); for listmonk, a key "
            "of its attributes JSON.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fields: dict[str, str] = {}
        for item in options["field"]:
            name, sep, column = item.partition("=")
            name = name.strip().lower()
            if not sep or name not in FIELD_NAMES or not column.strip():
                raise CommandError(
                    f"--field {item!r}: write NAME=COLUMN with NAME one of {', '.join(FIELD_NAMES)}."
                )
            fields[name] = column.strip()
        try:
            summary = import_files(
                options["files"], source=options["source"], fields=fields, actor=OPERATOR
            )
        except ImportFailure as failure:
            raise CommandError(f"Nothing was imported. {failure}") from None
        self.stdout.write(
            f"created: {summary.created}, updated: {summary.updated}, "
            f"unchanged: {summary.unchanged}"
        )
        if summary.unmapped:
            self.stdout.write(f"values that could not be mapped ({len(summary.unmapped)}):")
            for item in summary.unmapped:
                self.stdout.write(f"  {item.file}, line {item.line}, {item.field}: {item.value!r}")
