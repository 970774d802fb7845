"""core.archives: members read as streams within the size and compression-ratio limits."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from hemonc.core.archives import ArchiveError, is_zip, open_tar_member, open_zip
from tests.bombs import tar_gz_bomb, zip_bomb


def _tar_gz(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _is_outbox(name: str) -> bool:
    return name.endswith("outbox.json")


def test_tar_media_before_the_member_are_streamed_past_not_held_to_the_size(
    tmp_path: Path, settings
) -> None:
    settings.IMPORT_ARCHIVE_MAX_BYTES = 1024 * 1024
    path = _tar_gz(
        tmp_path / "archive.tar.gz",
        [("media_attachments/a.jpg", os.urandom(3 * 1024 * 1024)), ("outbox.json", b"{}")],
    )

    with open_tar_member(path, _is_outbox, name="archive.tar.gz") as found:
        assert found is not None
        assert (found[0], found[1].read()) == ("outbox.json", b"{}")


def test_tar_member_over_the_size_is_refused_naming_it(tmp_path: Path, settings) -> None:
    settings.IMPORT_ARCHIVE_MAX_BYTES = 1024 * 1024
    path = _tar_gz(tmp_path / "archive.tar.gz", [("outbox.json", os.urandom(2 * 1024 * 1024))])

    with (
        pytest.raises(ArchiveError, match=r"archive\.tar\.gz, member outbox\.json: .*1 MB"),
        open_tar_member(path, _is_outbox, name="archive.tar.gz"),
    ):
        pass


def test_tar_bomb_before_the_member_is_refused_naming_the_bomb(tmp_path: Path) -> None:
    path = tar_gz_bomb(tmp_path / "archive.tar.gz", "media_attachments/zeros.bin")

    with (
        pytest.raises(ArchiveError, match=r"member media_attachments/zeros\.bin: .*compressed"),
        open_tar_member(path, _is_outbox, name="archive.tar.gz"),
    ):
        pass


def test_zip_bomb_member_is_refused_while_it_is_read(tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "export.zip", "members.csv")

    with open_zip(path, name="export.zip") as archive:
        (member,) = archive.members()
        with pytest.raises(ArchiveError, match=r"export\.zip, member members\.csv: .*compressed"):
            archive.read(member)


def test_a_file_that_is_no_zip_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(b"PK\x03\x04 not really")

    with pytest.raises(ArchiveError, match=r"export\.zip: not a readable zip file"):  # noqa: SIM117
        with open_zip(path, name="export.zip"):
            pass


@pytest.mark.parametrize("mode", ["w", "w:bz2", "w:xz"])
def test_tar_member_is_found_plain_or_compressed(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "archive.tar"
    with tarfile.open(path, mode) as archive:
        info = tarfile.TarInfo("outbox.json")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"{}"))

    with open_tar_member(path, _is_outbox, name="archive.tar") as found:
        assert found is not None
        assert (found[0], found[1].read()) == ("outbox.json", b"{}")


def test_tar_without_the_member_gives_none(tmp_path: Path) -> None:
    path = _tar_gz(tmp_path / "archive.tar.gz", [("actor.json", b"{}")])

    with open_tar_member(path, _is_outbox, name="archive.tar.gz") as found:
        assert found is None


def test_tar_that_is_missing_is_an_error_naming_it(tmp_path: Path) -> None:
    with (
        pytest.raises(ArchiveError, match=r"^archive\.tar\.gz: No such file or directory$"),
        open_tar_member(tmp_path / "nowhere.tar.gz", _is_outbox, name="archive.tar.gz"),
    ):
        pass


def test_a_file_that_is_no_tar_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "archive.tar.gz"
    path.write_bytes(b"this is a letter, not an archive" * 40)

    with (
        pytest.raises(ArchiveError, match=r"archive\.tar\.gz: not a readable tar archive"),
        open_tar_member(path, _is_outbox, name="archive.tar.gz"),
    ):
        pass


def test_a_tar_cut_short_is_an_error_naming_it(tmp_path: Path) -> None:
    path = _tar_gz(
        tmp_path / "archive.tar.gz",
        [("media_attachments/a.jpg", os.urandom(200_000)), ("outbox.json", b"{}")],
    )
    path.write_bytes(path.read_bytes()[:100_000])

    with (
        pytest.raises(
            ArchiveError,
            match=r"archive\.tar\.gz, member media_attachments/a\.jpg: the archive is damaged",
        ),
        open_tar_member(path, _is_outbox, name="archive.tar.gz"),
    ):
        pass


def test_is_zip_tells_zips_from_other_files(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("members.csv", "email\r\n")

    assert is_zip(path)
    assert is_zip(path.read_bytes())
    assert not is_zip(b"email\r\n")
    assert not is_zip(tmp_path / "missing.zip")


def test_zip_member_with_a_damaged_header_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("members.csv", "email\r\nana@example.org\r\n")
    data = bytearray(path.read_bytes())
    data[0:4] = b"XXXX"  # the member's own header, before the directory at the end
    path.write_bytes(bytes(data))

    with open_zip(path, name="export.zip") as archive:
        (member,) = archive.members()
        with pytest.raises(
            ArchiveError, match=r"export\.zip, member members\.csv: the archive is damaged"
        ):
            archive.read(member)
