"""`hemonc import-followers FILE --account HANDLE`: load follower snapshots (`date,followers`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.core.errors import DomainError
from hemonc.core.permissions import OPERATOR
from hemonc.outreach.enums import Platform
from hemonc.outreach.services import followers_import, followers_summary_text


class Command(BaseCommand):
    help = (
        "Import follower snapshots from a CSV with the header date,followers. A date already "
        "stored takes the file's count; a bad row fails the whole import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument("--account", required=True, metavar="HANDLE")
        parser.add_argument(
            "--platform", choices=Platform.values, default=Platform.X, help="Default: x."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = followers_import(
                path=options["file"],
                account=options["account"],
                platform=options["platform"],
                actor=OPERATOR,
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(followers_summary_text(summary)))
