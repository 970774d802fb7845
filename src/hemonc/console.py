"""The organizers' console: the everyday work of every app on one page. Like the home page it
sits above the apps; each app lists its pages on its AppConfig (`console_links`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.apps import apps
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from hemonc.core.permissions import permission_required
from hemonc.events.selectors import sessions_with_open_questions
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.members.models import User
from hemonc.mentorship.selectors import programs_awaiting_review
from hemonc.newsletter.selectors import issues_unsent


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


def organizer_needs(user: User) -> dict[str, Any]:
    """What waits for organizers and moderators, by what `user` may do ("needs"; empty for
    other members), and whether anything does ("needs_anything"): shown on their home and
    atop the console."""
    needs: dict[str, Any] = {}
    if user.has_perm("events.moderate_questions"):
        needs["questions"] = sessions_with_open_questions()
    if user.has_perm("newsletter.manage"):
        needs["issues"] = issues_unsent()
    if user.has_perm("mentorship.manage_programs"):
        needs["programs"] = programs_awaiting_review()
    return {"needs": needs, "needs_anything": any(needs.values())}


@permission_required("members.use_console")
def console(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "console.html",
        {"sections": console_sections()} | organizer_needs(request.user),
    )
