"""`hemonc backup PATH`: write the database and the media files to one .tar.gz archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database and of MEDIA_ROOT to the archive PATH "
        "(a .tar.gz with a manifest). Restore it with `hemonc restore PATH`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The archive to write, e.g. backup.tar.gz.")
        parser.add_argument("--force", action="store_true", help="Replace PATH if it exists.")

    def handle(self, *args: Any, path: Path, force: bool, **options: Any) -> None:
        try:
            manifest = create_backup(path, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(
                f"{path}: cannot write there ({error.strerror or error}); nothing was written."
            ) from None
        database, media = manifest["database"], manifest["media"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {path}: the {database['vendor']} database "
                f"({_size(database['bytes'])}) and {_files(media['files'])} "
                f"({_size(media['bytes'])})."
            )
        )


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count / 1024:.0f} kB"


def _files(count: int) -> str:
    return f"{count} media file" if count == 1 else f"{count} media files"
