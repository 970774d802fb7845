"""The organizers' console: the everyday work of every app on one page. Like the home page it
sits above the apps; each app lists its pages on its AppConfig (`console_links`)."""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from hemonc.core.permissions import permission_required
from hemonc.members.http import AuthenticatedHttpRequest


@cache
def console_sections() -> tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...]:
    """(app name, ((label, URL, what it is for), ...)) for the apps that declare pages."""
    return tuple(
        (
            str(config.verbose_name),
            tuple((label, reverse(name), text) for label, name, text in links),
        )
        for config in apps.get_app_configs()
        if (links := getattr(config, "console_links", ()))
    )


@permission_required("members.use_console")
def console(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "console.html", {"sections": console_sections()})
