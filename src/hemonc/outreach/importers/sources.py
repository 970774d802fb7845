"""Files, folders and zips given on the command line, as a list of readable sources.

Read in the order given; inside a folder or a zip, by file name. Hidden files and macOS
resource forks (`__MACOSX/`, `._*`) are skipped.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from hemonc.core.archives import open_zip
from hemonc.outreach.importers.rows import OutreachFileError


@dataclass(frozen=True)
class Source:
    """One file to read: `name` for messages (path, or zip path!member), `basename` for the
    period in its name."""

    name: str
    basename: str
    open_binary: Callable[[], AbstractContextManager[IO[bytes]]]

    @contextmanager
    def open_text(self) -> Iterator[IO[str]]:
        with self.open_binary() as raw:
            yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")

    def head(self, size: int = 4096) -> str:
        """The start of the file as text (BOM removed), for recognizing its format."""
        with self.open_binary() as raw:
            data = raw.read(size)
        return data.decode("utf-8-sig", errors="replace")


def _skipped(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return any(part.startswith(".") or part == "__MACOSX" for part in parts) or (
        PurePosixPath(name).name.startswith("._")
    )


def _zip_sources(path: Path, name: str) -> list[Source]:
    with open_zip(path, name=name) as archive:
        members = sorted(
            (info.filename for info in archive.members()),
            key=lambda member: (PurePosixPath(member).name, member),
        )

    def opener(member: str) -> Callable[[], AbstractContextManager[IO[bytes]]]:
        @contextmanager
        def open_member() -> Iterator[IO[bytes]]:
            with (
                open_zip(path, name=name) as archive,
                archive.open(archive.archive.getinfo(member)) as raw,
            ):
                yield raw

        return open_member

    return [
        Source(f"{name}!{member}", PurePosixPath(member).name, opener(member))
        for member in members
        if not _skipped(member)
    ]


def sources_from_paths(paths: list[Path]) -> list[Source]:
    """Expand files, folders and zips; a missing path is an error naming it."""
    found: list[Source] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                (p for p in path.rglob("*") if p.is_file()),
                key=lambda p: (p.name, str(p)),
            )
            for file in files:
                if _skipped(str(file.relative_to(path))):
                    continue
                found.extend(_file_sources(file))
        elif path.is_file():
            found.extend(_file_sources(path))
        else:
            raise OutreachFileError(
                name=str(path), line=0, field="path", problem="no such file or folder"
            )
    return found


def sources_from_upload(path: Path, *, name: str) -> list[Source]:
    """An uploaded file (or zip) stored at `path`, named in messages as it was uploaded."""
    return _file_sources(path, name=name)


def _file_sources(path: Path, *, name: str | None = None) -> list[Source]:
    """`name` is what messages call the file (its path when not given); the period in an
    export's file name is read from its last part."""
    name = name or str(path)
    if PurePosixPath(name).suffix.lower() == ".zip":
        return _zip_sources(path, name)

    def open_file() -> IO[bytes]:
        return path.open("rb")

    return [Source(name, PurePosixPath(name).name, open_file)]
