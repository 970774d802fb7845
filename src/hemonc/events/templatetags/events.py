from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from hemonc.core.privacy import count_for_display
from hemonc.core.timezones import is_time_zone
from hemonc.events.models import LiveSession

register = template.Library()


def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name if is_time_zone(name) else "UTC")


@register.simple_tag
def session_time(session: LiveSession, style: str = "long") -> str:
    """The start in the viewer's zone, with the organizers' zone beside it when different."""
    viewer_zone = timezone.get_current_timezone()
    local: datetime = timezone.localtime(session.starts_at)
    pattern = "D j M Y, g:i A" if style == "long" else "g:i A"
    viewer_name = getattr(viewer_zone, "key", str(viewer_zone))
    if style == "short":
        return format_html(
            '<time datetime="{}">{}</time>',
            session.starts_at.isoformat(),
            date_format(local, pattern),
        )
    shown = format_html(
        '<time datetime="{}">{}</time> <span class="zone">{}</span>',
        session.starts_at.isoformat(),
        date_format(local, pattern),
        viewer_name.replace("_", " "),
    )
    if session.time_zone and session.time_zone != viewer_name:
        organizer = session.starts_at.astimezone(_zone(session.time_zone))
        shown = format_html(
            '{} <span class="organizer-time">· {} {}</span>',
            shown,
            date_format(organizer, "g:i A" if organizer.date() == local.date() else "D g:i A"),
            session.time_zone.replace("_", " "),
        )
    return shown


@register.filter
def small_count(value: int | None, exact: bool = False) -> str:
    """A count about people as shown beyond organizers (`core.privacy`): under 5 is "<5"."""
    if value is None:
        return "—"
    shown = count_for_display(value, exact=bool(exact))
    return f"{shown:,}" if isinstance(shown, int) else shown
