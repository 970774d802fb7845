"""Programs: the list, applying and withdrawing, and the organizers' matching and review."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hemonc.core.actions import act_then_redirect
from hemonc.core.errors import DomainError
from hemonc.core.forms import parse_id
from hemonc.core.permissions import permission_required
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.members.models import User
from hemonc.members.selectors import user_ids_hidden_from
from hemonc.mentorship import selectors, services
from hemonc.mentorship.enums import ProgramRole, ProgramStatus
from hemonc.mentorship.forms import ApplyForm, ProgramForm
from hemonc.mentorship.models import Mentorship, Program, ProgramApplication, Proposal

MANAGE = "mentorship.manage_programs"


@login_required
def program_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    programs = (
        Program.objects.all()
        if request.user.has_perm(MANAGE)
        else Program.objects.exclude(status=ProgramStatus.DRAFT)
    )
    return render(request, "mentorship/program_list.html", {"programs": programs})


def _program_fields(form: ProgramForm) -> dict[str, Any]:
    """What the program form gives its create and update services."""
    return {name: form.cleaned_data[name] for name in PROGRAM_FIELDS}


PROGRAM_FIELDS = (
    "name",
    "hashtag",
    "description",
    "applications_open_at",
    "applications_close_at",
    "matching_date",
    "checkin_every_weeks",
)


@permission_required(MANAGE)
def program_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(actor=request.user, **_program_fields(form))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            opens = program.applications_open_at
            messages.success(
                request,
                "The program is open for applications."
                if opens <= timezone.now()
                else "The program is ready. Applications open on "
                f"{date_format(timezone.localtime(opens), 'j M Y')}.",
            )
            return redirect(program)
    return render(request, "mentorship/program_new.html", {"form": form})


@permission_required(MANAGE)
def program_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    form = ProgramForm(request.POST or None, instance=Program.objects.get(pk=program.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.program_update(
                program=program, actor=request.user, **_program_fields(form)
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "The program is updated." if changed else "Nothing was changed."
            )
            return redirect(program)
    return render(request, "mentorship/program_edit.html", {"form": form, "program": program})


@require_POST
@permission_required(MANAGE)
def program_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    return act_then_redirect(
        request,
        program,
        lambda: services.program_close_applications(program=program, actor=request.user),
        "Applications are closed. You can run the matcher now.",
    )


def _program_for(request: AuthenticatedHttpRequest, pk: int) -> Program:
    """A program members may see: drafts only for organizers (404 for others)."""
    program = get_object_or_404(Program, pk=pk)
    if program.status == ProgramStatus.DRAFT and not request.user.has_perm(MANAGE):
        raise Http404("No such program.")
    return program


def _program_page(
    request: AuthenticatedHttpRequest, program: Program, form: ApplyForm | None = None
) -> HttpResponse:
    user = request.user
    application = ProgramApplication.objects.filter(program=program, user=user).first()
    now = timezone.now()
    is_open = program.status == ProgramStatus.OPEN
    initial = {"role": application.role, "capacity": application.capacity} if application else {}
    return render(
        request,
        "mentorship/program_detail.html",
        {
            "program": program,
            "application": application,
            "form": form or ApplyForm(initial=initial),
            "is_open": is_open
            and program.applications_open_at <= now < program.applications_close_at,
            "not_yet_open": is_open and now < program.applications_open_at,
            "window_over": is_open and now >= program.applications_close_at,
            "my_mentorships": Mentorship.objects.filter(program=program)
            .filter(Q(mentor=user) | Q(mentee=user))
            .select_related("mentor__profile", "mentee__profile"),
            "counts": selectors.program_counts(program=program),
        },
    )


@login_required
def program_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _program_page(request, _program_for(request, pk))


@login_required
@require_POST
def program_apply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = _program_for(request, pk)
    form = ApplyForm(request.POST)
    if form.is_valid():
        try:
            services.program_apply(
                program=program,
                user=request.user,
                actor=request.user,
                role=form.cleaned_data["role"],
                capacity=form.cleaned_data["capacity"] or 1,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Your application is in. You will get a mail when matches are published."
            )
            return redirect(program)
    return _program_page(request, program, form)


@login_required
@require_POST
def program_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = _program_for(request, pk)
    try:
        services.program_withdraw(program=program, user=request.user, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your application is withdrawn.")
    return redirect(program)


@permission_required(MANAGE)
def program_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    proposals = list(
        program.proposals.select_related("mentee__profile", "mentor__profile").order_by(
            "mentor_id", "id"
        )
    )
    hidden = user_ids_hidden_from(viewer=request.user) or frozenset()
    applications = [
        a
        for a in ProgramApplication.objects.filter(program=program)
        .select_related("user__profile")
        .order_by("user__profile__display_name", "id")
        if a.user_id not in hidden
    ]
    mentors = [a.user for a in applications if a.role == ProgramRole.MENTOR]
    load: dict[int, int] = defaultdict(int)
    for proposal in proposals:
        if proposal.mentor_id:
            load[proposal.mentor_id] += 1
    mentor_rows = [
        {"user": a.user, "capacity": a.capacity, "proposed": load[a.user_id]}
        for a in applications
        if a.role == ProgramRole.MENTOR
    ]
    return render(
        request,
        "mentorship/program_review.html",
        {
            "program": program,
            "matched": [p for p in proposals if p.mentor_id],
            "unmatched": [p for p in proposals if not p.mentor_id],
            "mentors": mentors,
            "mentor_rows": mentor_rows,
            "mentee_users": [a.user for a in applications if a.role == ProgramRole.MENTEE],
            "counts": selectors.program_counts(program=program),
            "can_edit": program.status == ProgramStatus.MATCHING,
        },
    )


@require_POST
@permission_required(MANAGE)
def program_match(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)

    def proposed(proposals: list[Proposal]) -> str:
        matched = sum(1 for p in proposals if p.mentor_id)
        pairs = ngettext("%(n)d pair", "%(n)d pairs", matched) % {"n": matched}
        mentees = ngettext("%(n)d mentee", "%(n)d mentees", len(proposals)) % {"n": len(proposals)}
        return f"The matcher proposes {pairs} for {mentees}."

    return act_then_redirect(
        request,
        reverse("mentorship:program_review", args=[program.pk]),
        lambda: services.program_run_matcher(program=program, actor=request.user),
        proposed,
    )


@require_POST
@permission_required(MANAGE)
def program_proposal_set(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    proposal = get_object_or_404(
        Proposal, pk=parse_id(request.POST.get("proposal")), program=program
    )
    mentor_id = parse_id(request.POST.get("mentor"))
    mentor = get_object_or_404(User, pk=mentor_id) if mentor_id else None
    return act_then_redirect(
        request,
        reverse("mentorship:program_review", args=[program.pk]),
        lambda: services.proposal_set_mentor(proposal=proposal, mentor=mentor, actor=request.user),
        "The proposal is updated.",
    )


@require_POST
@permission_required(MANAGE)
def program_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    return act_then_redirect(
        request,
        reverse("mentorship:program_review", args=[program.pk]),
        lambda: services.program_publish(program=program, actor=request.user),
        lambda started: (
            ngettext(
                "Published: %(n)d mentorship started, and both sides got a mail.",
                "Published: %(n)d mentorships started, and both sides of each got a mail.",
                len(started),
            )
            % {"n": len(started)}
        ),
    )
