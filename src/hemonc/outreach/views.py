"""Organizers enter follower counts by hand (and add an account) when there is no file."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hemonc.core.errors import DomainError
from hemonc.core.permissions import permission_required
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.outreach import services
from hemonc.outreach.forms import AccountForm, FollowerSnapshotForm, ImportUploadForm
from hemonc.outreach.models import FollowerSnapshot, ImportRun


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


# ---------------------------------------------------------------------------------------------
# Imports: upload a file, follow its import


def _imports_page(request: AuthenticatedHttpRequest, form: ImportUploadForm) -> HttpResponse:
    runs = ImportRun.objects.select_related("created_by__profile")[:HISTORY]
    status = 400 if form.is_bound else 200
    return render(
        request,
        "outreach/imports.html",
        {"form": form, "runs": runs, "limit_mb": settings.OUTREACH_UPLOAD_MAX_BYTES // 2**20},
        status=status,
    )


HISTORY = 30


@permission_required("outreach.manage")
def imports(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The upload form and the imports so far; a POST queues the file's import."""
    if request.method != "POST":
        return _imports_page(request, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _imports_page(request, form)
    try:
        run = services.import_upload(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            account=form.cleaned_data["account"],
        )
    except DomainError as error:
        form.add_error(None, str(error))
        return _imports_page(request, form)
    return redirect("outreach:import_run", pk=run.pk)


def _run(request: AuthenticatedHttpRequest, pk: int) -> ImportRun:
    return get_object_or_404(ImportRun.objects.select_related("created_by__profile"), pk=pk)


@permission_required("outreach.manage")
def import_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One import: its progress while it runs (the status part asks again every 2 s), then
    what it imported or the problem that stopped it."""
    return render(request, "outreach/import_run.html", {"run": _run(request, pk)})


@permission_required("outreach.manage")
def import_run_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The status part of the run's page, for its polling: nothing new (204, which htmx
    leaves alone) while the status is the one the page shows, so that screen readers hear
    the live region only when something changed."""
    run = _run(request, pk)
    if request.GET.get("seen") == run.status:
        return HttpResponse(status=204)
    return render(request, "outreach/import_run.html#status", {"run": run})
