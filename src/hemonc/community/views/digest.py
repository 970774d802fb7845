"""The weekly digest's one-click unsubscribe (RFC 8058): a page for people, a POST for mail apps."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from hemonc.community.services import digest as services


@csrf_exempt  # RFC 8058: mail apps POST "List-Unsubscribe=One-Click" without a CSRF token.
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user_id = services.user_id_from_digest_token(token)
    if user_id is None:
        raise Http404("This unsubscribe link is not valid.")
    if request.method == "POST":
        services.digest_unsubscribe(
            user_id=user_id, how="one-click" if "List-Unsubscribe" in request.POST else "link"
        )
        return render(request, "community/digest/unsubscribed.html")
    return render(request, "community/digest/unsubscribe.html")
