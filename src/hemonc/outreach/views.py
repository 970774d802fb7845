"""Organizers enter follower counts by hand (and add an account) when there is no file."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hemonc.core.errors import DomainError
from hemonc.outreach import services
from hemonc.outreach.forms import AccountForm, FollowerSnapshotForm
from hemonc.outreach.models import FollowerSnapshot


def organizer_required(view: Any) -> Any:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("outreach.manage"):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


@organizer_required
def followers(request: HttpRequest) -> HttpResponse:
    form = FollowerSnapshotForm(request.POST if "followers" in request.POST else None)
    account_form = AccountForm(request.POST if "handle" in request.POST else None)
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            snapshot = services.follower_snapshot_record(
                account=form.cleaned_data["account"],
                on=form.cleaned_data["date"],
                followers=form.cleaned_data["followers"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Saved: {snapshot.followers:,} followers on {snapshot.date:%Y-%m-%d}."
            )
            return redirect("outreach:followers")
    if request.method == "POST" and account_form.is_bound and account_form.is_valid():
        try:
            account, created = services.account_get_or_create(
                platform=account_form.cleaned_data["platform"],
                handle=account_form.cleaned_data["handle"],
            )
        except DomainError as error:
            account_form.add_error("handle", str(error))
        else:
            messages.success(request, f"{account} {'added' if created else 'is already here'}.")
            return redirect("outreach:followers")
    latest = FollowerSnapshot.objects.select_related("account").order_by("-date", "account")[:20]
    return render(
        request,
        "outreach/followers.html",
        {"form": form, "account_form": account_form, "latest": latest},
    )
