"""A Mastodon account archive (`archive-<stamp>-<hex>.tar.gz` or `.zip`, or its `outbox.json`): the
ActivityStreams outbox's `Create` activities of Notes, with likes and boosts per post and no
impressions. `Announce` activities (boosts of others' posts) are skipped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import nh3

from hemonc.core.archives import Limits, open_tar_member, open_zip
from hemonc.outreach.importers.rows import (
    OutreachFileError,
    PostRow,
    checked_post,
    clean_text,
    count,
    load_json,
)

# The outbox's name of each PostRow attribute, for messages.
LABELS = {"post_id": "object.id", "url": "object.url", "text": "object.content",
          "published_at": "object.published", "hashtags": "object.tag"}  # fmt: skip


def read_outbox(path: Path, *, name: str | None = None) -> tuple[str, Any]:
    """The outbox as JSON, from a .tar.gz or .zip archive, a folder or the file itself;
    `name` is what messages call it (an upload's own name; else the path)."""
    name = name or str(path)
    if path.is_dir():
        path = path / "outbox.json"
        name = str(path)
    kind = PurePosixPath(name).name.lower()
    if kind.endswith((".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")):
        with open_tar_member(
            path, lambda member: PurePosixPath(member).name == "outbox.json", name=name
        ) as found:
            if found is None:
                raise OutreachFileError(
                    name=name, line=0, field="outbox.json", problem="not in the archive"
                )
            member, stream = found
            name = f"{name}!{member}"
            raw = stream.read()
    elif kind.endswith(".zip"):  # the archive as newer Mastodon versions write it
        with open_zip(path, name=name) as archive:
            info = next(
                (i for i in archive.members() if PurePosixPath(i.filename).name == "outbox.json"),
                None,
            )
            if info is None:
                raise OutreachFileError(
                    name=name, line=0, field="outbox.json", problem="not in the archive"
                )
            name = f"{name}!{info.filename}"
            raw = archive.read(info)
    else:
        try:
            size = path.stat().st_size
            if size > Limits.current().max_bytes:
                raise OutreachFileError(
                    name=name, line=0, field="file",
                    problem=f"{size:,} bytes is more than an import reads",
                )  # fmt: skip
            raw = path.read_bytes()
        except OSError as error:
            raise OutreachFileError(
                name=name, line=0, field="file", problem=error.strerror or str(error)
            ) from None
    return name, load_json(raw, name=name)


def parse_mastodon_outbox(outbox: Any, *, name: str, handle: str) -> Iterator[PostRow]:
    items = outbox.get("orderedItems") if isinstance(outbox, dict) else None
    if not isinstance(items, list):
        raise OutreachFileError(name=name, line=1, field="orderedItems", problem="missing")
    for index, activity in enumerate(items, 1):

        def fail(field: str, problem: str, index: int = index) -> OutreachFileError:
            return OutreachFileError(name=name, line=index, field=field, problem=problem,
                                     unit="item")  # fmt: skip

        if not isinstance(activity, dict) or activity.get("type") != "Create":
            continue
        note = activity.get("object")
        if not isinstance(note, dict) or note.get("type") != "Note":
            continue
        post_id = str(note.get("id") or "")
        if not post_id.startswith(("https://", "http://")):
            raise fail("object.id", f"{post_id[:60]!r} is not a post URL")
        try:
            published_at = datetime.fromisoformat(str(note.get("published", ""))).astimezone(UTC)
        except (ValueError, OverflowError):
            raise fail(
                "object.published", f"{str(note.get('published'))[:60]!r} is not an ISO time"
            ) from None
        hashtags: dict[str, str] = {}
        for tag in note.get("tag") or []:
            if isinstance(tag, dict) and tag.get("type") == "Hashtag":
                spelling = str(tag.get("name", "")).lstrip("#")
                if spelling:
                    hashtags.setdefault(spelling.lower(), spelling)
        counts = []
        for key in ("likes", "shares", "replies"):
            value = (
                (note.get(key) or {}).get("totalItems", 0) if isinstance(note.get(key), dict) else 0
            )
            if not isinstance(value, int) or value < 0:
                raise fail(f"object.{key}.totalItems", f"{str(value)[:60]!r} is not a count")
            counts.append(
                count(value, name=name, line=index, field=f"object.{key}.totalItems", unit="item")
            )
        text = clean_text(nh3.clean(str(note.get("content") or ""), tags=set()))
        yield checked_post(PostRow(
            line=index,
            post_id=post_id,
            handle=handle,
            url=str(note.get("url") or post_id),
            published_at=published_at,
            text=text,
            hashtags=tuple(hashtags.values()),
            likes=counts[0],
            reposts=counts[1],
            replies=counts[2]
            if isinstance(note.get("replies"), dict) and "totalItems" in note["replies"]
            else None,
        ), name=name, labels=LABELS, unit="item")  # fmt: skip
