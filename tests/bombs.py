"""Compression bombs made on the fly: a few hundred kilobytes on disk, hundreds of megabytes
once expanded. Nothing big is ever held in memory while they are written."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

EXPANDED = 128 * 1024 * 1024  # what each bomb's member expands to
_ZEROS = bytes(1024 * 1024)


class _Padding(io.RawIOBase):
    """`size` bytes: `head`, then zeros."""

    def __init__(self, size: int, head: bytes) -> None:
        self._left, self._head = size, head

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        size = min(len(buffer), self._left)
        data = (self._head + _ZEROS)[:size]
        self._head = self._head[size:]
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)


def zip_bomb(path: Path, member: str, *, head: bytes = b"", size: int = EXPANDED) -> Path:
    """A zip whose one member is `head` followed by zeros up to `size` bytes."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(member, "w", force_zip64=True) as out,
    ):
        stream = io.BufferedReader(_Padding(size, head))
        while chunk := stream.read(1024 * 1024):
            out.write(chunk)
    return path


def tar_gz_bomb(path: Path, member: str, *, head: bytes = b"", size: int = EXPANDED) -> Path:
    with tarfile.open(path, "w:gz", compresslevel=9) as archive:
        info = tarfile.TarInfo(member)
        info.size = size
        archive.addfile(info, io.BufferedReader(_Padding(size, head)))
    return path
