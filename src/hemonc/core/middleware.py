"""Show times in the viewer's zone: their profile's, else the browser's (a cookie)."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from hemonc.core.timezones import browser_time_zone, is_time_zone


class TimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = ""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            name = getattr(getattr(user, "profile", None), "time_zone", "") or ""
        if not name:
            name = browser_time_zone(request)
        if name and is_time_zone(name):
            timezone.activate(ZoneInfo(name))
        else:
            timezone.deactivate()
        return self.get_response(request)
