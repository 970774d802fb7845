"""The opportunities board, its archive, saved and suggested opportunities, the organizers'
review, and nominations (sponsorship)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hemonc.community import selectors
from hemonc.community.models.opportunities import Nomination, Opportunity, OpportunityStatus
from hemonc.community.opportunity_forms import (
    BoardFilterForm,
    NominationForm,
    OpportunityForm,
    RejectForm,
)
from hemonc.community.services import opportunities as services
from hemonc.core.actions import act_then_redirect
from hemonc.core.errors import DomainError
from hemonc.core.forms import parse_id
from hemonc.core.permissions import permission_required, takes_part
from hemonc.core.text import has_line_break
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.taxonomy.models import Topic

PAGE_SIZE = 20


def _opportunity_for(request: AuthenticatedHttpRequest, pk: int) -> Opportunity:
    """The opportunity if the reader may see it; else 404 (a suggestion is its author's)."""
    opportunity = get_object_or_404(Opportunity, pk=pk)
    if not selectors.opportunity_visible(viewer=request.user, opportunity=opportunity):
        raise Http404
    return opportunity


def _tag_choices() -> list[tuple[str, str]]:
    """Topics of approved opportunities, for the filter."""
    return [
        (topic.slug, topic.label)
        for topic in Topic.objects.filter(
            opportunities__status=OpportunityStatus.APPROVED, opportunities__hidden=False
        )
        .distinct()
        .order_by("name")
    ]


def _board(request: AuthenticatedHttpRequest, *, archived: bool) -> HttpResponse:
    form = BoardFilterForm(request.GET or None, tags=_tag_choices())
    filters = selectors.BoardFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.BoardFilters(
            kind=data["kind"],
            stage=data["stage"],
            country=data["country"],
            tag=data["tag"],
            fits_me=data["fits_me"],
            soon=data["soon"] and not archived,
        )
    rows = selectors.opportunity_board(viewer=request.user, filters=filters, archived=archived)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "page": page,
        "querystring": query.urlencode(),
        "archived": archived,
        "filtered": filters != selectors.BoardFilters(),
        "form": form,
    }
    template = "community/opportunities/board.html"
    if request.headers.get("HX-Request"):
        return render(request, f"{template}#results", context)
    context["pending_count"] = (
        selectors.opportunities_pending().count()
        if request.user.has_perm("community.review_opportunities")
        else None
    )
    return render(request, template, context)


@permission_required("community.view_opportunities")
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _board(request, archived=False)


@permission_required("community.view_opportunities")
def archive(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _board(request, archived=True)


@permission_required("community.view_opportunities")
def saved(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = list(selectors.opportunities_saved(user=request.user).prefetch_related("tags"))
    now = timezone.now()
    return render(
        request,
        "community/opportunities/saved.html",
        {
            "open": [row for row in rows if row.deadline > now],
            "closed": [row for row in rows if row.deadline <= now],
            "suggested": selectors.opportunities_suggested_by(user=request.user),
        },
    )


@permission_required("community.view_opportunities")
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity_for(request, pk)
    row = selectors.with_saved(Opportunity.objects.filter(pk=pk), viewer=request.user).first()
    is_organizer = request.user.has_perm("community.review_opportunities")
    context = {
        "opportunity": row or opportunity,
        "is_open": opportunity.deadline > timezone.now(),
        "may_review": is_organizer,
        "reject_form": RejectForm() if is_organizer else None,
        "may_nominate": request.user.has_perm("community.nominate"),
        "nomination_count": opportunity.nominations.count() if is_organizer else None,
    }
    return render(request, "community/opportunities/detail.html", context)


def _form_page(
    request: AuthenticatedHttpRequest, form: OpportunityForm, opportunity: Opportunity | None
) -> HttpResponse:
    return render(
        request,
        "community/opportunities/form.html",
        {"form": form, "opportunity": opportunity},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@takes_part
@permission_required("community.suggest_opportunity")
def suggest(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_suggest(
                actor=request.user,
                tags=form.cleaned_data["tags"],
                phi_attested=form.phi_attested,
                **form.service_fields(),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if opportunity.is_approved:
                messages.success(request, "The opportunity is on the board.")
            else:
                messages.success(
                    request, "Thank you: organizers will review it before it shows on the board."
                )
            return redirect(opportunity)
    return _form_page(request, form, None)


@permission_required("community.review_opportunities")
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(Opportunity, pk=pk)
    form = OpportunityForm(request.POST or None, instance=opportunity)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_update(
                opportunity=opportunity,
                actor=request.user,
                tags=form.cleaned_data["tags"],
                phi_attested=form.phi_attested,
                **form.service_fields(),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The opportunity is saved.")
            return redirect(opportunity)
    return _form_page(request, form, opportunity)


def _back(request: AuthenticatedHttpRequest, default: str) -> str:
    """The page a form came from (its `next`), when that is a path on this site; else `default`."""
    target = request.POST.get("next", "")
    if (
        target.startswith("/")
        and not has_line_break(target)
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return default


@require_POST
@permission_required("community.save_opportunity")
def save_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Save, or take out of the saved list; htmx gets the button back, others the page."""
    opportunity = _opportunity_for(request, pk)
    want = request.POST.get("save") == "1"
    error = ""
    try:
        if want:
            services.opportunity_save(
                opportunity=opportunity, user=request.user, actor=request.user
            )
        else:
            services.opportunity_unsave(
                opportunity=opportunity, user=request.user, actor=request.user
            )
    except DomainError as refusal:
        error = str(refusal)
    is_saved = opportunity.saves.filter(user=request.user).exists()
    if request.headers.get("HX-Request"):
        return render(
            request,
            "community/opportunities/_save.html",
            {
                "opportunity": opportunity,
                "is_saved": is_saved,
                "error": error,
                "next_url": _back(request, opportunity.get_absolute_url()),
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Saved." if is_saved else "Taken out of your saved list.")
    return redirect(_back(request, opportunity.get_absolute_url()))


@permission_required("community.review_opportunities")
def review(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "community/opportunities/review.html",
        {"pending": selectors.opportunities_pending(), "reject_form": RejectForm()},
    )


@require_POST
@permission_required("community.review_opportunities")
def approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(Opportunity, pk=pk)
    return act_then_redirect(
        request,
        _back(request, reverse("community:opportunity_review")),
        lambda: services.opportunity_approve(opportunity=opportunity, actor=request.user),
        f"“{opportunity.title}” is on the board; its author is told.",
    )


@require_POST
@permission_required("community.review_opportunities")
def reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(Opportunity, pk=pk)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return act_then_redirect(
        request,
        _back(request, reverse("community:opportunity_review")),
        lambda: services.opportunity_reject(
            opportunity=opportunity, actor=request.user, reason=reason
        ),
        f"“{opportunity.title}” is turned down; its author is told why.",
    )


@permission_required("community.view_nominations")
def opportunity_nominations(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(Opportunity, pk=pk)
    rows = opportunity.nominations.select_related("nominator__profile", "nominee__profile")
    return render(
        request,
        "community/opportunities/nominations.html",
        {"groups": [(opportunity, list(rows))], "opportunity": opportunity},
    )


@permission_required("community.view_nominations")
def nominations_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "community/opportunities/nominations.html",
        {"groups": selectors.nominations_by_opportunity(), "opportunity": None},
    )


# ---- sponsorship: nominations as their sponsor and trainee see them ----


@login_required
def my_nominations(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "community/nominations/list.html",
        {
            "received": selectors.nominations_received(user=request.user),
            "made": selectors.nominations_made(user=request.user),
            "may_nominate": request.user.has_perm("community.nominate"),
        },
    )


@takes_part
@permission_required("community.nominate")
def nominate(request: AuthenticatedHttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    if (opportunity_id := parse_id(request.GET.get("opportunity"))) is not None:
        initial["opportunity"] = selectors.opportunities_open().filter(pk=opportunity_id).first()
    form = NominationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            nomination = services.nomination_create(
                actor=request.user,
                nominee=data["nominee"],
                opportunity=data["opportunity"],
                role=data["role"],
                statement=data["statement"],
                phi_attested=form.phi_attested,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{nomination.nominee} is told of your nomination.")
            return redirect(nomination)
    return render(
        request,
        "community/nominations/form.html",
        {"form": form},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _nomination_for(request: AuthenticatedHttpRequest, pk: int) -> Nomination:
    """The nomination if the reader is its sponsor, its trainee or an organizer; else 404:
    a nomination is never published."""
    nomination = get_object_or_404(
        Nomination.objects.select_related("nominator__profile", "nominee__profile", "opportunity"),
        pk=pk,
    )
    if not selectors.nomination_visible(viewer=request.user, nomination=nomination):
        raise Http404
    return nomination


@login_required
def nomination(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _nomination_for(request, pk)
    return render(
        request,
        "community/nominations/detail.html",
        {
            "item": item,
            "is_nominee": request.user.pk == item.nominee_id,
            "is_nominator": request.user.pk == item.nominator_id,
        },
    )


def _answer(request: AuthenticatedHttpRequest, pk: int, *, accept: bool) -> HttpResponse:
    item = _nomination_for(request, pk)
    return act_then_redirect(
        request,
        item,
        lambda: services.nomination_answer(nomination=item, actor=request.user, accept=accept),
        "You accepted the nomination; your sponsor is told."
        if accept
        else "You declined the nomination.",
    )


@require_POST
@login_required
def nomination_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, accept=True)


@require_POST
@login_required
def nomination_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, accept=False)


@require_POST
@login_required
def nomination_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _nomination_for(request, pk)
    return act_then_redirect(
        request,
        item,
        lambda: services.nomination_withdraw(nomination=item, actor=request.user),
        "The nomination is withdrawn.",
    )
