"""`hemonc backup` and `hemonc restore` on the test database, SQLite or PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image

from hemonc.core import backup
from hemonc.core.backup import FORMAT_VERSION
from hemonc.members.models import Profile, User
from hemonc.members.services import profile_remove_avatar, profile_set_avatar
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True)

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return tmp_path / "backup.tar.gz"


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def archive_contents(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {
            member.name: tar.extractfile(member).read()  # type: ignore[union-attr]
            for member in tar
            if member.isfile()
        }


def rewrite_archive(source: Path, target: Path, **replacements: bytes) -> None:
    """A copy of the archive `source` with some files' contents replaced (name=bytes)."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            content = old.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            if member.name in replacements:
                content = replacements[member.name]
                member.size = len(content)
            new.addfile(member, io.BytesIO(content) if content is not None else None)


def display_names() -> set[str]:
    return set(Profile.objects.values_list("display_name", flat=True))


def test_restore_brings_back_members_and_media_and_drops_later_changes(media_root, archive):
    ana = make_member(display_name="Ana Lopez")
    ben = make_member(display_name="Ben Okafor")
    profile_set_avatar(profile=ana.profile, actor=ana, upload=png_upload())
    avatar = ana.profile.avatar.name
    with default_storage.open(avatar) as file:
        avatar_bytes = file.read()
    call_command("backup", str(archive), stdout=io.StringIO())

    ben.delete()
    profile_remove_avatar(profile=ana.profile, actor=ana)
    make_member(display_name="Chen Wei")
    assert not (media_root / avatar).exists()
    output = io.StringIO()
    call_command("restore", str(archive), "--no-input", stdout=output)

    assert display_names() == {"Ana Lopez", "Ben Okafor"}
    assert set(User.objects.values_list("email", flat=True)) == {ana.email, ben.email}
    assert Profile.objects.get(user=ana).avatar.name == avatar
    assert (media_root / avatar).read_bytes() == avatar_bytes
    assert f"Restored the {connection.vendor} database and 1 media file" in output.getvalue()


def test_restore_removes_media_files_added_after_the_backup(media_root, archive):
    (media_root / "avatars").mkdir(parents=True)
    (media_root / "avatars" / "old.webp").write_bytes(b"old")
    call_command("backup", str(archive), stdout=io.StringIO())
    (media_root / "avatars" / "new.webp").write_bytes(b"new")

    call_command("restore", str(archive), "--no-input", stdout=io.StringIO())

    assert sorted(path.name for path in media_root.rglob("*")) == ["avatars", "old.webp"]
    assert not list(media_root.parent.glob(".hemonc-restore-*"))


def test_backup_manifest_describes_database_and_media(media_root, archive):
    make_member(display_name="Ana Lopez")
    (media_root / "avatars").mkdir(parents=True)
    (media_root / "avatars" / "1.webp").write_bytes(b"12345")

    call_command("backup", str(archive), stdout=io.StringIO())

    contents = archive_contents(archive)
    manifest = json.loads(contents["manifest.json"])
    dump = "db.sqlite3" if connection.vendor == "sqlite" else "db.pgdump"
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["file"] == dump
    assert manifest["database"]["sha256"] == hashlib.sha256(contents[dump]).hexdigest()
    assert manifest["media"] == {
        "files": 1,
        "bytes": 5,
        "sha256": {"avatars/1.webp": hashlib.sha256(b"12345").hexdigest()},
    }
    assert manifest["migrations"]["members"].startswith("0")
    assert manifest["created_at"].endswith("+00:00")
    assert contents["media/avatars/1.webp"] == b"12345"
    assert archive.stat().st_mode & 0o077 == 0


def test_backup_refuses_to_overwrite_an_existing_file_without_force(media_root, archive):
    archive.write_bytes(b"keep me")

    with pytest.raises(CommandError, match="already exists; pass --force"):
        call_command("backup", str(archive), stdout=io.StringIO())

    assert archive.read_bytes() == b"keep me"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_backup_to_a_folder_that_cannot_be_written_names_it(media_root):
    with pytest.raises(CommandError, match=r"/proc/backup\.tar\.gz: cannot write there"):
        call_command("backup", "/proc/backup.tar.gz", stdout=io.StringIO())


def test_backup_to_a_directory_or_a_missing_folder_is_refused_naming_it(media_root, tmp_path):
    with pytest.raises(CommandError, match=f"{tmp_path} is a directory; name the archive file"):
        call_command("backup", str(tmp_path), stdout=io.StringIO())
    with pytest.raises(CommandError, match=f"{tmp_path / 'missing'} does not exist"):
        call_command("backup", str(tmp_path / "missing" / "b.tar.gz"), stdout=io.StringIO())
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_restore_of_a_missing_file_names_it(media_root, tmp_path):
    missing = tmp_path / "nowhere.tar.gz"
    with pytest.raises(CommandError, match=f"{missing}: no such file"):
        call_command("restore", str(missing), "--no-input", stdout=io.StringIO())


def test_backup_refuses_to_write_inside_media_root(media_root):
    media_root.mkdir()
    inside = media_root / "backup.tar.gz"

    with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
        call_command("backup", str(inside), stdout=io.StringIO())

    assert list(media_root.iterdir()) == []


def test_backup_with_force_replaces_an_existing_file(media_root, archive):
    archive.write_bytes(b"old")

    call_command("backup", str(archive), "--force", stdout=io.StringIO())

    manifest = json.loads(archive_contents(archive)["manifest.json"])
    assert manifest["database"]["vendor"] == connection.vendor
    assert sorted(path.name for path in archive.parent.iterdir()) == ["backup.tar.gz"]


def test_restore_refuses_a_backup_of_the_other_database_vendor(media_root, archive, tmp_path):
    make_member(display_name="Ana Lopez")
    call_command("backup", str(archive), stdout=io.StringIO())
    manifest = json.loads(archive_contents(archive)["manifest.json"])
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    manifest["database"]["vendor"] = other
    foreign = tmp_path / "foreign.tar.gz"
    rewrite_archive(archive, foreign, **{"manifest.json": json.dumps(manifest).encode()})
    make_member(display_name="Ben Okafor")

    with pytest.raises(
        CommandError, match=f"holds a {other} database.*runs on {connection.vendor}"
    ):
        call_command("restore", str(foreign), "--no-input", stdout=io.StringIO())

    assert display_names() == {"Ana Lopez", "Ben Okafor"}


def test_restore_refuses_a_file_that_is_not_a_backup(media_root, tmp_path):
    junk = tmp_path / "notes.tar.gz"
    junk.write_text("not an archive")

    with pytest.raises(CommandError, match=f"{junk} is not a hemonc backup"):
        call_command("restore", str(junk), "--no-input", stdout=io.StringIO())


def test_restore_refuses_a_backup_cut_short(media_root, archive, tmp_path):
    make_member(display_name="Ana Lopez")
    call_command("backup", str(archive), stdout=io.StringIO())
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    make_member(display_name="Ben Okafor")

    with pytest.raises(CommandError, match=str(cut)):
        call_command("restore", str(cut), "--no-input", stdout=io.StringIO())

    assert display_names() == {"Ana Lopez", "Ben Okafor"}


def test_restore_refuses_a_dump_that_does_not_match_its_checksum(media_root, archive, tmp_path):
    (media_root / "kept.txt").parent.mkdir(parents=True)
    (media_root / "kept.txt").write_text("kept")
    call_command("backup", str(archive), stdout=io.StringIO())
    dump = "db.sqlite3" if connection.vendor == "sqlite" else "db.pgdump"
    tampered = tmp_path / "tampered.tar.gz"
    rewrite_archive(archive, tampered, **{dump: b"tampered"})
    (media_root / "kept.txt").unlink()
    (media_root / "later.txt").write_text("later")

    with pytest.raises(CommandError, match="does not match the checksum"):
        call_command("restore", str(tampered), "--no-input", stdout=io.StringIO())

    assert sorted(path.name for path in media_root.iterdir()) == ["later.txt"]


def test_restore_refuses_an_archive_with_files_a_backup_never_holds(media_root, tmp_path):
    archive = tmp_path / "other.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))

    with pytest.raises(CommandError, match=r"'\.\./outside\.txt', which no backup contains"):
        call_command("restore", str(archive), "--no-input", stdout=io.StringIO())

    assert not (tmp_path.parent / "outside.txt").exists()


def test_restore_changes_nothing_unless_the_answer_is_yes(media_root, archive, monkeypatch):
    make_member(display_name="Ana Lopez")
    call_command("backup", str(archive), stdout=io.StringIO())
    make_member(display_name="Ben Okafor")
    prompts: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or "no")
    output = io.StringIO()

    call_command("restore", str(archive), stdout=output)

    assert "This replaces the database" in prompts[0]
    assert "Type 'yes'" in prompts[0]
    assert "Restore cancelled" in output.getvalue()
    assert display_names() == {"Ana Lopez", "Ben Okafor"}


def test_restore_cli_exits_non_zero_for_a_missing_file(tmp_path):
    missing = tmp_path / "missing.tar.gz"

    result = subprocess.run(
        [sys.executable, "-m", "hemonc", "restore", str(missing), "--no-input"],
        cwd=REPOSITORY,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert f"{missing}: no such file" in result.stderr


def test_restore_keeps_links_between_media_files(media_root, archive):
    (media_root / "avatars").mkdir(parents=True)
    (media_root / "avatars" / "1.webp").write_bytes(b"avatar")
    (media_root / "latest.webp").symlink_to("avatars/1.webp")
    call_command("backup", str(archive), stdout=io.StringIO())
    (media_root / "latest.webp").unlink()

    call_command("restore", str(archive), "--no-input", stdout=io.StringIO())

    assert (media_root / "latest.webp").is_symlink()
    assert (media_root / "latest.webp").read_bytes() == b"avatar"


def empty_database_archive(source: Path, target: Path) -> None:
    """A copy of the backup `source` whose database is one nobody ever migrated."""
    contents = archive_contents(source)
    manifest = json.loads(contents["manifest.json"])
    dump = target.parent / manifest["database"]["file"]
    if connection.vendor == "sqlite":
        import sqlite3

        empty = sqlite3.connect(dump)
        empty.execute("VACUUM")
        empty.close()
    else:
        backup._run_postgres(
            connection, "pg_dump", "--format=custom", f"--file={dump}", "--exclude-schema=public"
        )
    manifest["database"]["sha256"] = hashlib.sha256(dump.read_bytes()).hexdigest()
    manifest["database"]["bytes"] = dump.stat().st_size
    manifest["migrations"] = {}
    rewrite_archive(
        source,
        target,
        **{
            "manifest.json": json.dumps(manifest).encode(),
            manifest["database"]["file"]: dump.read_bytes(),
        },
    )


def site_state(media_root: Path) -> tuple[set[str], dict[str, bytes]]:
    """What a restore must leave alone when it refuses: the members and every media file."""
    files = {
        path.relative_to(media_root).as_posix(): path.read_bytes()
        for path in sorted(media_root.rglob("*"))
        if path.is_file()
    }
    return display_names(), files


def backup_with_media(media_root: Path, archive: Path) -> None:
    make_member(display_name="Ana Lopez")
    (media_root / "avatars").mkdir(parents=True)
    (media_root / "avatars" / "1.webp").write_bytes(b"avatar one")
    call_command("backup", str(archive), stdout=io.StringIO())
    make_member(display_name="Ben Okafor")
    (media_root / "avatars" / "2.webp").write_bytes(b"avatar two")


def test_restore_refuses_a_backup_of_an_unmigrated_database(media_root, archive, tmp_path):
    backup_with_media(media_root, archive)
    wrong = tmp_path / "wrong.tar.gz"
    empty_database_archive(archive, wrong)
    before = site_state(media_root)

    with pytest.raises(CommandError, match=f"{wrong} holds an empty database"):
        call_command("restore", str(wrong), "--no-input", stdout=io.StringIO())

    assert site_state(media_root) == before


def test_restore_refuses_a_backup_written_by_a_newer_hemonc(media_root, archive, tmp_path):
    backup_with_media(media_root, archive)
    manifest = json.loads(archive_contents(archive)["manifest.json"])
    manifest["migrations"]["members"] = "0999_from_the_future"
    newer = tmp_path / "newer.tar.gz"
    rewrite_archive(archive, newer, **{"manifest.json": json.dumps(manifest).encode()})
    before = site_state(media_root)

    with pytest.raises(CommandError, match=r"newer hemonc.*members\.0999_from_the_future"):
        call_command("restore", str(newer), "--no-input", stdout=io.StringIO())

    assert site_state(media_root) == before


def test_restore_refuses_a_tampered_media_file(media_root, archive, tmp_path):
    backup_with_media(media_root, archive)
    tampered = tmp_path / "tampered.tar.gz"
    rewrite_archive(archive, tampered, **{"media/avatars/1.webp": b"something else"})
    before = site_state(media_root)

    with pytest.raises(CommandError, match=r"media/avatars/1\.webp does not match its checksum"):
        call_command("restore", str(tampered), "--no-input", stdout=io.StringIO())

    assert site_state(media_root) == before


def test_restore_refuses_a_media_file_the_manifest_does_not_list(media_root, archive, tmp_path):
    backup_with_media(media_root, archive)
    manifest = json.loads(archive_contents(archive)["manifest.json"])
    del manifest["media"]["sha256"]["avatars/1.webp"]
    manifest["media"]["sha256"]["avatars/0.webp"] = manifest["media"]["sha256"].get(
        "avatars/0.webp", "0" * 64
    )
    changed = tmp_path / "changed.tar.gz"
    rewrite_archive(archive, changed, **{"manifest.json": json.dumps(manifest).encode()})
    before = site_state(media_root)

    with pytest.raises(CommandError, match=r"media/avatars/1\.webp.*not listed"):
        call_command("restore", str(changed), "--no-input", stdout=io.StringIO())

    assert site_state(media_root) == before


def test_restore_cut_short_or_with_a_tampered_dump_leaves_media_and_database(
    media_root, archive, tmp_path
):
    backup_with_media(media_root, archive)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size - 200])
    dump = "db.sqlite3" if connection.vendor == "sqlite" else "db.pgdump"
    tampered = tmp_path / "tampered.tar.gz"
    rewrite_archive(archive, tampered, **{dump: b"tampered"})
    before = site_state(media_root)

    for broken in (cut, tampered):
        with pytest.raises(CommandError, match=str(broken)):
            call_command("restore", str(broken), "--no-input", stdout=io.StringIO())
        assert site_state(media_root) == before


def test_restore_cli_refuses_the_wrong_backup_with_a_clear_error(media_root, archive, tmp_path):
    backup_with_media(media_root, archive)
    wrong = tmp_path / "wrong.tar.gz"
    empty_database_archive(archive, wrong)
    before = site_state(media_root)

    result = subprocess.run(
        [sys.executable, "-m", "hemonc", "restore", str(wrong), "--no-input"],
        cwd=REPOSITORY,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PYTHONWARNINGS": "ignore",
            "DATABASE_URL": _database_url(),
            "HEMONC_VAR_DIR": str(media_root.parent),
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "holds an empty database" in result.stderr
    assert "Traceback" not in result.stderr
    assert site_state(media_root) == before


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_a_postgresql_restore_that_fails_midway_puts_the_live_schema_back(
    media_root, archive, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the schema swap is PostgreSQL's")
    backup_with_media(media_root, archive)
    contents = archive_contents(archive)
    manifest = json.loads(contents["manifest.json"])
    # Rows without their tables: the checks pass, pg_restore fails in the new schema.
    dump = tmp_path / "db.pgdump"
    backup._run_postgres(connection, "pg_dump", "--format=custom", "--data-only", f"--file={dump}")
    manifest["database"]["sha256"] = hashlib.sha256(dump.read_bytes()).hexdigest()
    broken = tmp_path / "broken.tar.gz"
    rewrite_archive(
        archive,
        broken,
        **{"manifest.json": json.dumps(manifest).encode(), "db.pgdump": dump.read_bytes()},
    )
    before = site_state(media_root)

    with pytest.raises(CommandError, match="pg_restore failed"):
        call_command("restore", str(broken), "--no-input", stdout=io.StringIO())

    assert site_state(media_root) == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'hemonc_replaced_%'")
        assert cursor.fetchall() == []


def test_restore_refuses_a_backup_whose_manifest_was_tampered_with(media_root, archive, tmp_path):
    ana = make_member(display_name="Ana Lopez")
    profile_set_avatar(profile=ana.profile, actor=ana, upload=png_upload())
    call_command("backup", str(archive), stdout=io.StringIO())
    original = json.loads(archive_contents(archive)["manifest.json"])
    (photo,) = original["media"]["sha256"]
    make_member(display_name="Ben Okafor")

    def changed(change) -> dict:  # type: ignore[no-untyped-def,type-arg]
        manifest = json.loads(json.dumps(original))
        change(manifest)
        return manifest

    cases = [
        (changed(lambda m: m.pop("format_version")), "has an incomplete manifest.json"),
        (changed(lambda m: m.update(format_version=99)), "newer hemonc \\(backup format 99\\)"),
        (changed(lambda m: m.update(format="zip")), "its manifest.json is not ours"),
        (changed(lambda m: m["database"].update(file="x.sql")), "dump x.sql is missing"),
        (changed(lambda m: m["database"].update(sha256="0" * 64)), "does not match the checksum"),
        (changed(lambda m: m["media"].update(files=2)), "holds 1 media files, its .* says 2"),
        (changed(lambda m: m["media"].update(sha256=[])), "no media checksums"),
        (changed(lambda m: m["media"].update(sha256={})), f"media/{photo} is not listed"),
        (
            changed(lambda m: m["media"]["sha256"].update({photo: "0" * 64})),
            f"media/{photo} does not match its checksum",
        ),
        (
            changed(lambda m: m["media"]["sha256"].update({"avatars/gone.webp": "0" * 64})),
            "media/avatars/gone.webp is missing",
        ),
        (
            changed(lambda m: m.update(migrations=[])),
            "incomplete manifest.json \\(no migrations\\)",
        ),
        (
            changed(lambda m: m["migrations"].update(members="9999_future")),
            "migrations this code does not know \\(members.9999_future\\)",
        ),
    ]
    for number, (manifest, message) in enumerate(cases):
        tampered = tmp_path / f"tampered-{number}.tar.gz"
        rewrite_archive(archive, tampered, **{"manifest.json": json.dumps(manifest).encode()})
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(tampered), "--no-input", stdout=io.StringIO())

    damaged = tmp_path / "damaged.tar.gz"
    rewrite_archive(archive, damaged, **{"manifest.json": b"{not json"})
    with pytest.raises(CommandError, match=r"has a damaged manifest\.json"):
        call_command("restore", str(damaged), "--no-input", stdout=io.StringIO())
    assert display_names() == {"Ana Lopez", "Ben Okafor"}


def _hand_made_archive(path: Path, *entries: tarfile.TarInfo) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info in entries:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return path


def test_restore_refuses_an_archive_without_manifest_or_with_an_unsafe_link(media_root, tmp_path):
    make_member(display_name="Ana Lopez")
    photo = tarfile.TarInfo("media/avatars/a.webp")
    photo.size = 4
    no_manifest = _hand_made_archive(tmp_path / "no-manifest.tar.gz", photo)
    link = tarfile.TarInfo("media/avatars/passwords")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    unsafe = _hand_made_archive(tmp_path / "unsafe.tar.gz", link)

    with pytest.raises(CommandError, match=r"is not a hemonc backup: it has no manifest\.json"):
        call_command("restore", str(no_manifest), "--no-input", stdout=io.StringIO())
    with pytest.raises(CommandError, match="holds an unsafe entry, so it was not restored"):
        call_command("restore", str(unsafe), "--no-input", stdout=io.StringIO())
    assert display_names() == {"Ana Lopez"}
    assert not media_root.exists() or list(media_root.iterdir()) == []
