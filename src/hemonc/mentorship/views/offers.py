"""The finder, offers and goals, and requests with their answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hemonc.core.errors import DomainError
from hemonc.core.permissions import permission_required, takes_part
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.members.models import User
from hemonc.members.selectors import profile_view, user_may_see
from hemonc.mentorship import selectors, services
from hemonc.mentorship.enums import ProgramStatus, RequestStatus
from hemonc.mentorship.forms import AnswerForm, FinderForm, GoalsForm, OfferForm, RequestForm
from hemonc.mentorship.models import (
    MenteeGoals,
    MentorOffer,
    Mentorship,
    MentorshipRequest,
    Program,
    SpeedMentoringEvent,
)

FINDER_PAGE_SIZE = 24


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    offer = MentorOffer.objects.filter(user=user).first()
    return render(
        request,
        "mentorship/home.html",
        {
            "offer": offer,
            "seats_left": selectors.seats_left(offer=offer) if offer else None,
            "goals": MenteeGoals.objects.filter(user=user).first(),
            "mentorships": selectors.mentorships_for(user=user),
            "requests": selectors.requests_for(user=user),
            "programs": Program.objects.exclude(status=ProgramStatus.DRAFT)[:5],
            "speed_events": SpeedMentoringEvent.objects.filter(
                starts_at__gte=timezone.now() - timedelta(hours=12)
            ).order_by("starts_at", "id")[:3],
        },
    )


@login_required
def finder(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FinderForm(request.GET or None, initial={"with_seats": True})
    filters = selectors.FinderFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.FinderFilters(
            topic=data["topic"],
            career_path=data["career_path"],
            stage=data["stage"],
            format=data["format"],
            language=data["language"],
            with_seats=data["with_seats"],
        )
    offers = selectors.mentor_finder(viewer=request.user, filters=filters)
    page = Paginator(offers, FINDER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    cards = [
        {
            "offer": offer,
            "view": profile_view(profile=offer.user.profile, viewer=request.user),
            "seats_left": max(0, offer.capacity - offer.active_count),  # type: ignore[attr-defined]
        }
        for offer in page
    ]
    context = {"form": form, "page": page, "cards": cards, "querystring": query.urlencode()}
    partial = "#results" if request.headers.get("HX-Request") else ""
    return render(request, f"mentorship/finder.html{partial}", context)


@takes_part
@login_required
def offer_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    offer = MentorOffer.objects.filter(user=user).first()
    initial: dict[str, Any] = {"status": "accepting", "capacity": 2}
    if offer:
        initial = {
            "status": offer.status,
            "capacity": offer.capacity,
            "about": offer.about,
            "stages": offer.stages,
            "formats": offer.formats,
            "languages": offer.languages,
            "topics": offer.topics.all(),
            "career_paths": offer.career_paths.all(),
            "communities": offer.communities,
        }
    form = OfferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_save(user=user, actor=user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your mentor offer is saved.")
            return redirect("mentorship:home")
    return render(request, "mentorship/offer_edit.html", {"form": form, "offer": offer})


@login_required
def goals_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    goals = MenteeGoals.objects.filter(user=user).first()
    initial: dict[str, Any] = {}
    if goals:
        initial = {
            "text": goals.text,
            "formats": goals.formats,
            "languages": goals.languages,
            "topics": goals.topics.all(),
            "career_paths": goals.career_paths.all(),
            "ranked_mentors": list(goals.ranked_mentors),
            "excluded_mentors": list(goals.excluded_mentors.all()),
            "avoid_own_institution": goals.avoid_own_institution,
            "prefers_shared_community": goals.prefers_shared_community,
        }
    form = GoalsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.goals_save(user=user, actor=user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your mentee goals are saved.")
            return redirect("mentorship:home")
    return render(request, "mentorship/goals_edit.html", {"form": form})


@takes_part
@login_required
def request_create(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    mentor = get_object_or_404(User.objects.select_related("profile"), pk=user_id, is_active=True)
    if not user_may_see(viewer=request.user, other=mentor):
        raise Http404("No such mentor.")
    offer = get_object_or_404(MentorOffer, user=mentor)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_create(
                mentee=request.user,
                mentor=mentor,
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Your request is on its way to {mentor}.")
            return redirect(created)
    return render(
        request,
        "mentorship/request_create.html",
        {
            "form": form,
            "mentor": mentor,
            "offer": offer,
            "view": profile_view(profile=mentor.profile, viewer=request.user),
            "seats_left": selectors.seats_left(offer=offer),
        },
    )


def _request_for(request: AuthenticatedHttpRequest, pk: int) -> MentorshipRequest:
    """A request of the signed-in member's (either side), unless the other is hidden: else 404."""
    user = request.user
    item = get_object_or_404(
        MentorshipRequest.objects.select_related("mentor__profile", "mentee__profile"),
        Q(mentor=user) | Q(mentee=user),
        pk=pk,
    )
    if not user_may_see(viewer=user, other=item.other(user)):
        raise Http404("No such request.")
    return item


def _request_page(
    request: AuthenticatedHttpRequest, item: MentorshipRequest, form: AnswerForm
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "mentorship/request_detail.html",
        {
            "item": item,
            "other": item.other(user),
            "is_mentor": item.mentor_id == user.pk,
            "is_pending": item.status == RequestStatus.PENDING,
            "form": form,
            "mentorship": Mentorship.objects.filter(request=item).first(),
        },
    )


@login_required
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _request_page(request, _request_for(request, pk), AnswerForm())


@require_POST
@permission_required("mentorship.answer_request", obj=_request_for)
def request_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _request_for(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _request_page(request, item, form)
    try:
        mentorship = services.request_accept(
            request=item, actor=request.user, message=form.cleaned_data["message"]
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(item)
    messages.success(request, f"You are now {item.mentee}'s mentor.")
    return redirect(mentorship)


@require_POST
@permission_required("mentorship.answer_request", obj=_request_for)
def request_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _request_for(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _request_page(request, item, form)
    try:
        services.request_decline(
            request=item, actor=request.user, message=form.cleaned_data["message"]
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(item)
    messages.success(request, "You declined the request. They are told kindly.")
    return redirect("mentorship:home")


@require_POST
@permission_required("mentorship.withdraw_request", obj=_request_for)
def request_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _request_for(request, pk)
    try:
        services.request_withdraw(request=item, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(item)
    messages.success(request, "Your request is withdrawn.")
    return redirect("mentorship:home")
