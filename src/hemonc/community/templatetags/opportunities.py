"""The deadline of an opportunity as its reader reads it."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from hemonc.community.models.opportunities import Opportunity
from hemonc.core.timezones import reader_time_zone
from hemonc.events.times import session_when

register = template.Library()


@register.simple_tag(takes_context=True)
def deadline_time(context: template.Context, opportunity: Opportunity) -> SafeString:
    """`<time datetime="…Z">Fri 18 Dec 2026, 10:59 PM CST</time> · 11:59 PM EST (New York)`:
    the reader's zone first, the opportunity's own beside it when that reads otherwise.
    While the reader's zone is unknown, js/local-time.js rewrites it in the browser's."""
    when = session_when(
        opportunity.deadline,
        reader=timezone.get_current_timezone(),
        session_zone=opportunity.time_zone,
    )
    request = context.get("request")
    unknown = request is not None and not reader_time_zone(request)
    shown = format_html(
        '<time datetime="{}"{}>{}</time>',
        when.utc,
        mark_safe(' data-local="long"') if unknown else "",
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


@register.filter
def days_left(opportunity: Opportunity) -> str:
    """ "Closes today", "3 days left", "Closed"."""
    delta = opportunity.deadline - timezone.now()
    if delta.total_seconds() <= 0:
        return "Closed"
    days = delta.days
    if days == 0:
        return "Closes within a day"
    return f"{days} day{'s' if days != 1 else ''} left"
