"""Writers of X's real export layouts, for the demo network and the benchmark (synthetic data
only). What they write is what the importers read from real exports."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO

LEGACY_COLUMNS = [
    "Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements",
    "engagement rate", "retweets", "replies", "likes", "user profile clicks", "url clicks",
    "hashtag clicks", "detail expands", "permalink clicks", "app opens", "app installs",
    "follows", "email tweet", "dial phone", "media views", "media engagements",
]  # fmt: skip
PROMOTED = [f"promoted {c}" for c in LEGACY_COLUMNS[4:]]
CONTENT_COLUMNS = [
    "Post id", "Date", "Post text", "Post Link", "Impressions", "Likes", "Engagements",
    "Bookmarks", "Shares", "New follows", "Replies", "Reposts", "Profile visits",
    "Detail Expands", "URL Clicks", "Hashtag Clicks", "Permalink Clicks",
]  # fmt: skip
OVERVIEW_COLUMNS = [
    "Date", "Impressions", "Likes", "Engagements", "Bookmarks", "Shares", "New follows",
    "Unfollows", "Replies", "Reposts", "Profile visits", "Create Post", "Video views",
    "Media views",
]  # fmt: skip


@dataclass(frozen=True)
class SyntheticPost:
    post_id: str
    published_at: datetime  # UTC
    text: str
    impressions: int
    engagements: int
    likes: int
    reposts: int
    replies: int
    hashtags: tuple[str, ...] = ()


def _quoted(cells: Iterable[object]) -> str:
    return ",".join('"' + str(cell).replace('"', '""') + '"' for cell in cells)


def legacy_row(handle: str, post: SyntheticPost) -> str:
    """One all-quoted row: float counts, the rate as a fraction, '-' in promoted columns."""
    rate = post.engagements / post.impressions if post.impressions else 0.0
    clicks = max(post.engagements - post.likes - post.reposts - post.replies, 0)
    floats = [post.impressions, post.engagements]
    rest = [post.reposts, post.replies, post.likes, clicks // 3, clicks // 3, 0,
            clicks - 2 * (clicks // 3), 0]  # fmt: skip
    return _quoted(
        [
            post.post_id,
            f"https://twitter.com/{handle}/status/{post.post_id}",
            post.text.replace("&", "&amp;"),
            post.published_at.strftime("%Y-%m-%d %H:%M +0000"),
            *(f"{float(n)}" for n in floats),
            repr(rate),
            *(f"{float(n)}" for n in rest),
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            *(["-"] * len(PROMOTED)),
        ]
    )


def legacy_header() -> str:
    return _quoted([*LEGACY_COLUMNS, *PROMOTED])


def legacy_name(handle: str, start: date, end_exclusive: date) -> str:
    return f"tweet_activity_metrics_{handle}_{start:%Y%m%d}_{end_exclusive:%Y%m%d}_en.csv"


def write_legacy(file: IO[str], handle: str, posts: Iterable[SyntheticPost]) -> None:
    """CRLF line ends, as the export has them (the caller opens `file` with newline="")."""
    file.write(legacy_header() + "\r\n")
    for post in posts:
        file.write(legacy_row(handle, post) + "\r\n")


def _csv_cell(value: object) -> str:
    text = str(value)
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def x_date(day: date) -> str:
    """'Tue, Jul 14, 2026' (always quoted in the export: it holds commas)."""
    return f"{day:%a}, {day:%b} {day.day}, {day.year}"


def write_content(path: Path, handle: str, posts: Iterable[SyntheticPost]) -> None:
    lines = [",".join(CONTENT_COLUMNS)]
    for post in posts:
        clicks = max(post.engagements - post.likes - post.reposts - post.replies, 0)
        lines.append(
            ",".join(
                _csv_cell(v)
                for v in [
                    post.post_id, x_date(post.published_at.date()), " ".join(post.text.split()),
                    f"https://x.com/{handle}/status/{post.post_id}", post.impressions,
                    post.likes, post.engagements, 0, 0, 0, post.replies, post.reposts,
                    clicks // 2, clicks - clicks // 2, 0, 0, 0,
                ]
            )
        )  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_overview(path: Path, days: Iterable[tuple[date, int, int, int, int]]) -> None:
    """(day, impressions, engagements, new follows, unfollows), written newest day first."""
    lines = [",".join(OVERVIEW_COLUMNS)]
    for day, impressions, engagements, follows, unfollows in sorted(days, reverse=True):
        likes = engagements // 3
        lines.append(
            ",".join(
                _csv_cell(v)
                for v in [x_date(day), impressions, likes, engagements, 0, 0, follows,
                          unfollows, 0, 0, engagements // 5, 1, 0, impressions // 20]
            )
        )  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_archive(path: Path, posts: Iterable[SyntheticPost]) -> None:
    items = [
        {
            "tweet": {
                "id_str": post.post_id,
                "id": post.post_id,
                "created_at": post.published_at.strftime("%a %b %d %H:%M:%S +0000 %Y"),
                "full_text": post.text.replace("&", "&amp;"),
                "favorite_count": str(post.likes),
                "retweet_count": str(post.reposts),
                "entities": {"hashtags": [{"text": tag} for tag in post.hashtags]},
            }
        }
        for post in posts
    ]
    path.write_text(
        "window.YTD.tweets.part0 = " + json.dumps(items, indent=2) + "\n", encoding="utf-8"
    )


def write_followers(path: Path, snapshots: Iterable[tuple[date, int]]) -> None:
    rows = ["date,followers", *(f"{day.isoformat()},{n}" for day, n in snapshots)]
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
