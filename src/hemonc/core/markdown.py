"""Markdown to safe HTML: markdown-it-py renders, nh3 removes anything unsafe."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

# Raw HTML in Markdown is shown as text, never interpreted; nh3 is the second line of defense.
_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).enable(
    ["strikethrough", "table"]
)

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


def render_markdown(text: str) -> str:
    """Render Markdown written by a member into HTML that is safe to show to others."""
    html = _renderer.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
