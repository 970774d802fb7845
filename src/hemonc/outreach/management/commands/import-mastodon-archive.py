"""`hemonc import-mastodon-archive PATH --account @user@instance`: posts, likes and boosts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.core.errors import DomainError
from hemonc.core.permissions import OPERATOR
from hemonc.outreach.services import mastodon_archive_import, mastodon_summary_text


class Command(BaseCommand):
    help = (
        "Import a Mastodon archive (the .tar.gz or .zip, its folder, or outbox.json): each post with "
        "its likes and boosts (Mastodon has no impressions). A newer archive's counts replace "
        "older ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, metavar="PATH")
        parser.add_argument("--account", required=True, metavar="@user@instance")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = mastodon_archive_import(
                path=options["path"], account=options["account"], actor=OPERATOR
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(mastodon_summary_text(summary)))
