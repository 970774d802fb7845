"""Backups: one .tar.gz holding a consistent copy of the database, the media files and a manifest.

`hemonc backup PATH` and `hemonc restore PATH` call these; see docs/operations.md.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError

FORMAT = "hemonc-backup"
# 2: the manifest holds a SHA-256 of every media file (1: only their number).
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP_NAMES = {"sqlite": "db.sqlite3", "postgresql": "db.pgdump"}

type Manifest = dict[str, Any]


class BackupError(DomainError):
    """A backup could not be written, or a file is not a backup this site can restore."""


class RestoreCancelled(BackupError):
    """The operator answered something other than 'yes'; nothing was changed."""


def create_backup(path: Path | str, *, force: bool = False) -> Manifest:
    """Write the database and MEDIA_ROOT to the archive `path` and return its manifest.

    The archive is written next to `path` and renamed into place, so `path` is never half-written.
    """
    path = Path(path).expanduser().absolute()
    if path.is_dir():
        raise BackupError(f"{path} is a directory; name the archive file to write.")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; pass --force to replace it.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} does not exist.")
    media_root = Path(settings.MEDIA_ROOT).absolute()
    if path.is_relative_to(media_root):
        raise BackupError(
            f"{path} is inside MEDIA_ROOT, whose files the site serves to anyone: "
            "write the backup somewhere else."
        )
    connection = connections["default"]
    dump_name = _dump_name(connection.vendor)

    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as work:
        dump = Path(work) / dump_name
        migrations = _latest_migrations(connection)
        # The database first, the media second: a file uploaded in between is an unused extra
        # in the copy, never a row pointing at a file that is missing from it.
        if connection.vendor == "sqlite":
            _sqlite_dump(connection, dump)
        else:
            _postgres_dump(connection, dump)
        manifest: Manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "hemonc_version": _hemonc_version(),
            "django_version": django.get_version(),
            "database": {
                "vendor": connection.vendor,
                "file": dump_name,
                "bytes": dump.stat().st_size,
                "sha256": _sha256(dump),
            },
            "migrations": migrations,
        }
        archive = Path(work) / "archive.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(dump, arcname=dump_name)
            checksums: dict[str, str] = {}
            files, size = _add_media(tar, media_root, checksums)
            manifest["media"] = {"files": files, "bytes": size, "sha256": checksums}
            _add_json(tar, MANIFEST, manifest)
        # The archive holds password hashes and private profiles: only its owner may read it.
        archive.chmod(0o600)
        _fsync(archive)
        archive.replace(path)
        _fsync(path.parent)
    return manifest


def restore_backup(
    path: Path | str, *, confirm: Callable[[Manifest], bool] | None = None
) -> Manifest:
    """Replace the database and MEDIA_ROOT with the contents of the archive `path`.

    The archive is checked whole before anything changes: its format, the checksum of the
    database dump and of every media file, the database vendor, and its migrations (a
    database nobody migrated, or one written by a newer hemonc, is refused); then
    `confirm(manifest)`, if given, must return True or RestoreCancelled is raised.
    The new media folder is unpacked beside MEDIA_ROOT and swapped in by renaming; the
    database is replaced in one transaction (SQLite) or restored into a fresh schema while
    the live one waits aside (PostgreSQL). Should that fail, the live database and media are
    put back as they were.
    """
    path = Path(path).expanduser().absolute()
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    connection = connections["default"]
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)

    # The staging directory sits beside MEDIA_ROOT so the media swap is a rename, not a copy.
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".hemonc-restore-") as work:
        staging = Path(work)
        manifest = _extract(path, staging)
        _check_manifest(path, manifest, staging, vendor=connection.vendor)
        _check_migrations(path, manifest, staging / manifest["database"]["file"], connection)
        if confirm is not None and not confirm(manifest):
            raise RestoreCancelled("Restore cancelled; nothing was changed.")

        replaced = staging / "replaced-media"
        try:
            if media_root.exists():
                media_root.rename(replaced)
            (staging / MEDIA).rename(media_root)
        except OSError as error:
            if replaced.exists() and not media_root.exists():
                replaced.rename(media_root)
            raise BackupError(
                f"Could not put the media files in place at {media_root} ({error}); "
                "nothing was changed."
            ) from error
        try:
            connections.close_all()
            dump = staging / manifest["database"]["file"]
            if connection.vendor == "sqlite":
                _sqlite_restore(connection, dump)
            else:
                _postgres_restore(connection, dump)
        except BaseException:
            # The database is unchanged (both restores are one transaction): so is the media.
            media_root.rename(staging / "restored-media")
            if replaced.exists():
                replaced.rename(media_root)
            raise
    audit(
        actor=None,
        action="backup.restore",
        changes={"backup_created_at": manifest["created_at"], "archive": path.name},
    )
    return manifest


def migration_drift() -> tuple[list[str], list[str]]:
    """Migrations this code has that the database lacks, and ones it has that this code lacks."""
    executor = MigrationExecutor(connections["default"])
    graph = executor.loader.graph
    pending = [
        f"{migration.app_label}.{migration.name}"
        for migration, _backwards in executor.migration_plan(graph.leaf_nodes())
    ]
    unknown = [
        f"{app}.{name}"
        for app, name in sorted(executor.loader.applied_migrations)
        if (app, name) not in graph.nodes
    ]
    return pending, unknown


def _dump_name(vendor: str) -> str:
    try:
        return DUMP_NAMES[vendor]
    except KeyError:
        raise BackupError(f"Backups cover SQLite and PostgreSQL, not {vendor}.") from None


def _latest_migrations(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The last migration applied for each app, in the order they were applied."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    latest: dict[str, str] = {}
    for app, name in recorder.migration_qs.order_by("applied", "id").values_list("app", "name"):
        latest[app] = name
    return dict(sorted(latest.items()))


def _hemonc_version() -> str | None:
    try:
        return version("hemonc-network")
    except PackageNotFoundError:
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _add_json(tar: tarfile.TarFile, name: str, value: Manifest) -> None:
    encoded = json.dumps(value, indent=2).encode()
    info = tarfile.TarInfo(name)
    info.size = len(encoded)
    info.mode = 0o644
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(encoded))


def _add_media(
    tar: tarfile.TarFile, media_root: Path, checksums: dict[str, str]
) -> tuple[int, int]:
    """Add MEDIA_ROOT as media/; return the number of regular files and their total size.

    `checksums` receives the SHA-256 of each regular file, by its path under media/."""
    if not media_root.is_dir():
        info = tarfile.TarInfo(MEDIA)
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        info.mtime = int(datetime.now(UTC).timestamp())
        tar.addfile(info)
        return 0, 0
    files = size = 0
    for directory, dirnames, filenames in os.walk(media_root):
        dirnames.sort()
        base = Path(directory)
        arcbase = Path(MEDIA, base.relative_to(media_root))
        _add_entry(tar, base, arcbase.as_posix())
        # os.walk does not descend into links to directories: keep them as the links they are.
        names = sorted(filenames + [name for name in dirnames if (base / name).is_symlink()])
        for name in names:
            digest = hashlib.sha256()
            entry = _add_entry(tar, base / name, (arcbase / name).as_posix(), digest)
            if entry is not None and entry.isreg():
                files += 1
                size += entry.size
                checksums[(base / name).relative_to(media_root).as_posix()] = digest.hexdigest()
    return files, size


class _Hashing:
    """A file read by tarfile, hashed on the way: the checksum is of the very bytes stored."""

    def __init__(self, file: Any, digest: Any) -> None:
        self.file = file
        self.digest = digest

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


def _add_entry(
    tar: tarfile.TarFile, source: Path, arcname: str, digest: Any = None
) -> tarfile.TarInfo | None:
    try:
        info = tar.gettarinfo(source, arcname)
        if info is None:  # a socket or the like: not a media file
            return None
        if info.isreg():
            with source.open("rb") as file:
                tar.addfile(info, _Hashing(file, digest or hashlib.sha256()))
        else:
            tar.addfile(info)
    except FileNotFoundError:
        return None  # deleted while the backup ran, so not part of this copy
    return info


def _extract(path: Path, staging: Path) -> Manifest:
    """Unpack the archive into `staging` and return its manifest; refuse anything else."""
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if not _is_backup_entry(member.name):
                    raise BackupError(
                        f"{path} is not a hemonc backup: it holds {member.name!r}, "
                        "which no backup contains."
                    )
                tar.extract(member, staging, filter="data")
    except tarfile.FilterError as error:
        raise BackupError(
            f"{path} holds an unsafe entry, so it was not restored ({error})."
        ) from error
    except tarfile.ReadError as error:
        raise BackupError(
            f"{path} is not a hemonc backup: it is not a .tar.gz archive, or it is damaged."
        ) from error
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"{path} is damaged or cut short ({error}).") from error
    manifest_file = staging / MANIFEST
    if not manifest_file.is_file():
        raise BackupError(f"{path} is not a hemonc backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads(manifest_file.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} has a damaged {MANIFEST} ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a hemonc backup: its {MANIFEST} is not ours.")
    (staging / MEDIA).mkdir(exist_ok=True)
    return manifest


def _is_backup_entry(name: str) -> bool:
    name = name.removeprefix("./")
    return name in {MANIFEST, MEDIA, *DUMP_NAMES.values()} or name.startswith(f"{MEDIA}/")


def _check_manifest(path: Path, manifest: Manifest, staging: Path, *, vendor: str) -> None:
    try:
        format_version = int(manifest["format_version"])
        database = manifest["database"]
        backup_vendor = str(database["vendor"])
        dump_name = str(database["file"])
        expected_sha256 = str(database["sha256"])
        expected_files = int(manifest["media"]["files"])
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError(f"{path} has an incomplete {MANIFEST} ({error!r} missing).") from error
    if format_version > FORMAT_VERSION:
        raise BackupError(
            f"{path} was written by a newer hemonc (backup format {format_version}); "
            "upgrade hemonc before restoring it."
        )
    if backup_vendor != vendor:
        raise BackupError(
            f"{path} holds a {backup_vendor} database, but this site runs on {vendor}. "
            f"Restore it on a site that uses {backup_vendor}."
        )
    dump = staging / dump_name
    if dump_name != DUMP_NAMES[vendor] or not dump.is_file():
        raise BackupError(f"{path} is damaged: the database dump {dump_name} is missing.")
    if _sha256(dump) != expected_sha256:
        raise BackupError(
            f"{path} is damaged: the database dump does not match the checksum in {MANIFEST}."
        )
    media = staging / MEDIA
    found = {
        entry.relative_to(media).as_posix(): entry
        for entry in media.rglob("*")
        if entry.is_file(follow_symlinks=False)
    }
    if len(found) != expected_files:
        raise BackupError(
            f"{path} is damaged: it holds {len(found)} media files, "
            f"its {MANIFEST} says {expected_files}."
        )
    if format_version < 2:
        return  # written before media checksums: their number is all there is to check
    checksums = manifest["media"].get("sha256")
    if not isinstance(checksums, dict):
        raise BackupError(f"{path} has an incomplete {MANIFEST} (no media checksums).")
    for name, entry in sorted(found.items()):
        if name not in checksums:
            raise BackupError(f"{path} is damaged: {MEDIA}/{name} is not listed in its {MANIFEST}.")
        if _sha256(entry) != checksums[name]:
            raise BackupError(f"{path} is damaged: {MEDIA}/{name} does not match its checksum.")
    missing = sorted(set(checksums) - set(found))
    if missing:
        raise BackupError(f"{path} is damaged: {MEDIA}/{missing[0]} is missing.")


def _check_migrations(
    path: Path, manifest: Manifest, dump: Path, connection: BaseDatabaseWrapper
) -> None:
    """Refuse a database this code cannot run: one nobody migrated, or a newer one.

    A backup older than this code is fine: `hemonc migrate` brings it up to date."""
    latest = manifest.get("migrations")
    if not isinstance(latest, dict):
        raise BackupError(f"{path} has an incomplete {MANIFEST} (no migrations).")
    known = MigrationLoader(None, ignore_no_migrations=True).graph.nodes
    _refuse_unknown(path, [(str(app), str(name)) for app, name in latest.items()], known)
    if connection.vendor == "sqlite":
        applied = _sqlite_migrations(path, dump)
        in_dump: dict[str, str] = {}
        for app, name in applied:
            in_dump[app] = name
        if in_dump != latest:
            raise BackupError(
                f"{path} is damaged: the migrations in its database differ from its {MANIFEST}."
            )
    else:
        applied = [(str(app), str(name)) for app, name in latest.items()]
        if applied and not _postgres_dump_has_migrations(dump):
            raise BackupError(
                f"{path} is damaged: its database dump has no django_migrations table, "
                f"though its {MANIFEST} lists migrations."
            )
    if not applied:
        raise BackupError(
            f"{path} holds an empty database: no migration was ever applied to it, so it is "
            "not a backup of a working site. Nothing was changed."
        )
    _refuse_unknown(path, applied, known)


def _refuse_unknown(path: Path, applied: list[tuple[str, str]], known: Any) -> None:
    unknown = [f"{app}.{name}" for app, name in applied if (app, name) not in known]
    if unknown:
        raise BackupError(
            f"{path} was written by a newer hemonc: its database has migrations this code "
            f"does not know ({', '.join(unknown)}). Upgrade hemonc, then restore it. "
            "Nothing was changed."
        )


def _sqlite_migrations(path: Path, dump: Path) -> list[tuple[str, str]]:
    """The migrations applied to the SQLite file `dump`, in order; checks the file first."""
    try:
        copy = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            (result,) = copy.execute("PRAGMA quick_check").fetchone()
            if result != "ok":
                raise BackupError(
                    f"{path} is damaged: its database fails SQLite's check ({result})."
                )
            has_table = copy.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
            if not has_table:
                return []
            rows = copy.execute("SELECT app, name FROM django_migrations ORDER BY applied, id")
            return [(str(app), str(name)) for app, name in rows]
        finally:
            copy.close()
    except sqlite3.Error as error:
        raise BackupError(f"{path} is damaged: its database cannot be read ({error}).") from error


def _postgres_dump_has_migrations(dump: Path) -> bool:
    executable = shutil.which("pg_restore")
    if executable is None:
        raise BackupError(
            "pg_restore was not found on PATH; install the PostgreSQL client tools "
            "(the same major version as the server, or newer)."
        )
    result = subprocess.run(  # noqa: S603 - fixed program, a file we unpacked
        [executable, "--list", str(dump)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"The database dump cannot be read: {result.stderr.strip()}")
    return any(
        "TABLE DATA" in line and " django_migrations " in line
        for line in result.stdout.splitlines()
    )


def _sqlite_dump(connection: BaseDatabaseWrapper, dump: Path) -> None:
    # The online backup API copies one consistent snapshot even while the site writes (WAL).
    live = connection.get_new_connection(connection.get_connection_params())
    copy = sqlite3.connect(dump)
    try:
        live.backup(copy)
        # One self-contained file: no -wal or -shm companions needed to read the copy.
        copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"Could not copy the SQLite database: {error}") from error
    finally:
        copy.close()
        live.close()


def _sqlite_restore(connection: BaseDatabaseWrapper, dump: Path) -> None:
    copy = sqlite3.connect(dump)
    try:
        (result,) = copy.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise BackupError(f"The database in the backup is damaged: {result}")
        # Copying into the live file through SQLite (not over it) keeps the WAL and the
        # other processes' view of the file consistent; the copy is one write transaction.
        live = connection.get_new_connection(connection.get_connection_params())
        try:
            copy.backup(live)
        finally:
            live.close()
    except sqlite3.Error as error:
        raise BackupError(f"Could not restore the SQLite database: {error}") from error
    finally:
        copy.close()


def _postgres_dump(connection: BaseDatabaseWrapper, dump: Path) -> None:
    _run_postgres(connection, "pg_dump", "--format=custom", f"--file={dump}")


def _postgres_restore(connection: BaseDatabaseWrapper, dump: Path) -> None:
    """Restore into a fresh `public` schema while the live one waits aside under another
    name; on success the old one is dropped, on any failure it is renamed back."""
    aside = f"hemonc_replaced_{secrets.token_hex(4)}"
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"ALTER SCHEMA public RENAME TO {aside}")
            cursor.execute("CREATE SCHEMA public")
    except DatabaseError as error:
        raise BackupError(
            "The database user may not rename the schema public and create a new one (it "
            f"must own the database); nothing was changed. ({error})"
        ) from error
    connection.close()
    try:
        _run_postgres(
            connection,
            "pg_restore",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(dump),
        )
    except BaseException:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute(f"ALTER SCHEMA {aside} RENAME TO public")
        connection.close()
        raise
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {aside} CASCADE")
    connection.close()


def _run_postgres(connection: BaseDatabaseWrapper, program: str, *arguments: str) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} was not found on PATH; install the PostgreSQL client tools "
            "(the same major version as the server, or newer)."
        )
    settings_dict = connection.settings_dict
    # Django's dbshell helper puts the password, passfile, service and SSL settings in the
    # environment; a password never goes on the command line, where `ps` would show it.
    _psql_args, client_env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    command = [executable, "--no-password"]
    if settings_dict.get("USER"):
        command.append(f"--username={settings_dict['USER']}")
    if settings_dict.get("HOST"):
        command.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        command.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("NAME"):
        command.append(f"--dbname={settings_dict['NAME']}")
    command.extend(arguments)
    result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
        command,
        env={**os.environ, **(client_env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip() or result.returncode}")
