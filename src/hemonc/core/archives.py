"""Members of zip and tar archives read as streams with limits, for every importer.

A small archive can expand into gigabytes (a "zip bomb"). Every importer that opens a zip, a
tar or a compressed tar reads its members through this module, which counts the bytes as
they are expanded and stops at once, with an `ArchiveError` naming the file and the member,
when a member or the archive grows past `IMPORT_ARCHIVE_MAX_MB` or expands more than
`IMPORT_ARCHIVE_MAX_RATIO` times its compressed size (settings from the environment). Real exports compress 5 to 20 times;
the ratio is only judged once a megabyte has been expanded, so tiny files are never refused.
A damaged or truncated archive is an `ArchiveError` too, never a traceback.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from django.conf import settings

from hemonc.core.errors import DomainError

RATIO_GRACE = 1024 * 1024  # bytes expanded before the compression ratio is judged
CHUNK = 64 * 1024

# What a damaged archive raises while it is read.
DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    tarfile.TarError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    NotImplementedError,  # a zip compression method Python cannot read
    RuntimeError,  # an encrypted zip member
    OSError,
    ValueError,
)


class ArchiveError(DomainError):
    """An archive that cannot be read safely; the message names the file and the member."""

    def __init__(self, *, file: str, member: str = "", problem: str) -> None:
        self.file, self.member, self.problem = file, member, problem
        where = f"{file}, member {member}" if member else file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_ratio: int

    @classmethod
    def current(cls) -> Limits:
        return cls(
            max_bytes=settings.IMPORT_ARCHIVE_MAX_BYTES, max_ratio=settings.IMPORT_ARCHIVE_MAX_RATIO
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


class _Meter:
    """The bytes expanded from one archive so far, held against the limits."""

    def __init__(self, *, file: str, limits: Limits) -> None:
        self.file, self.limits, self.total = file, limits, 0

    def refuse(self, member: str, problem: str) -> ArchiveError:
        return ArchiveError(file=self.file, member=member, problem=problem)

    def check_declared(self, member: str, size: int) -> None:
        if size > self.limits.max_bytes:
            raise self.refuse(
                member,
                f"it expands to {_megabytes(size)}, more than the "
                f"{_megabytes(self.limits.max_bytes)} an import reads; nothing was imported",
            )

    def add(
        self,
        member: str,
        expanded: int,
        compressed: int,
        *,
        member_total: int,
        counts_total: bool,
        limit_size: bool = True,
    ) -> None:
        if counts_total:
            self.total += expanded
        if limit_size and max(member_total, self.total) > self.limits.max_bytes:
            raise self.refuse(
                member,
                f"it expands to more than the {_megabytes(self.limits.max_bytes)} an import "
                "reads; nothing was imported",
            )
        if member_total > RATIO_GRACE and member_total > self.limits.max_ratio * max(compressed, 1):
            raise self.refuse(
                member,
                f"it expands more than {self.limits.max_ratio} times its compressed size "
                "(a compression bomb?); nothing was imported",
            )


class _Expanding(io.RawIOBase):
    """A read-only stream of expanded bytes that reports each read to the meter."""

    def __init__(
        self,
        raw: IO[bytes],
        *,
        meter: _Meter,
        member: str,
        compressed: Callable[[], int],
        counts_total: bool = True,
        limit_size: bool = True,
    ) -> None:
        self._raw, self._meter, self.member, self._compressed = raw, meter, member, compressed
        self._counts_total, self._limit_size = counts_total, limit_size
        self.expanded = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer)
        try:
            data = self._raw.read(min(len(view), CHUNK))
        except ArchiveError:
            raise
        except DAMAGED as error:
            raise self._meter.refuse(
                self.member, f"the archive is damaged or cut short ({error})"
            ) from None
        size = len(data)
        view[:size] = data
        self.expanded += size
        self._meter.add(
            self.member,
            size,
            self._compressed(),
            member_total=self.expanded,
            counts_total=self._counts_total,
            limit_size=self._limit_size,
        )
        return size


class _Counting(io.RawIOBase):
    """The compressed file, counting the bytes taken from it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer)
        data = self._raw.read(len(view))
        view[: len(data)] = data
        self.count += len(data)
        return len(data)


def _buffered(raw: io.RawIOBase) -> io.BufferedReader:
    return io.BufferedReader(raw, CHUNK)


# ---------------------------------------------------------------------------------------------
# Zip


def is_zip(content: bytes | Path) -> bool:
    source = io.BytesIO(content) if isinstance(content, bytes) else content
    try:
        return zipfile.is_zipfile(source)
    except OSError:
        return False


@contextmanager
def open_zip(source: bytes | Path, *, name: str) -> Iterator[ZipReader]:
    """The archive's members, each opened as a limited stream; `name` is used in errors."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except DAMAGED as error:
        raise ArchiveError(file=name, problem=f"not a readable zip file ({error})") from None
    with archive:
        yield ZipReader(archive, name=name)


class ZipReader:
    def __init__(self, archive: zipfile.ZipFile, *, name: str) -> None:
        self.archive, self.name = archive, name
        self.meter = _Meter(file=name, limits=Limits.current())

    def members(self) -> list[zipfile.ZipInfo]:
        """The files in the archive (not folders); a declared size over the limit is refused."""
        members = [info for info in self.archive.infolist() if not info.is_dir()]
        for info in members:
            self.meter.check_declared(info.filename, info.file_size)
        return members

    @contextmanager
    def open(self, info: zipfile.ZipInfo) -> Iterator[IO[bytes]]:
        self.meter.check_declared(info.filename, info.file_size)
        try:
            raw = self.archive.open(info)
        except DAMAGED as error:
            raise self.meter.refuse(
                info.filename, f"the archive is damaged or cut short ({error})"
            ) from None
        with raw:
            yield _buffered(
                _Expanding(
                    raw,
                    meter=self.meter,
                    member=info.filename,
                    compressed=lambda: info.compress_size,
                )
            )

    def read(self, info: zipfile.ZipInfo) -> bytes:
        with self.open(info) as stream:
            return stream.read()


# ---------------------------------------------------------------------------------------------
# Tar (plain, gzip, bzip2 or xz)


def _decompressor(counted: io.BufferedReader) -> IO[bytes]:
    head = counted.peek(6)[:6]
    if head.startswith(b"\x1f\x8b"):
        return cast(IO[bytes], gzip.GzipFile(fileobj=counted, mode="rb"))
    if head.startswith(b"BZh"):
        return bz2.BZ2File(counted, mode="rb")
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(counted, mode="rb")
    return counted


@contextmanager
def open_tar_member(
    path: Path, wanted: Callable[[str], bool], *, name: str
) -> Iterator[tuple[str, IO[bytes]] | None]:
    """The first regular file of the tar for which `wanted(member name)` holds, as a limited
    stream, with its name; None when there is none. The archive is read as a stream from its
    start: the members before it are skipped without being kept, held to the compression
    ratio (so a bomb anywhere stops the reading) but not to the size."""
    meter = _Meter(file=name, limits=Limits.current())
    try:
        file = path.open("rb")
    except OSError as error:
        raise ArchiveError(file=name, problem=error.strerror or str(error)) from None
    with file:
        counting = _Counting(file)
        counted = _buffered(counting)
        try:
            decompressed = _decompressor(counted)
            # The whole stream is held to the ratio only: the media before the member are
            # streamed past, never kept; the member itself is held to the size too.
            whole = _Expanding(
                decompressed,
                meter=meter,
                member="",
                compressed=lambda: counting.count,
                counts_total=False,
                limit_size=False,
            )
            tar = tarfile.open(fileobj=_buffered(whole), mode="r|")  # noqa: SIM115 - closed below
        except ArchiveError:
            raise
        except DAMAGED as error:
            raise ArchiveError(file=name, problem=f"not a readable tar archive ({error})") from None
        with tar:
            found: tuple[str, IO[bytes]] | None = None
            try:
                for member in tar:
                    whole.member = member.name  # named in an error while it is expanded
                    if member.isfile() and wanted(member.name):
                        meter.check_declared(member.name, member.size)
                        extracted = tar.extractfile(member)
                        if extracted is not None:
                            found = (
                                member.name,
                                _buffered(
                                    _Expanding(
                                        extracted,
                                        meter=meter,
                                        member=member.name,
                                        compressed=lambda: counting.count,
                                        counts_total=False,
                                    )
                                ),
                            )
                        break
            except ArchiveError:
                raise
            except DAMAGED as error:
                raise ArchiveError(
                    file=name, problem=f"the archive is damaged or cut short ({error})"
                ) from None
            yield found
