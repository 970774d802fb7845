"""Links, hashtags and mentions in a post's text with their UTF-8 byte offsets, as Bluesky's
rich text facets need them (app.bsky.richtext.facet: `byteStart` inclusive, `byteEnd`
exclusive, counted in the UTF-8 encoding of the text).

The rules follow Bluesky's own detection: a link starts with http:// or https:// and loses
trailing punctuation (and an unbalanced closing parenthesis); a hashtag is "#" after a space or
the start, not only digits, at most 64 characters, without trailing punctuation; a mention is
"@" and a handle with a dot (a domain name), not followed by another "@" (that is a Mastodon
address).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Kind = Literal["link", "tag", "mention"]

_LINK = re.compile(r"(?:^|(?<=[\s(]))(https?://[^\s]+)", re.IGNORECASE)
_TAG = re.compile(
    r"(?:^|(?<=\s))[#\uff03]([^\s#\uff03\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]+)"
)
_MENTION = re.compile(
    r"(?:^|(?<=[\s(]))@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]"
    r"(?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?![@\w.-]*[@\w])"
)
_TRAILING = ".,;:!?\"'"
MAX_TAG = 64


@dataclass(frozen=True)
class Facet:
    kind: Kind
    byte_start: int
    byte_end: int
    value: str  # the URL, the tag without "#", the handle without "@"


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def _trim_link(url: str) -> str:
    while url and url[-1] in _TRAILING:
        url = url[:-1]
    if url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


def find_facets(text: str) -> list[Facet]:
    """The text's links, hashtags and mentions, in the order they appear."""
    found: list[tuple[int, int, Kind, str]] = []

    for match in _LINK.finditer(text):
        url = _trim_link(match.group(1))
        if "." in url.split("://", 1)[1]:
            found.append((match.start(1), match.start(1) + len(url), "link", url))
    taken = [(start, end) for start, end, _, _ in found]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in _TAG.finditer(text):
        tag = match.group(1)
        while tag and _is_punctuation(tag[-1]):
            tag = tag[:-1]
        start = match.start()
        end = match.start(1) + len(tag)
        if tag and not tag.isdigit() and len(tag) <= MAX_TAG and free(start, end):
            found.append((start, end, "tag", tag))
    for match in _MENTION.finditer(text):
        start, end = match.start(), match.end(1)
        if free(start, end):
            found.append((start, end, "mention", match.group(1).lower()))

    found.sort()
    facets = []
    for start, end, kind, value in found:
        byte_start = len(text[:start].encode())
        byte_end = byte_start + len(text[start:end].encode())
        facets.append(Facet(kind, byte_start, byte_end, value))
    return facets
