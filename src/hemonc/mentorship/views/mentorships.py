"""A mentorship's page and what its two members do there: messages, goals, check-ins, the end."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hemonc.core.actions import act_then_redirect
from hemonc.core.errors import DomainError
from hemonc.core.permissions import takes_part
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.members.selectors import profile_view, user_may_see
from hemonc.mentorship import services
from hemonc.mentorship.enums import MentorshipStatus
from hemonc.mentorship.forms import CheckinForm, FeedbackForm, GoalForm, MessageForm
from hemonc.mentorship.models import Mentorship, SharedGoal


def _mentorship_for(request: AuthenticatedHttpRequest, pk: int) -> Mentorship:
    """One of the member's own mentorships, unless the other side is hidden: else 404."""
    user = request.user
    mentorship = get_object_or_404(
        Mentorship.objects.select_related("mentor__profile", "mentee__profile", "program"),
        Q(mentor=user) | Q(mentee=user),
        pk=pk,
    )
    if not user_may_see(viewer=user, other=mentorship.other(user)):
        raise Http404("No such mentorship.")
    return mentorship


def _page(
    request: AuthenticatedHttpRequest, mentorship: Mentorship, **bound: django_forms.Form
) -> HttpResponse:
    """The mentorship's page; a form that did not validate is shown with its errors."""
    user = request.user
    other = mentorship.other(user)
    forms: dict[str, Any] = {
        "message": MessageForm(),
        "goal": GoalForm(),
        "checkins": CheckinForm(initial={"every_weeks": mentorship.checkin_every_weeks}),
        "complete": FeedbackForm(),
        "feedback": FeedbackForm(),
        **bound,
    }
    if bound:
        messages.error(request, "Please correct the form below.")
    return render(
        request,
        "mentorship/mentorship_detail.html",
        {
            "mentorship": mentorship,
            "other": other,
            "other_view": profile_view(profile=other.profile, viewer=user),
            "is_mentor": mentorship.mentor_id == user.pk,
            "thread": mentorship.messages.select_related("author__profile"),
            "goals": mentorship.goals.all(),
            "forms": forms,
            "my_feedback": mentorship.feedback.filter(author=user).first(),
            "is_active": mentorship.status == MentorshipStatus.ACTIVE,
            "conversation_url": _conversation_url(user, other),
        },
    )


def _conversation_url(user: Any, other: Any) -> str | None:
    """The pair's conversation in an app above this one (messages), found through the app
    registry: `conversation_url(user=, other=)` on its AppConfig."""
    for config in apps.get_app_configs():
        if (find := getattr(config, "conversation_url", None)) is not None and (
            url := find(user=user, other=other)
        ):
            return str(url)
    return None


@login_required
def mentorship_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _page(request, _mentorship_for(request, pk))


@takes_part
@login_required
@require_POST
def mentorship_message(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship = _mentorship_for(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        return act_then_redirect(
            request,
            mentorship,
            lambda: services.mentorship_post_message(
                mentorship=mentorship, actor=request.user, body=form.cleaned_data["body"]
            ),
            "Your message is sent.",
        )
    return _page(request, mentorship, message=form)


@login_required
@require_POST
def goal_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship = _mentorship_for(request, pk)
    form = GoalForm(request.POST)
    if form.is_valid():
        return act_then_redirect(
            request,
            mentorship,
            lambda: services.goal_add(
                mentorship=mentorship, actor=request.user, text=form.cleaned_data["text"]
            ),
            "The goal is on your shared list.",
        )
    return _page(request, mentorship, goal=form)


@login_required
@require_POST
def goal_toggle(request: AuthenticatedHttpRequest, pk: int, goal_id: int) -> HttpResponse:
    mentorship = _mentorship_for(request, pk)
    goal = get_object_or_404(SharedGoal, pk=goal_id, mentorship=mentorship)
    services.goal_set_done(goal=goal, actor=request.user, done=not goal.done)
    return redirect(mentorship)


@login_required
@require_POST
def mentorship_checkins(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship = _mentorship_for(request, pk)
    form = CheckinForm(request.POST)
    if form.is_valid():
        return act_then_redirect(
            request,
            mentorship,
            lambda: services.mentorship_set_checkins(
                mentorship=mentorship,
                actor=request.user,
                every_weeks=form.cleaned_data["every_weeks"],
            ),
            "Check-in reminders are updated.",
        )
    return _page(request, mentorship, checkins=form)


@login_required
@require_POST
def mentorship_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship = _mentorship_for(request, pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        return act_then_redirect(
            request,
            mentorship,
            lambda: services.mentorship_complete(
                mentorship=mentorship, actor=request.user, feedback=form.cleaned_data["feedback"]
            ),
            "The mentorship is complete. Thank you both.",
        )
    return _page(request, mentorship, complete=form)


@login_required
@require_POST
def feedback_leave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship = _mentorship_for(request, pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        return act_then_redirect(
            request,
            mentorship,
            lambda: services.feedback_leave(
                mentorship=mentorship, actor=request.user, text=form.cleaned_data["feedback"]
            ),
            "Thank you: your feedback is saved, for organizers only.",
        )
    return _page(request, mentorship, feedback=form)


@login_required
def mentorship_exit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship = _mentorship_for(request, pk)
    if request.method == "POST":
        try:
            services.mentorship_exit(mentorship=mentorship, actor=request.user)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect(mentorship)
        messages.success(request, "The mentorship has ended. No reason needed; thank you.")
        return redirect("mentorship:home")
    return render(request, "mentorship/mentorship_exit.html", {"mentorship": mentorship})
