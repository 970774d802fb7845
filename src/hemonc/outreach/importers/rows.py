"""The rows every outreach parser yields, and the error they raise."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hemonc.core import values
from hemonc.core.errors import DomainError

HASHTAG = re.compile(r"(?<![\w&#])#(\w{1,99})")


class OutreachFileError(DomainError):
    """A file is not a known format, or one of its rows is wrong: names file, line and field."""

    def __init__(self, *, name: str, line: int, field: str, problem: str, unit: str = "line"):
        self.name, self.line, self.field, self.problem = name, line, field, problem
        super().__init__(f"{name}: {unit} {line}, field {field!r}: {problem}")


@dataclass(slots=True)
class PostRow:
    """One post as a file tells it. Metrics are None when the format has none."""

    line: int
    post_id: str
    handle: str
    url: str
    published_at: datetime
    text: str
    hashtags: tuple[str, ...]
    impressions: int | None = None
    engagements: int | None = None
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    url_clicks: int | None = None
    profile_visits: int | None = None
    detail_expands: int | None = None
    follows: int | None = None


@dataclass(slots=True)
class DailyRow:
    line: int
    date: date
    impressions: int
    engagements: int
    likes: int = 0
    new_follows: int = 0
    unfollows: int = 0
    profile_visits: int = 0
    posts_created: int = 0


@dataclass(slots=True)
class SnapshotRow:
    line: int
    date: date
    followers: int


def hashtags_in(text: str) -> tuple[str, ...]:
    """The hashtags of a post's text, as written, each once."""
    if "#" not in text:
        return ()
    seen: dict[str, str] = {}
    for spelling in HASHTAG.findall(text):
        if not spelling.isdigit():
            seen.setdefault(spelling.lower(), spelling)
    return tuple(seen.values())


def clean_text(text: str) -> str:
    """Exports write HTML entities (`&amp;`); the text is kept as people read it."""
    return html.unescape(text) if "&" in text else text


def whole_number(
    value: str, *, name: str, line: int, field: str, high: int = values.BIGINT_MAX,
    unit: str = "line",
) -> int:  # fmt: skip
    """'1627', '1627.0' -> 1627; anything else (negative, fractional, text, past `high`, the
    largest the column holds) is an error."""
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    try:
        number = int(text)
    except ValueError:
        try:
            as_float = float(text)
        except ValueError:
            as_float = -1.0
        if not as_float.is_integer() or as_float < 0:
            raise OutreachFileError(
                name=name, line=line, field=field,
                problem=f"{value[:60]!r} is not a whole number", unit=unit,
            ) from None  # fmt: skip
        number = int(as_float)
    if number < 0:
        raise OutreachFileError(
            name=name, line=line, field=field, problem=f"{value!r} is negative", unit=unit
        )
    return count(number, name=name, line=line, field=field, high=high, unit=unit)


def count(
    number: int, *, name: str, line: int, field: str, high: int = values.BIGINT_MAX,
    unit: str = "line",
) -> int:  # fmt: skip
    try:
        return values.whole_number(number, high=high)
    except values.BadValue as error:
        raise OutreachFileError(
            name=name, line=line, field=field, problem=str(error), unit=unit
        ) from None


# Post columns and the widest value each holds.
POST_TEXT_LIMITS = {"post_id": 255, "url": 300, "handle": 120, "text": None}


def checked_post(
    row: PostRow, *, name: str, labels: dict[str, str] | None = None, unit: str = "line"
) -> PostRow:
    """The row, once its text fits the columns without control characters and its time is
    one every zone can show; `labels` names the file's field of each attribute."""
    labels = labels or {}

    def fail(attribute: str, problem: str) -> OutreachFileError:
        return OutreachFileError(
            name=name, line=row.line, field=labels.get(attribute, attribute), problem=problem,
            unit=unit,
        )  # fmt: skip

    for attribute, max_length in POST_TEXT_LIMITS.items():
        try:
            values.text(getattr(row, attribute), max_length=max_length)
        except values.BadValue as error:
            raise fail(attribute, str(error)) from None
    for tag in row.hashtags:
        try:
            values.text(tag, max_length=100)
        except values.BadValue as error:
            raise fail("hashtags", str(error)) from None
    try:
        row.published_at = values.moment(row.published_at)
    except values.BadValue as error:
        raise fail("published_at", str(error)) from None
    return row


def load_json(data: bytes | str, *, name: str, first_line: int = 1) -> Any:
    """Parsed JSON; bad encoding, syntax, nesting or numbers are an error naming the line."""
    if isinstance(data, bytes):
        raw = data
        try:
            data = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + first_line
            raise OutreachFileError(
                name=name, line=line, field="encoding", problem="the file is not UTF-8 text"
            ) from None
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        raise OutreachFileError(
            name=name, line=error.lineno + first_line - 1, field="JSON", problem=error.msg
        ) from None
    except RecursionError:
        raise OutreachFileError(
            name=name, line=first_line, field="JSON", problem="the JSON is nested too deeply"
        ) from None
    except ValueError as error:  # a number with thousands of digits
        raise OutreachFileError(
            name=name, line=first_line, field="JSON", problem=str(error)
        ) from None
