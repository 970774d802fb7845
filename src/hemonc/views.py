"""The home page: it gathers what every app has to show, so it lives above the apps.

Visitors get the network's front page; a signed-in member gets their own home, composed of
each app's selectors: their sessions, their mentoring, new members who share their
interests, the latest newsletter issue and, for organizers, what needs them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hemonc.events.selectors import member_upcoming_rsvps, session_list_upcoming
from hemonc.members.cards import member_cards
from hemonc.members.models import User
from hemonc.members.selectors import (
    directory_member_count,
    directory_version,
    member_list_newest,
    member_list_sharing_interests,
)
from hemonc.mentorship.selectors import member_mentoring, programs_awaiting_review
from hemonc.newsletter.selectors import issue_latest_sent, issues_unsent


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        return render(request, "home_member.html", _member_home(user))
    version = directory_version()
    return render(
        request,
        "home.html",
        {
            "member_count": directory_member_count(viewer=user, version=version),
            "newest": member_cards(
                members=member_list_newest(viewer=user, limit=8), viewer=user, version=version
            ),
            "upcoming_sessions": session_list_upcoming(limit=3, include_cancelled=False),
        },
    )


def _member_home(user: User) -> dict[str, Any]:
    version = directory_version()
    rsvps = member_upcoming_rsvps(user=user, limit=5)
    booked = {rsvp.session_id for rsvp in rsvps}
    upcoming = [
        session
        for session in session_list_upcoming(limit=3 + len(booked), include_cancelled=False)
        if session.pk not in booked
    ][:3]
    context: dict[str, Any] = {
        "profile": user.profile,
        "rsvps": rsvps,
        "upcoming_sessions": upcoming,
        "mentoring": member_mentoring(user=user),
        "kindred": member_cards(
            members=member_list_sharing_interests(viewer=user, limit=6),
            viewer=user,
            version=version,
        ),
        "has_interests": user.profile.interests.exists(),
        "member_count": directory_member_count(viewer=user, version=version),
        "latest_issue": issue_latest_sent(),
    }
    needs: dict[str, Any] = {}
    if user.has_perm("newsletter.manage"):
        needs["issues"] = issues_unsent()
    if user.has_perm("mentorship.manage_programs"):
        needs["programs"] = programs_awaiting_review()
    context["needs"] = needs
    context["needs_anything"] = any(needs.values())
    return context
