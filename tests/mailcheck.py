"""Checks on mails as a reader's client sees them: what people typed is text, never markup."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.conf import settings

ATTACK_LINK = '<a href=//evil.example style="font-size:40px">CONFIRM HERE</a>'
PIXEL = "<img src=//evil.example/pixel.gif>"
FORMULA = '=HYPERLINK("https://evil.example/x","Click")'
# The markup a mail's own HTML wrapper uses; anything else came from someone's input.
OWN_TAGS = {"html", "head", "meta", "title", "body", "p", "br", "a", "h1", "div", "img"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def parts(message: Any) -> tuple[str, str]:
    """The text and HTML parts of a received message."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def assert_carried_as_text(value: str, message: Any, *, links: tuple[str, ...] = ()) -> None:
    """`value` reads as typed in the text part, and as text in the HTML part: no tag but the
    mail's own, no link or image pointing anywhere but the site (and `links`)."""
    text, html = parts(message)
    assert value in text
    assert "&lt;" not in text and "&amp;" not in text and "&quot;" not in text
    parser = _Tags()
    parser.feed(html)
    assert {tag for tag, _ in parser.tags} <= OWN_TAGS
    allowed = (settings.SITE_URL + "/", *links)
    for tag, attrs in parser.tags:
        assert all(name in {"lang", "charset", "style", "href", "src", "name", "content",
                            "alt", "width", "height"} for name, _ in attrs), tag  # fmt: skip
        for name, url in attrs:
            if name in {"href", "src"}:
                assert url and url.startswith(allowed), (tag, url)
    assert value in "".join(parser.data)
