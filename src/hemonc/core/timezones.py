"""IANA time zones for profiles and for showing times in the viewer's zone."""

from __future__ import annotations

from functools import cache
from urllib.parse import unquote
from zoneinfo import available_timezones

from django.http import HttpRequest


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(
        name for name in available_timezones() if "/" in name and not name.startswith("Etc/")
    )
    return [("", "—"), ("UTC", "UTC"), *((n, n.replace("_", " ")) for n in names)]


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def is_time_zone(name: str) -> bool:
    """An IANA zone this machine knows. Only names from its list: ZoneInfo() itself would
    read any path it is given, and raises OSError on a name too long for a file name."""
    return isinstance(name, str) and name in _zone_names()


# The browser's zone, as site.js stores it on every page (URL-encoded: "America%2FChicago").
TIME_ZONE_COOKIE = "tz"


def reader_time_zone(request: HttpRequest) -> str:
    """The zone to show times in for this request's reader: their profile's, else the
    browser's (the `tz` cookie); "" when neither is known (a first visit) or valid."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        name = getattr(getattr(user, "profile", None), "time_zone", "") or ""
        if name and is_time_zone(name):
            return name
    return browser_time_zone(request)


@cache
def _offered_zones() -> frozenset[str]:
    return frozenset(value for value, _ in time_zone_choices() if value)


def browser_time_zone(request: HttpRequest) -> str:
    """The zone the browser reported in the `tz` cookie, if it is one a profile may hold;
    else "". Never trusts the cookie beyond that."""
    name = unquote(request.COOKIES.get(TIME_ZONE_COOKIE, "")[:100]).strip()
    return name if name in _offered_zones() else ""
