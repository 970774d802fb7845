"""Organizers enter follower counts by hand (and add an account) when there is no file."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hemonc.core.errors import DomainError
from hemonc.core.permissions import permission_required
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.outreach import services
from hemonc.outreach.forms import AccountForm, FollowerSnapshotForm
from hemonc.outreach.models import FollowerSnapshot


def _page(
    request: AuthenticatedHttpRequest,
    *,
    form: FollowerSnapshotForm | None = None,
    account_form: AccountForm | None = None,
) -> HttpResponse:
    latest = FollowerSnapshot.objects.select_related("account").order_by("-date", "account")[:20]
    return render(
        request,
        "outreach/followers.html",
        {
            "form": form or FollowerSnapshotForm(),
            "account_form": account_form or AccountForm(),
            "latest": latest,
        },
    )


@permission_required("outreach.manage")
def followers(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The page; a POST records one follower count."""
    if request.method != "POST":
        return _page(request)
    form = FollowerSnapshotForm(request.POST)
    if form.is_valid():
        # The form already refuses a negative count, the service's only rule besides the
        # permission the view checks.
        snapshot = services.follower_snapshot_record(
            account=form.cleaned_data["account"],
            on=form.cleaned_data["date"],
            followers=form.cleaned_data["followers"],
            actor=request.user,
        )
        messages.success(
            request, f"Saved: {snapshot.followers:,} followers on {snapshot.date:%Y-%m-%d}."
        )
        return redirect("outreach:followers")
    return _page(request, form=form)


@permission_required("outreach.manage")
@require_POST
def account_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    account_form = AccountForm(request.POST)
    if account_form.is_valid():
        try:
            account, created = services.account_get_or_create(
                platform=account_form.cleaned_data["platform"],
                handle=account_form.cleaned_data["handle"],
                actor=request.user,
            )
        except DomainError as error:
            account_form.add_error("handle", str(error))
        else:
            messages.success(request, f"{account} {'added' if created else 'is already here'}.")
            return redirect("outreach:followers")
    return _page(request, account_form=account_form)
