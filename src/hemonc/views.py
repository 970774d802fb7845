"""The home page: it gathers what every app has to show, so it lives above the apps."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hemonc.events.selectors import session_list_upcoming
from hemonc.members.cards import member_cards
from hemonc.members.selectors import directory_version, member_count, member_list_newest


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home.html",
        {
            "member_count": member_count(),
            "newest": member_cards(
                members=member_list_newest(viewer=request.user, limit=8),
                viewer=request.user,
                version=directory_version(),
            ),
            "upcoming_sessions": session_list_upcoming(limit=3, include_cancelled=False),
        },
    )
