"""The member's notifications: the list, marking read, and which kinds they get."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from hemonc.community import selectors
from hemonc.community.services import notifications as services
from hemonc.core.actions import act_then_redirect
from hemonc.core.errors import DomainError
from hemonc.core.forms import parse_id
from hemonc.members.http import AuthenticatedHttpRequest


@login_required
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = selectors.notifications_for(request.user).select_related("actor__profile")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "community/notifications/notifications.html",
        {"page": page, "unread": selectors.notification_unread_count(request.user)},
    )


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; with `open`, go where it points."""
    if parse_id(notification_id) is None:
        raise Http404("No such notification.")
    try:
        note = services.notification_mark_read(notification_id=notification_id, actor=request.user)
    except DomainError as error:
        raise Http404(str(error)) from error
    if request.POST.get("open") == "1" and note.url.startswith("/") and "//" not in note.url:
        return redirect(note.url)
    messages.success(request, "Marked as read.")
    return redirect("community:notifications")


@login_required
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    return act_then_redirect(
        request,
        "community:notifications",
        lambda: services.notification_mark_all_read(actor=request.user),
        "Every notification is marked as read.",
    )


def _settings_form(user: object, data: Mapping[str, Any] | None = None) -> forms.Form:
    form = forms.Form(data)
    for kind, label, on in selectors.notification_settings(user):
        form.fields[kind] = forms.BooleanField(required=False, label=label, initial=on)
    return form


@login_required
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _settings_form(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        return act_then_redirect(
            request,
            "community:notification_settings",
            lambda: services.notification_settings_update(
                actor=request.user, enabled=dict(form.cleaned_data)
            ),
            "Your notification settings are saved.",
        )
    return render(request, "community/notifications/settings.html", {"form": form})


urlpatterns: list[URLPattern] = [
    path("notifications/", notifications, name="notifications"),
    path("notifications/settings/", notification_settings, name="notification_settings"),
    path("notifications/read-all/", notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/read/", notification_read, name="notification_read"),
]
