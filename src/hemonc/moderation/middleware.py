"""Taking part waits for the current code of conduct and for the end of a suspension: such a
request is turned away with the reason, and the pages say so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme

from hemonc.core.ratelimit import Limit, limit_take
from hemonc.moderation.selectors import conduct_pending_for

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Posting, messaging and RSVPs together, per member, counted in the shared cache so every
# process agrees.
TAKING_PART_LIMIT = Limit(
    "taking-part",
    60,
    300,
    "You posted, wrote or replied many times in the last few minutes. Wait five minutes, then "
    "try again.",
)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return HttpResponse(headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


class TakingPartMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # Read by the base template's banner and by process_view, at most once a request.
        request.conduct_pending = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: bool(user.is_authenticated and conduct_pending_for(user))
        )
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method in SAFE_METHODS or not getattr(view, "takes_part", False):
            return None
        user: Any = request.user
        if user.is_authenticated and user.is_suspended:
            until = formats.date_format(timezone.localtime(user.suspended_until), "j F Y, H:i")
            messages.error(
                request,
                f"Your account is suspended until {until}: you can read and download your "
                "data, but not post, message or RSVP.",
            )
            return _redirect(request, reverse("moderation:notices"))
        if not request.conduct_pending:  # type: ignore[attr-defined]
            if user.is_authenticated and not limit_take(TAKING_PART_LIMIT, user.pk):
                if request.headers.get("HX-Request"):
                    # htmx swaps no error page: reload, and the message says why.
                    messages.error(request, TAKING_PART_LIMIT.message)
                    return HttpResponse(headers={"HX-Refresh": "true"})
                return render(
                    request,
                    "429.html",
                    {"limit_message": TAKING_PART_LIMIT.message},
                    status=429,
                )
            return None
        back = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = ""
        url = reverse("moderation:conduct")
        if back:
            url = f"{url}?{urlencode({'next': back})}"
        messages.warning(request, "Accept the code of conduct first: then post again.")
        return _redirect(request, url)
