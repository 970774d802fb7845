"""`md`: text people typed, made safe to place in a Markdown document as plain text."""

from __future__ import annotations

import re

from django import template

register = template.Library()

# Characters that start Markdown syntax anywhere in a line (emphasis, code, links, images,
# table cells, strikethrough), and "<" where it would open an HTML tag, a comment or an
# autolink ("<5" stays as it reads).
_SPECIAL = re.compile(r"([\\`*_\[\]|~]|<(?=[A-Za-z/!?]))")
# At the start of the text: a heading, a quote, a list item or a thematic break.
_LEADING = re.compile(r"^(\s*)([#>+-]|\d+(?=[.)]))")


@register.filter(is_safe=False)
def md(value: object) -> str:
    """Escape `value` so it renders as the same text, on one line, in Markdown."""
    text = " ".join(str(value).splitlines())
    text = _SPECIAL.sub(r"\\\1", text)
    return _LEADING.sub(_escape_leading, text)


def _escape_leading(match: re.Match[str]) -> str:
    space, mark = match.groups()
    if mark.isdigit():
        return f"{space}{mark}\\"  # "1." -> "1\." : not a list item
    return f"{space}\\{mark}"
