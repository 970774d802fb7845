from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html

from hemonc.core.privacy import count_for_display
from hemonc.core.timezones import is_time_zone, reader_time_zone
from hemonc.events.models import LiveSession
from hemonc.events.times import session_when, zone_city

register = template.Library()


@register.simple_tag(takes_context=True)
def session_time(context: template.Context, session: LiveSession, style: str = "long") -> str:
    """The start in the reader's zone, then in the session's zone when that reads otherwise:
    `<time datetime="…Z">Thu 3 Dec 2026, 7:00 PM CST</time> · 8:00 PM EST (New York)`.

    While the reader's zone is unknown (a visitor's first page, before site.js stored the
    browser's zone), the time carries `data-local` and events/local-time.js rewrites it in
    the browser's zone. `style`: "long", or "time" (or "short") for the clock time alone."""
    style = "time" if style == "short" else style
    when = session_when(
        session.starts_at,
        reader=timezone.get_current_timezone(),
        session_zone=session.time_zone,
        style=style,
    )
    request = context.get("request")
    unknown = request is not None and not reader_time_zone(request)
    shown = format_html(
        '<time datetime="{}"{}>{}</time>',
        when.utc,
        format_html(' data-local="{}"', style) if unknown else "",
        when.local,
    )
    if when.session:
        shown = format_html(
            '{}<span class="session-zone" data-zone="{}" data-city="{}"> · {}</span>',
            shown,
            when.session_zone,
            when.session_city,
            when.session,
        )
    return shown


@register.simple_tag
def session_time_text(session: LiveSession, style: str = "full") -> str:
    """The start as text, for mails: rendered under `timezone.override(recipient's zone)`."""
    when = session_when(
        session.starts_at,
        reader=timezone.get_current_timezone(),
        session_zone=session.time_zone,
        style=style,
    )
    return f"{when.local} · {when.session}" if when.session else when.local


@register.filter
def zone_label(name: str) -> str:
    """A zone for people: "America/New_York" → "New York time"."""
    return "UTC" if not is_time_zone(name) or name == "UTC" else f"{zone_city(name)} time"


@register.filter
def small_count(value: int | None, exact: bool = False) -> str:
    """A count about people as shown beyond organizers (`core.privacy`): under 5 is "<5"."""
    if value is None:
        return "—"
    shown = count_for_display(value, exact=bool(exact))
    return f"{shown:,}" if isinstance(shown, int) else shown
