"""The X account archive's `data/tweets.js` (older archives: `tweet.js`):

    window.YTD.tweets.part0 = [ {"tweet": {"id_str": ..., "created_at": ..., ...}}, ... ]

Posts without impressions; `favorite_count` and `retweet_count` are kept as likes and reposts
but the post counts as one "without metrics". The archive names no account (`--account`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from hemonc.outreach.importers.rows import (
    OutreachFileError,
    PostRow,
    checked_post,
    clean_text,
    load_json,
    whole_number,
)

# The archive's name of each PostRow attribute, for messages.
LABELS = {"post_id": "id_str", "url": "id_str", "text": "full_text", "published_at": "created_at",
          "hashtags": "entities.hashtags"}  # fmt: skip
PREFIX = re.compile(r"^\s*window\.YTD\.\w+\.part\d+\s*=\s*")


def is_archive_head(head: str) -> bool:
    return bool(PREFIX.match(head))


def parse_x_archive(file: IO[str], *, name: str, handle: str | None) -> Iterator[PostRow]:
    text = file.read()
    match = PREFIX.match(text)
    if not match:
        raise OutreachFileError(
            name=name, line=1, field="prefix", problem="does not start 'window.YTD.tweets.part0 ='"
        )
    items = load_json(text[match.end() :], name=name)
    if not isinstance(items, list):
        raise OutreachFileError(name=name, line=1, field="JSON", problem="not a list of tweets")
    for index, item in enumerate(items, 1):

        def fail(field: str, problem: str, index: int = index) -> OutreachFileError:
            return OutreachFileError(name=name, line=index, field=field, problem=problem,
                                     unit="entry")  # fmt: skip

        tweet: Any = item.get("tweet", item) if isinstance(item, dict) else None
        if not isinstance(tweet, dict):
            raise fail("tweet", "not an object")
        if not handle:
            raise fail("account", "the archive names no account; give --account")
        post_id = str(tweet.get("id_str") or tweet.get("id") or "")
        if not post_id.isdigit():
            raise fail("id_str", f"{post_id[:60]!r} is not a post id")
        try:
            published_at = datetime.strptime(
                str(tweet.get("created_at", "")), "%a %b %d %H:%M:%S %z %Y"
            ).astimezone(UTC)
        except (ValueError, OverflowError):
            raise fail("created_at", f"{tweet.get('created_at')!r} is not a time like "
                       "'Sat Dec 06 18:20:30 +0000 2025'") from None  # fmt: skip
        tags = (tweet.get("entities") or {}).get("hashtags") or []
        hashtags: dict[str, str] = {}
        for tag in tags:
            spelling = str(tag.get("text", "")) if isinstance(tag, dict) else ""
            if spelling:
                hashtags.setdefault(spelling.lower(), spelling)
        yield checked_post(PostRow(
            line=index,
            post_id=post_id,
            handle=handle,
            url=f"https://x.com/{handle}/status/{post_id}",
            published_at=published_at,
            text=clean_text(str(tweet.get("full_text") or tweet.get("text") or "")),
            hashtags=tuple(hashtags.values()),
            likes=whole_number(str(tweet.get("favorite_count", "0")), name=name, line=index,
                               field="favorite_count", unit="entry"),
            reposts=whole_number(str(tweet.get("retweet_count", "0")), name=name, line=index,
                                 field="retweet_count", unit="entry"),
        ), name=name, labels=LABELS, unit="entry")  # fmt: skip
