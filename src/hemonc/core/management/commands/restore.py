"""`hemonc restore PATH`: replace the database and the media files with a backup's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from hemonc.core.backup import (
    BackupError,
    Manifest,
    RestoreCancelled,
    migration_drift,
    restore_backup,
)


class Command(BaseCommand):
    help = (
        "Replace the database and everything in MEDIA_ROOT with the backup PATH written by "
        "`hemonc backup`. Stop the site's server and worker first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The archive to restore.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args: Any, path: Path, interactive: bool, **options: Any) -> None:
        try:
            manifest = restore_backup(path, confirm=self._confirm if interactive else None)
        except RestoreCancelled as cancelled:
            self.stdout.write(str(cancelled))
            return
        except BackupError as error:
            raise CommandError(str(error)) from error
        database, media = manifest["database"], manifest["media"]
        version = manifest.get("hemonc_version")
        written_by = f", hemonc {version}" if version else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the {database['vendor']} database and {_files(media['files'])} "
                f"from {path} (written {manifest['created_at']}{written_by})."
            )
        )
        pending, unknown = migration_drift()
        if pending:
            self.stdout.write(
                self.style.WARNING(
                    f"The restored database lacks {len(pending)} migrations of this code: "
                    "run `hemonc migrate`."
                )
            )
        if unknown:
            self.stdout.write(
                self.style.WARNING(
                    "The restored database has migrations this code does not know "
                    f"({', '.join(unknown)}): it was written by a newer hemonc."
                )
            )

    def _confirm(self, manifest: Manifest) -> bool:
        database = connections["default"].settings_dict["NAME"]
        answer = input(
            f"This replaces the database {database} and everything in {settings.MEDIA_ROOT}\n"
            f"with the backup written {manifest['created_at']} "
            f"({_files(manifest['media']['files'])}). Changes made since then are lost.\n"
            "Type 'yes' to continue, or anything else to cancel: "
        )
        return answer.strip() == "yes"


def _files(count: int) -> str:
    return f"{count} media file" if count == 1 else f"{count} media files"
