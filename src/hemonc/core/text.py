"""Plain text as people type it: one-line fields, and text shown as HTML in a mail."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

# C0 and C1 control characters (tab, CR and LF among them) and the Unicode line and
# paragraph separators: none belongs in a name, a title or a subject.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]")


def one_line(value: str) -> str:
    """`value` as one line: line breaks and control characters become spaces, runs of
    spaces one space, no blanks at either end."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def has_line_break(value: str) -> bool:
    return bool(_CONTROL.search(value or ""))


class OneLineField(forms.CharField):
    """A form field for a one-line value (a name, a title, a subject): a pasted line break
    or control character becomes a space instead of reaching mails and calendar files."""

    def to_python(self, value: object) -> str | None:
        text = super().to_python(value)
        return one_line(text) if text else text


def text_as_html(text: str, *, links: Iterable[str] = ()) -> SafeString:
    """A mail's plain text as HTML paragraphs.

    Everything is escaped, so what people typed (names, titles, notes, messages) stays
    text, whatever it holds. Only the platform's own addresses (those starting with
    SITE_URL) and the given `links` (URLs an organizer set, such as a join link) become
    clickable; a URL typed by someone else is shown, never linked.
    """
    escaped = str(escape(text))
    own = (
        re.escape(str(escape(settings.SITE_URL.rstrip("/"))))
        + r"/(?:[^\s<>\"']*[^\s<>\"'.,;:!?)])?"
    )
    exact = [re.escape(str(escape(link))) for link in sorted(set(links), key=len, reverse=True)]
    pattern = re.compile("|".join([*(f"{e}(?![^\\s<>\"'])" for e in exact if e), own]))

    def anchor(match: re.Match[str]) -> str:
        url = match.group(0)
        return f'<a href="{url}">{url}</a>'

    return mark_safe(linebreaks(pattern.sub(anchor, escaped), autoescape=False))  # escaped above
