"""Pages of the moderation app: the code of conduct, its versions, and the audit list."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hemonc.core.actions import act_then_redirect
from hemonc.core.errors import DomainError
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import permission_required
from hemonc.core.spreadsheets import csv_download
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.moderation import selectors, services
from hemonc.moderation.forms import AuditFilterForm, ConductForm
from hemonc.moderation.models import ConductVersion


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def conduct(request: HttpRequest) -> HttpResponse:
    """The current code of conduct, for everyone; members who must accept it can here."""
    current = selectors.conduct_current()
    return render(
        request,
        "moderation/conduct.html",
        {
            "version": current,
            "versions": selectors.conduct_published(),
            "pending": getattr(request, "conduct_pending", False),
            "next": _next(request),
        },
    )


def conduct_version(request: HttpRequest, number: int) -> HttpResponse:
    version = get_object_or_404(selectors.conduct_published(), number=number)
    current = selectors.conduct_current()
    return render(
        request,
        "moderation/conduct_version.html",
        {"version": version, "is_current": current is not None and current.pk == version.pk},
    )


@require_POST
@permission_required("moderation.accept_conduct")
def conduct_accept(request: AuthenticatedHttpRequest) -> HttpResponse:
    version = selectors.conduct_current()
    if version is None or str(version.pk) != request.POST.get("version"):
        messages.error(request, "The code of conduct changed while you read it: read it again.")
        return redirect("moderation:conduct")
    return act_then_redirect(
        request,
        _next(request) or "home",
        lambda: services.conduct_accept(user=request.user, version=version),
        "Thank you: you can post again.",
    )


@permission_required("moderation.manage_conduct")
def conduct_versions(request: AuthenticatedHttpRequest) -> HttpResponse:
    versions = ConductVersion.objects.annotate(accepted=Count("acceptances"))
    return render(
        request,
        "moderation/conduct_versions.html",
        {"versions": versions, "current": selectors.conduct_current()},
    )


@permission_required("moderation.manage_conduct")
def conduct_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    latest = ConductVersion.objects.first()
    form = ConductForm(request.POST or None, initial={"body": latest.body if latest else ""})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.conduct_draft_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Draft of version {version.number} saved.")
            return redirect("moderation:conduct_edit", version.pk)
    return render(
        request,
        "moderation/conduct_edit.html",
        {"form": form, "version": None},
        status=400 if form.errors else 200,
    )


@permission_required("moderation.manage_conduct")
def conduct_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ConductVersion, pk=pk)
    if version.is_published:
        raise Http404("A published version is not edited.")
    form = ConductForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.conduct_draft_update(version=version, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Draft saved. Read it below, then publish it.")
            return redirect("moderation:conduct_edit", version.pk)
    return render(
        request,
        "moderation/conduct_edit.html",
        {"form": form, "version": ConductVersion.objects.get(pk=version.pk)},
        status=400 if form.errors else 200,
    )


@require_POST
@permission_required("moderation.manage_conduct")
def conduct_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ConductVersion, pk=pk)
    return act_then_redirect(
        request,
        "moderation:conduct_versions",
        lambda: services.conduct_publish(version=version, actor=request.user),
        f"Version {version.number} is published: members accept it before they post again.",
    )


AUDIT_PER_PAGE = 50


def _audit_rows(request: HttpRequest) -> tuple[AuditFilterForm, bool, QuerySet[AuditEntry]]:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if value}
        return form, bool(data), selectors.audit_search(**data)
    return form, False, selectors.audit_search()


@permission_required("moderation.view_audit")
def audit(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, filtered, rows = _audit_rows(request)
    page = Paginator(rows, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "moderation/audit.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "filtered": filtered,
            "query": query.urlencode(),
        },
        status=400 if form.errors else 200,
    )


@permission_required("moderation.view_audit")
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The rows the page's filters find, as a spreadsheet-safe CSV."""
    _, _, rows = _audit_rows(request)
    response, writer = csv_download(f"hemonc-audit-{timezone.localdate():%Y-%m-%d}.csv")
    writer.writerow(["when", "actor_id", "actor", "action", "item", "item_id", "changes"])
    for entry in rows.iterator(chunk_size=1000):
        writer.writerow(
            [
                entry.created_at.isoformat(),
                entry.actor_id or "",
                str(entry.actor.profile) if entry.actor is not None else "",
                entry.action,
                entry.target_type,
                entry.target_id,
                json.dumps(entry.changes, ensure_ascii=False, sort_keys=True),
            ]
        )
    return response
