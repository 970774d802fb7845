"""Counting a post the way each platform counts it, splitting a long text into a thread, and
finding the links, hashtags and mentions Bluesky wants as facets.

- X: the weighted length of the official twitter-text library with its v3 configuration
  (config/v3.json): the text NFC-normalized; code points in 0-4351, 8192-8205, 8208-8223 and
  8242-8247 weigh 1, every other code point 2; every URL (with or without a scheme, on a known
  top-level domain) 23; an emoji, including a whole ZWJ sequence, a skin tone, a flag or a
  keycap, 2.
- Bluesky: 300 extended grapheme clusters (Unicode UAX #29), as the official app counts them.
- Mastodon: 500 extended grapheme clusters, as the server's StatusLengthValidator counts them:
  every URL with a scheme counts 23 and a mention ``@user@domain`` counts as ``@user``.

A thread post ends with " i/n", counted in its length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

import regex

from hemonc.core.errors import DomainError
from hemonc.outreach.desk.tlds import COUNTRY, GENERIC

LIMITS = {"x": 280, "bluesky": 300, "mastodon": 500}
PLATFORMS = tuple(LIMITS)
URL_LENGTH = 23  # twitter-text's transformedURLLength; Mastodon's URL placeholder


class ThreadError(DomainError):
    """The text cannot be split into posts: a word is longer than a post."""

    def __init__(self, message: str, *, word: str = "") -> None:
        super().__init__(message)
        self.word = word


@dataclass(frozen=True)
class Facet:
    """A Bluesky rich-text facet: UTF-8 byte offsets into the post's text (end exclusive).

    value: the link's URI (``https://`` added to a bare domain), the tag without its ``#``,
    or the mention's handle without its ``@`` (to be resolved to a DID when posting).
    """

    kind: Literal["link", "tag", "mention"]
    byte_start: int
    byte_end: int
    value: str


# ---- X: twitter-text v3 -------------------------------------------------------------------


# Character groups of twitter-text's regular expressions (js/src/regexp/*.js).
_PUNCT = r"!'#%&'()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_SPACES = r"\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_INVALID = r"\uFFFE\uFEFF\uFFFF"
_DIRECTIONAL = r"\u202A-\u202E\u061C\u200E\u200F\u2066\u2067\u2068\u2069"
_LATIN_ACCENTS = (
    r"\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263"
    r"\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF"
)
_CYRILLIC = r"\u0400-\u04FF"


def _alternation(words: frozenset[str]) -> str:
    """One expression matching any of ``words``, as a trie (a plain alternation of some 1,500
    top-level domains is tried word by word at every position, far too slowly)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return group + "?" if len(branches) == 1 and len(group) == 1 else f"(?:{group})?"
        return group

    return build(trie)


_MAX_URL_LENGTH = 4096
_TLD_END = r"(?=[^0-9a-zA-Z@+-]|$)"
_GTLD = rf"(?:(?:{_alternation(GENERIC)}){_TLD_END})"
_CCTLD = rf"(?:(?:{_alternation(COUNTRY)}){_TLD_END})"
_PUNYCODE = r"(?:xn--[\-0-9a-z]+)"
_DOMAIN_CHAR = rf"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
# Labels at most 64 characters and at most 30 subdomains (twitter-text has no bound; a label
# over 63 is refused after the match anyway): keeps hostile text from backtracking for ages.
_SUBDOMAIN = rf"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR}){{0,62}})?{_DOMAIN_CHAR}\.)"
_DOMAIN_NAME = rf"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR}){{0,62}})?{_DOMAIN_CHAR}\.)"
_DOMAIN = rf"(?:{_SUBDOMAIN}{{0,30}}{_DOMAIN_NAME}(?:{_GTLD}|{_CCTLD}|{_PUNYCODE}))"
_PATH_CHAR = rf"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN_ACCENTS}]"
_PARENS = rf"\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*))\)"
_PATH_END = rf"(?:[+\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|(?:{_PARENS}))"
_PATH = rf"(?:(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:@{_PATH_CHAR}+/))"
_QUERY_CHAR = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#/]"
_PRECEDING = rf"(?:[^A-Za-z0-9@\uFF20$#\uFF03{_INVALID}]|[{_DIRECTIONAL}]|^)"
_URL = re.compile(
    rf"(?P<before>{_PRECEDING})"
    rf"(?P<url>(?P<protocol>https?://)?(?P<domain>{_DOMAIN})(?::[0-9]+)?"
    rf"(?P<path>/{_PATH}*)?(?:\?{_QUERY_CHAR}*{_QUERY_END})?)",
    re.IGNORECASE,
)
_ASCII_DOMAIN = re.compile(
    rf"(?:(?:[\-a-z0-9{_LATIN_ACCENTS}]+)\.)+(?:{_GTLD}|{_CCTLD}|{_PUNYCODE})", re.IGNORECASE
)
_TCO = re.compile(rf"^https?://t\.co/([a-z0-9]+)(?:\?{_QUERY_CHAR}*{_QUERY_END})?", re.IGNORECASE)


def _domain_to_ascii(domain: str) -> str | None:
    """twitter-text's idna.toAscii: None when a label is empty or longer than 63 once encoded."""
    if domain[:4].lower() == "xn--" and not _ASCII_DOMAIN.search(domain):
        return None
    labels = domain.split(".")
    for label in labels:
        encoded = label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        if not 1 <= len(encoded) <= 63:
            return None
    return ".".join(
        label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        for label in labels
    )


# A URL never spans a space and always has a dot: the expression runs on such words only,
# and not on a word longer than any URL can be (hostile text).
_NON_SPACE_RUN = re.compile(rf"[^{_SPACES}]+")
_LONGEST_WORD = _MAX_URL_LENGTH + 100


def _url_matches(text: str) -> Iterator[re.Match[str]]:
    for word in _NON_SPACE_RUN.finditer(text):
        if "." not in word[0] or word.end() - word.start() > _LONGEST_WORD:
            continue
        # From the space before the word: the expression takes it as the preceding character.
        yield from _URL.finditer(text, max(0, word.start() - 1), word.end())


def url_spans(text: str, *, without_protocol: bool = True) -> list[tuple[int, int]]:
    """The (start, end) of each URL twitter-text's extractUrlsWithIndices finds."""
    if "." not in text if without_protocol else ":" not in text:
        return []
    spans: list[tuple[int, int]] = []
    for match in _url_matches(text):
        url, protocol, domain = match["url"], match["protocol"], match["domain"]
        start, end = match.start("url"), match.end("url")
        ascii_domain = _domain_to_ascii(domain)
        if not ascii_domain:
            continue
        length = len(url) + len(ascii_domain) - len(domain)
        if len(protocol or "https://") + length > _MAX_URL_LENGTH:
            continue
        if protocol:
            tco = _TCO.match(url)
            if tco:
                if len(tco[1]) > 40:
                    continue
                end = start + len(tco[0])
            spans.append((start, end))
            continue
        if not without_protocol or re.search(r"[-_./]$", match["before"]):
            continue
        found = [(start + m.start(), start + m.end()) for m in _ASCII_DOMAIN.finditer(domain)]
        if not found:
            continue
        if match["path"]:
            found[-1] = (found[-1][0], end)
        spans.extend(found)
    return spans


_MODIFIABLE = r"(?:[\u00A9\u00AE\u2122\u265F]\uFE0F|(?![\u00A9\u00AE\u2122\u265F])\p{Extended_Pictographic}(?!\uFE0E)\uFE0F?)"
_EMOJI_ELEMENT = rf"(?:{_MODIFIABLE}\p{{Emoji_Modifier}}?)"
_EMOJI = regex.compile(
    r"[#*0-9]\uFE0F?\u20E3"  # keycap
    r"|\p{Regional_Indicator}{2}"  # flag
    r"|\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F"  # subdivision flag (tag sequence)
    rf"|{_EMOJI_ELEMENT}(?:\u200D{_EMOJI_ELEMENT})*"  # emoji, skin tone, ZWJ sequence
    r"|\uFE0F",  # a stray presentation selector
    regex.VERSION1,
)


# The code points outside the weight-1 ranges (each counts 2).
_X_HEAVY = re.compile(r"[^\u0000-\u10FF\u2000-\u200D\u2010-\u201F\u2032-\u2037]")


def _x_plain(text: str) -> int:
    return len(text) + len(_X_HEAVY.findall(text))


def x_length(text: str) -> int:
    """The weighted length twitter-text's parseTweet gives with the v3 configuration."""
    text = unicodedata.normalize("NFC", text)
    urls = url_spans(text)
    parts, last = [], 0
    for start, end in urls:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    total = URL_LENGTH * len(urls)
    for part in parts:
        emoji = _EMOJI.findall(part)
        total += _x_plain(part) - _x_plain("".join(emoji)) + 2 * len(emoji)
    return total


# ---- Bluesky and Mastodon -----------------------------------------------------------------

_GRAPHEME = regex.compile(r"\X", regex.DOTALL)


def graphemes(text: str) -> int:
    """The number of extended grapheme clusters (what a reader sees as characters)."""
    if text.isascii():
        return len(text) - text.count("\r\n")
    return len(_GRAPHEME.findall(text))


# Mastodon's Account::MENTION_RE: @user or @user@domain, not after "=", "/" or a word character.
_MASTODON_MENTION = regex.compile(
    r"(?<![=/\w])@(?P<user>[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@\w+(?:[.-]+\w+)*)?",
    regex.IGNORECASE,
)


def mastodon_countable(text: str) -> str:
    """The text as Mastodon's StatusLengthValidator counts it: URLs 23 x's, mentions @user."""
    urls = url_spans(text, without_protocol=False)
    rewrites = [(start, end, "x" * URL_LENGTH) for start, end in urls]
    for match in _MASTODON_MENTION.finditer(text):
        if not any(s < match.end() and match.start() < e for s, e in urls):
            rewrites.append((match.start(), match.end(), "@" + match["user"]))
    out, last = [], 0
    for start, end, replacement in sorted(rewrites):
        out += [text[last:start], replacement]
        last = end
    out.append(text[last:])
    return "".join(out)


def length(platform: str, text: str) -> int:
    """The length of ``text`` as ``platform`` counts it (see the module's docstring)."""
    if platform == "x":
        return x_length(text)
    if platform == "bluesky":
        return graphemes(text)
    if platform == "mastodon":
        return graphemes(mastodon_countable(text))
    raise ValueError(f"Unknown platform {platform!r}: use one of {', '.join(PLATFORMS)}.")


# ---- Bluesky facets -----------------------------------------------------------------------

# The regular expressions of @atproto/api's RichText.detectFacets.
_BSKY_MENTION = regex.compile(r"(^|\s|\()(@)([a-zA-Z0-9.-]+)(\b)", regex.MULTILINE)
_BSKY_URL = regex.compile(
    r"(^|\s|\()((https?://[\S]+)|((?P<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+)[\S]*))",
    regex.IGNORECASE | regex.MULTILINE,
)
_NOT_IN_TAG = r"\s\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2"
_BSKY_TAG = regex.compile(
    rf"(^|\s)[#\uFF03]((?!\ufe0f)[^{_NOT_IN_TAG}]*[^\d\p{{P}}{_NOT_IN_TAG}]+[^{_NOT_IN_TAG}]*)?",
    regex.MULTILINE,
)
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")


def _valid_domain(domain: str) -> bool:
    tld = domain.rsplit(".", 1)[-1].lower() if "." in domain else ""
    return tld in GENERIC or tld in COUNTRY


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _facet_spans(text: str) -> Iterator[tuple[Literal["link", "tag", "mention"], int, int, str]]:
    """(kind, start, end, value) with character offsets, in the order detectFacets finds them."""
    for match in _BSKY_MENTION.finditer(text):
        handle = match[3]
        if not _valid_domain(handle) and not handle.endswith(".test"):
            continue
        start = match.start(3) - 1
        yield "mention", start, match.end(3), handle
    for match in _BSKY_URL.finditer(text):
        uri = match[2]
        if not uri.lower().startswith("http"):
            domain = match["domain"]
            if not domain or not _valid_domain(domain):
                continue
            uri = "https://" + uri
        start, end = match.start(2), match.end(2)
        if re.search(r"[.,;:!?]$", uri):
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        yield "link", start, end, uri
    for match in _BSKY_TAG.finditer(text):
        tag = match[2]
        if not tag:
            continue
        tag = _TRAILING_PUNCTUATION.sub("", tag.strip())
        if not tag or _utf16_length(tag) > 64:
            continue
        start = match.start() + len(match[1])
        yield "tag", start, start + 1 + len(tag), tag


def facets(text: str) -> list[Facet]:
    """Links, hashtags and mentions in ``text`` with UTF-8 byte offsets, sorted by position."""
    found = []
    for kind, start, end, value in _facet_spans(text):
        byte_start = len(text[:start].encode("utf-8"))
        byte_end = byte_start + len(text[start:end].encode("utf-8"))
        found.append(Facet(kind, byte_start, byte_end, value))
    return sorted(found, key=lambda facet: (facet.byte_start, facet.byte_end))


# ---- Threads ------------------------------------------------------------------------------

# Levels of the places a text may be split at, best first.
_END, _PARAGRAPH, _LINE, _SENTENCE, _WORD = 5, 4, 3, 2, 1
_BREAKING_SPACE = r"[^\S\u00A0\u2007\u202F]"  # whitespace other than the no-break spaces
_SPACE_RUN = regex.compile(rf"{_BREAKING_SPACE}+")
_SENTENCE_END = regex.compile(
    r"[.!?\u2026\u203C\u2047\u2048\u2049\u3002\uFF01\uFF1F][\"'\u201D\u2019\xBB)\]]*$"
)
_CJK_SENTENCE_END = regex.compile(r"[\u3002\uFF01\uFF1F][\p{Pe}\p{Pf}]{0,3}$")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")
# Between two characters where CJK text may be split: after a CJK full stop (not before a
# closing bracket or quote), before a CJK character that follows a letter, a digit or a CJK
# comma.
_CJK_CUT = regex.compile(
    r"(?<=[\u3002\uFF01\uFF1F][\p{Pe}\p{Pf}]{0,3})(?=[^\s\p{Pe}\p{Pf}])"
    r"|(?<=[^\W_]|[\uFF0C\u3001\uFF1B\uFF1A])(?=[\p{Han}\p{Hiragana}\p{Katakana}])"
)
_ENTITY_HINTS = regex.compile(r"[#\uFF03@\uFF20][^\s#\uFF03@\uFF20]+")


class _Piece(NamedTuple):
    separator: str  # the text between this piece and the one before
    level: int  # how good a place the separator is to split at
    text: str


def _protected(text: str) -> list[tuple[int, int]]:
    """Spans no split may fall inside: URLs, hashtags and mentions."""
    spans = url_spans(text) + [(s, e) for _, s, e, _ in _facet_spans(text)]
    spans += [(m.start(), m.end()) for m in _ENTITY_HINTS.finditer(text)]
    return spans


def _pieces(text: str) -> list[_Piece]:
    """The text cut at every place it may be split: whitespace, and between CJK characters."""
    cuts: list[tuple[int, int, int]] = []  # (start, end, level) of each separator
    for match in _SPACE_RUN.finditer(text):
        run = match[0]
        newlines = run.count("\n")
        if newlines >= 2:
            level = _PARAGRAPH
        elif newlines == 1:
            level = _LINE
        elif _SENTENCE_END.search(text[max(0, match.start() - 8) : match.start()]):
            level = _SENTENCE
        else:
            level = _WORD
        cuts.append((match.start(), match.end(), level))
    if _CJK.search(text):
        blocked = bytearray(len(text) + 1)
        for start, end in _protected(text):
            blocked[start + 1 : end] = b"\x01" * max(0, end - start - 1)
        for match in _CJK_CUT.finditer(text):
            index = match.start()
            if not blocked[index]:
                ended = _CJK_SENTENCE_END.search(text[max(0, index - 4) : index])
                level = _SENTENCE if ended else _WORD
                cuts.append((index, index, level))
    cuts.sort()
    pieces: list[_Piece] = []
    last, separator, level = 0, "", _END
    for start, end, cut_level in cuts:
        if start > last:
            pieces.append(_Piece(separator, level, text[last:start]))
            separator, level = text[start:end], cut_level
        else:  # two cuts side by side: one separator, as good as the better of them
            separator, level = separator + text[start:end], max(level, cut_level)
        last = end
    if last < len(text):
        pieces.append(_Piece(separator, level, text[last:]))
    return pieces


def _join(pieces: list[_Piece]) -> str:
    return "".join((piece.separator if i else "") + piece.text for i, piece in enumerate(pieces))


def _pack(platform: str, pieces: list[_Piece], budget: int) -> list[str]:
    """Greedy: each post ends at the best split place among those within ``budget``."""
    posts: list[str] = []
    start = 0
    while start < len(pieces):
        first = pieces[start].text
        if length(platform, first) > budget:
            raise ThreadError(
                f"“{_shorten(first)}” is too long for one {_NAMES[platform]} post.", word=first
            )
        # The furthest end that fits, by bisection (a post holds at most budget pieces).
        low, high = start + 1, min(len(pieces), start + budget)
        while low < high:
            middle = (low + high + 1) // 2
            if length(platform, _join(pieces[start:middle])) <= budget:
                low = middle
            else:
                high = middle - 1
        end = low
        if end < len(pieces):
            best = max(pieces[i].level for i in range(start + 1, end + 1))
            end = max(i for i in range(start + 1, end + 1) if pieces[i].level == best)
        posts.append(_join(pieces[start:end]))
        start = end
    return posts


_NAMES = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon"}


def _shorten(word: str, most: int = 60) -> str:
    return word if len(word) <= most else word[: most - 1] + "…"


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def split_thread(platform: str, text: str, *, limit: int | None = None) -> list[str]:
    """The posts of ``text`` on ``platform`` exactly as they would be posted.

    A text that fits is one post without a counter; a longer one becomes a thread whose posts
    each end with " i/n" (counted). Splits at paragraphs, then lines, then sentences, then
    words; a URL, hashtag or mention is never cut. An empty text gives no posts.
    Raises ThreadError (naming the word) when a word cannot fit in a post.
    """
    if platform not in LIMITS:
        raise ValueError(f"Unknown platform {platform!r}: use one of {', '.join(PLATFORMS)}.")
    most = LIMITS[platform] if limit is None else limit
    if most < 1:
        raise ValueError("A post's limit must be at least 1.")
    text = _clean(text)
    if not text:
        return []
    if length(platform, text) <= most:
        return [text]
    pieces = _pieces(text)
    # The counter's width: the digits of the number of posts, estimated, then corrected.
    digits = len(str(-(-length(platform, text) // max(1, most - 4))))
    while True:
        # " i/n" takes at most 2 + 2 * digits (ASCII counts 1 everywhere).
        budget = most - (2 + 2 * digits)
        if budget < 1:
            raise ThreadError(
                f"A {_NAMES[platform]} post of {most} leaves no room for text and a counter.",
                word=pieces[0].text,
            )
        posts = _pack(platform, pieces, budget)
        total = len(posts)
        numbered = [f"{post} {number}/{total}" for number, post in enumerate(posts, 1)]
        if len(str(total)) <= digits and all(length(platform, p) <= most for p in numbered):
            return numbered
        digits = max(digits + 1, len(str(total)))
