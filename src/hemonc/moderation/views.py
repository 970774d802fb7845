"""Pages of the moderation app: the code of conduct, its versions, and the audit list."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hemonc.core.actions import act_then_redirect
from hemonc.core.errors import DomainError
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import permission_required
from hemonc.core.spreadsheets import csv_download
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.members.models import User
from hemonc.moderation import selectors, services
from hemonc.moderation.forms import (
    AppealDecideForm,
    AppealForm,
    AuditFilterForm,
    ConductForm,
    DecideForm,
    HeldRejectForm,
    ReportForm,
)
from hemonc.moderation.items import kind_of
from hemonc.moderation.models import Appeal, Case, ConductVersion


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


# ---------------------------------------------------------------------------------------------
# Reports


@login_required
def report(request: AuthenticatedHttpRequest, item_type: str, item_id: str) -> HttpResponse:
    kind = kind_of(item_type)
    item = kind.get(item_id) if kind is not None else None
    if kind is None or item is None or not kind.may_see(request.user, item):
        raise Http404("No such item.")
    where, url = kind.where(item)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                reporter=request.user, item_type=item_type, item_id=item_id, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Thank you: the moderators have your report. You will see what they decided "
                "under “Your reports”.",
            )
            # A hidden message stays in its conversation ("hidden by moderators"); another
            # item hidden on report is gone from its page.
            return redirect(url if kind.private or kind.may_see(request.user, item) else "home")
    return render(
        request,
        "moderation/report.html",
        {"form": form, "kind": kind, "where": where, "url": url},
        status=400 if form.errors else 200,
    )


@login_required
def my_reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "moderation/my_reports.html", {"reports": selectors.reports_by(request.user)}
    )


@login_required
def notices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Decisions about what the member wrote, with the reasons, what each was about, and
    their one appeal."""
    cases = [
        (case, AppealForm(prefix=f"case-{case.pk}"), _about(case))
        for case in selectors.decisions_about(request.user)
    ]
    return render(request, "moderation/notices.html", {"cases": cases})


def _about(case: Case) -> tuple[str, str] | None:
    """What a case is about, in words and its page, while the item exists."""
    kind = kind_of(case.item_type)
    item = kind.get(case.item_id) if kind is not None else None
    return kind.where(item) if kind is not None and item is not None else None


@require_POST
@login_required
def appeal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk, author=request.user)
    form = AppealForm(request.POST, prefix=f"case-{case.pk}")
    if not form.is_valid():
        messages.error(request, "Say why the decision should change.")
        return redirect("moderation:notices")
    return act_then_redirect(
        request,
        "moderation:notices",
        lambda: services.appeal_create(
            case=case, author=request.user, text=form.cleaned_data["text"]
        ),
        "Your appeal is with another moderator.",
    )


# ---------------------------------------------------------------------------------------------
# The moderators' queue


# The oldest appeals waiting, above the cases; the next come up as these are decided.
APPEALS_SHOWN = 10
# Cases on a page of the queue: a moderator works from the top, one case at a time.
QUEUE_PAGE = 25
# What a row of the queue shows: the rest of a case, and of whoever claimed it, stays unread.
QUEUE_FIELDS = (
    "item_type",
    "item_id",
    "patient_data",
    "created_at",
    "claimed_by__profile__display_name",
    "claimed_by__profile__user_id",
)


@permission_required("moderation.handle_case")
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    cases = selectors.cases_open_for(request.user).only(*QUEUE_FIELDS)
    page = Paginator(cases, QUEUE_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_report_counts(page.object_list)
    for case in page.object_list:  # "a question", as the case page names it
        kind = kind_of(case.item_type)
        case.item_noun = kind.noun if kind else case.item_type  # type: ignore[attr-defined]
    waiting = selectors.appeals_waiting_for(request.user)
    appeals = list(waiting[:APPEALS_SHOWN])
    # Counted apart only when there are more than those shown.
    count = waiting.count() if len(appeals) == APPEALS_SHOWN else len(appeals)
    held = selectors.held_posts() if request.user.has_perm("moderation.review_held") else []
    return render(
        request,
        "moderation/queue.html",
        {
            "page": page,
            "appeals": appeals,
            "appeals_count": count,
            "held": [(item, HeldRejectForm(prefix=item.anchor)) for item in held],
            "held_count": selectors.held_post_count() if len(held) >= 100 else len(held),
        },
    )


def _held_type(item_type: str) -> str:
    if item_type not in services.HELD_MODELS:
        raise Http404("No such item.")
    return item_type


@require_POST
@permission_required("moderation.review_held")
def held_approve(request: AuthenticatedHttpRequest, item_type: str, pk: int) -> HttpResponse:
    item_type = _held_type(item_type)
    return act_then_redirect(
        request,
        "moderation:queue",
        lambda: services.held_approve(actor=request.user, item_type=item_type, item_id=pk),
        "Approved: it is published now, and whoever it concerns is told.",
    )


@require_POST
@permission_required("moderation.review_held")
def held_reject(request: AuthenticatedHttpRequest, item_type: str, pk: int) -> HttpResponse:
    item_type = _held_type(item_type)
    form = HeldRejectForm(request.POST, prefix=selectors.held_anchor(item_type, pk))
    if not form.is_valid():
        messages.error(request, "Give a reason: the author is told it.")
        return redirect("moderation:queue")
    return act_then_redirect(
        request,
        "moderation:queue",
        lambda: services.held_reject(
            actor=request.user,
            item_type=item_type,
            item_id=pk,
            reason=form.cleaned_data["reason"],
        ),
        "Not published: the author is told why.",
    )


@require_POST
@permission_required("moderation.vouch")
def vouch(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=user_id, is_active=True)
    return act_then_redirect(
        request,
        reverse("members:profile", args=[member.pk]),
        lambda: services.vouch_create(actor=request.user, user=member),
        f"You vouched for {member}: nothing they write waits for review.",
    )


@require_POST
@permission_required("moderation.vouch")
def vouch_withdraw(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=user_id)
    return act_then_redirect(
        request,
        reverse("members:profile", args=[member.pk]) if member.is_active else "home",
        lambda: services.vouch_withdraw(actor=request.user, user=member),
        f"The vouch for {member} is taken back.",
    )


def _case_for(request: AuthenticatedHttpRequest, pk: int) -> Case:
    """The case, when routed to this moderator; else it does not exist for them."""
    case = get_object_or_404(Case.objects.select_related("author__profile"), pk=pk)
    if not request.user.has_perm("moderation.handle_case", case):
        raise Http404("No such case.")
    return case


@permission_required("moderation.handle_case")
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    kind = kind_of(case.item_type)
    item = kind.get(case.item_id) if kind is not None else None
    context: dict[str, Any] = {"case": case, "kind": kind, "item": item}
    if kind is not None and item is not None:
        context |= {
            "where": kind.where(item),
            "text": kind.text(item),
            "hidden": kind.is_hidden(item),
            "lines": kind.context(item),
        }
        initial = {"text": kind.text(item)}
    else:
        initial = {}
    appeal_row = getattr(case, "appeal", None)
    context |= {
        "reports": selectors.case_reports(case),
        "decisions": case.decisions.select_related("moderator__profile"),
        "earlier": selectors.cases_earlier_about(case),
        "recent": selectors.author_recent_actions(case),
        "form": DecideForm(initial=initial),
        "appeal": appeal_row,
        "appeal_form": AppealDecideForm(),
        "may_decide_appeal": appeal_row is not None
        and request.user.has_perm("moderation.decide_appeal", appeal_row),
    }
    return render(request, "moderation/case.html", context)


@require_POST
@permission_required("moderation.handle_case")
def case_claim(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    return act_then_redirect(
        request,
        reverse("moderation:case", args=[case.pk]),
        lambda: services.case_claim(case=case, actor=request.user),
        "The case is yours for the next 30 minutes.",
    )


@require_POST
@permission_required("moderation.handle_case")
def case_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("moderation:case", case.pk)
    data = form.cleaned_data
    return act_then_redirect(
        request,
        reverse("moderation:case", args=[case.pk]),
        lambda: services.case_decide(
            case=case,
            actor=request.user,
            outcome=data["outcome"],
            reason=data["reason"],
            days=data["days"],
            text=data["text"],
        ),
        "Decided: the author and the reporters are told.",
    )


@require_POST
@permission_required("moderation.handle_case")
def appeal_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal_row = get_object_or_404(Appeal.objects.select_related("case"), pk=pk)
    if not request.user.has_perm("moderation.decide_appeal", appeal_row):
        raise Http404("No such appeal.")
    form = AppealDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a decision and write the author an answer.")
        return redirect("moderation:case", appeal_row.case_id)
    return act_then_redirect(
        request,
        reverse("moderation:case", args=[appeal_row.case_id]),
        lambda: services.appeal_decide(
            appeal=appeal_row,
            actor=request.user,
            upheld=form.cleaned_data["upheld"],
            answer=form.cleaned_data["answer"],
        ),
        "The appeal is decided: the author is told.",
    )
