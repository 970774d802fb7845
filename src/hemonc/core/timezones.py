"""IANA time zones for profiles and for showing times in the viewer's zone."""

from __future__ import annotations

from functools import cache
from urllib.parse import unquote
from zoneinfo import ZoneInfo, available_timezones

from django.http import HttpRequest


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(
        name for name in available_timezones() if "/" in name and not name.startswith("Etc/")
    )
    return [("", "—"), ("UTC", "UTC"), *((n, n.replace("_", " ")) for n in names)]


def is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        return False
    return True


@cache
def _offered_zones() -> frozenset[str]:
    return frozenset(value for value, _ in time_zone_choices() if value)


def browser_time_zone(request: HttpRequest) -> str:
    """The IANA zone the browser reported in the `tz` cookie (site.js writes it URL-encoded),
    if it is one a profile may hold; else "". Never trusts the cookie beyond that."""
    raw = request.COOKIES.get("tz", "")[:100]
    name = unquote(raw)
    return name if name in _offered_zones() else ""
