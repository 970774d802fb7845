"""A session's time as people read it: in the reader's zone first, then in the session's own
zone when that reads differently ("Thu 3 Dec 2026, 7:00 PM CST · 8:00 PM EST (New York)").

Pages, mails and the month view all write times through `session_when`; the pages wrap it in
`<time datetime="…Z">` (templatetags/events.py), and events/local-time.js rewrites it in the
browser's zone on a first visit, before the browser's zone is known to the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from django.utils.dateformat import format as date_format

from hemonc.core.timezones import is_time_zone

# Django date formats: pages abbreviate, mails write the names out.
LONG = "D j M Y"
FULL = "l j F Y"
CLOCK = "g:i A"


def zone_of(name: str) -> ZoneInfo:
    """The zone called `name`, UTC when it is not one."""
    return ZoneInfo(name if is_time_zone(name) else "UTC")


def zone_city(name: str) -> str:
    """The place a zone is named after: "America/New_York" → "New York"; "UTC" stays."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def zone_abbreviation(moment: datetime) -> str:
    """The zone's short name at that moment ("CST", "CET"), or its offset where the zone has
    no letters for it ("+0545" → "UTC+5:45")."""
    name = moment.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = moment.utcoffset()
    if offset is None:
        return "UTC"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


@dataclass(frozen=True)
class When:
    """A start as one reader reads it."""

    utc: str  # ISO 8601 in UTC, for <time datetime>
    local: str  # in the reader's zone, with its short name
    session: str  # in the session's zone, "" when it reads as the reader's
    session_zone: str  # the session's zone's name
    session_city: str  # the place it is named after, "" for UTC


def session_when(
    starts_at: datetime, *, reader: tzinfo, session_zone: str, style: str = "long"
) -> When:
    """`starts_at` for a reader in `reader`: style "long" (pages), "full" (mails) or "time"
    (a clock time only, where the day is shown apart, as in the month view)."""
    local = starts_at.astimezone(reader)
    clock = f"{date_format(local, CLOCK)} {zone_abbreviation(local)}"
    if style == "time":
        shown = date_format(local, CLOCK)
    else:
        shown = f"{date_format(local, FULL if style == 'full' else LONG)}, {clock}"
    there = starts_at.astimezone(zone_of(session_zone))
    city = zone_city(session_zone) if is_time_zone(session_zone) and session_zone != "UTC" else ""
    other = ""
    same = there.utcoffset() == local.utcoffset() and there.tzname() == local.tzname()
    if not same and style != "time":
        day = "" if there.date() == local.date() else f"{date_format(there, 'D')} "
        place = f" ({city})" if city else ""
        other = f"{day}{date_format(there, CLOCK)} {zone_abbreviation(there)}{place}"
    return When(
        utc=starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        local=shown,
        session=other,
        session_zone=session_zone if is_time_zone(session_zone) else "UTC",
        session_city=city,
    )
