"""Mentorship pages: the finder, offers and goals, requests, mentorships, programs, speed mentoring."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hemonc.core.errors import DomainError
from hemonc.core.forms import parse_id
from hemonc.members.models import User
from hemonc.members.selectors import profile_view, user_ids_hidden_from, user_may_see
from hemonc.mentorship import selectors, services
from hemonc.mentorship.enums import MentorshipStatus, ProgramRole, ProgramStatus, RequestStatus
from hemonc.mentorship.forms import (
    AnswerForm,
    ApplyForm,
    CheckinForm,
    FeedbackForm,
    FinderForm,
    GoalForm,
    GoalsForm,
    MessageForm,
    OfferForm,
    ProgramForm,
    RequestForm,
    SpeedEventForm,
)
from hemonc.mentorship.models import (
    MenteeGoals,
    MentorOffer,
    Mentorship,
    MentorshipRequest,
    Program,
    ProgramApplication,
    Proposal,
    SharedGoal,
    SpeedMentoringEvent,
    SpeedParticipant,
)

FINDER_PAGE_SIZE = 24


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _organizer_only(request: HttpRequest) -> None:
    if not _user(request).is_organizer:
        raise HttpForbidden("Organizers only.")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
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
        },
    )


@login_required
def finder(request: HttpRequest) -> HttpResponse:
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
            "seats_left": max(0, offer.capacity - offer.active_count),
        }
        for offer in page
    ]
    context = {"form": form, "page": page, "cards": cards, "querystring": query.urlencode()}
    template = "mentorship/_finder_results.html" if request.headers.get("HX-Request") else None
    return render(request, template or "mentorship/finder.html", context)


@login_required
def offer_edit(request: HttpRequest) -> HttpResponse:
    user = _user(request)
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
            services.offer_save(user=user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your mentor offer is saved.")
            return redirect("mentorship:home")
    return render(request, "mentorship/offer_edit.html", {"form": form, "offer": offer})


@login_required
def goals_edit(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    goals = MenteeGoals.objects.filter(user=user).first()
    initial: dict[str, Any] = {}
    if goals:
        initial = {
            "text": goals.text,
            "formats": goals.formats,
            "languages": goals.languages,
            "topics": goals.topics.all(),
            "career_paths": goals.career_paths.all(),
            "ranked_mentors": ", ".join(str(pk) for pk in goals.ranked_mentors),
            "excluded_mentors": ", ".join(str(u.pk) for u in goals.excluded_mentors.all()),
            "avoid_own_institution": goals.avoid_own_institution,
            "prefers_shared_community": goals.prefers_shared_community,
        }
    form = GoalsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        excluded = User.objects.filter(pk__in=data.pop("excluded_mentors"))
        try:
            services.goals_save(user=user, excluded_mentors=excluded, **data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your mentee goals are saved.")
            return redirect("mentorship:home")
    return render(request, "mentorship/goals_edit.html", {"form": form})


@login_required
def request_create(request: HttpRequest, user_id: int) -> HttpResponse:
    mentor = get_object_or_404(User.objects.select_related("profile"), pk=user_id, is_active=True)
    if not user_may_see(viewer=request.user, other=mentor):
        raise Http404("No such mentor.")
    offer = get_object_or_404(MentorOffer, user=mentor)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_create(
                mentee=_user(request), mentor=mentor, note=form.cleaned_data["note"]
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


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item = get_object_or_404(
        MentorshipRequest.objects.select_related("mentor__profile", "mentee__profile"),
        Q(mentor=user) | Q(mentee=user),
        pk=pk,
    )
    other = item.mentee if item.mentor_id == user.pk else item.mentor
    if not user_may_see(viewer=user, other=other):
        raise Http404("No such request.")
    form = AnswerForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept" and form.is_valid():
                mentorship = services.request_accept(
                    request=item, actor=user, message=form.cleaned_data["message"]
                )
                messages.success(request, f"You are now {item.mentee}'s mentor.")
                return redirect(mentorship)
            if action == "decline" and form.is_valid():
                services.request_decline(
                    request=item, actor=user, message=form.cleaned_data["message"]
                )
                messages.success(request, "You declined the request. They are told kindly.")
                return redirect("mentorship:home")
            if action == "withdraw":
                services.request_withdraw(request=item, actor=user)
                messages.success(request, "Your request is withdrawn.")
                return redirect("mentorship:home")
        except DomainError as error:
            messages.error(request, str(error))
            return redirect(item)
    mentorship = Mentorship.objects.filter(request=item).first()
    return render(
        request,
        "mentorship/request_detail.html",
        {
            "item": item,
            "other": other,
            "is_mentor": item.mentor_id == user.pk,
            "is_pending": item.status == RequestStatus.PENDING,
            "form": form,
            "mentorship": mentorship,
        },
    )


def _mentorship_for(request: HttpRequest, pk: int) -> Mentorship:
    user = _user(request)
    mentorship = get_object_or_404(
        Mentorship.objects.select_related("mentor__profile", "mentee__profile", "program"),
        Q(mentor=user) | Q(mentee=user),
        pk=pk,
    )
    other = mentorship.mentee if mentorship.mentor_id == user.pk else mentorship.mentor
    if not user_may_see(viewer=user, other=other):
        raise Http404("No such mentorship.")
    return mentorship


MENTORSHIP_ACTIONS = {
    "message": (MessageForm, "Your message is sent."),
    "goal": (GoalForm, "The goal is on your shared list."),
    "checkins": (CheckinForm, "Check-in reminders are updated."),
    "complete": (FeedbackForm, "The mentorship is complete. Thank you both."),
    "feedback": (FeedbackForm, "Thank you: your feedback is saved, for organizers only."),
}


@login_required
def mentorship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    mentorship = _mentorship_for(request, pk)
    forms: dict[str, Any] = {
        name: form_class() for name, (form_class, _) in MENTORSHIP_ACTIONS.items()
    }
    forms["checkins"] = CheckinForm(initial={"every_weeks": mentorship.checkin_every_weeks})
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in MENTORSHIP_ACTIONS:
            messages.error(request, "Unknown action.")
            return redirect(mentorship)
        form_class, success = MENTORSHIP_ACTIONS[action]
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "message":
                    services.mentorship_post_message(
                        mentorship=mentorship, author=user, body=data["body"]
                    )
                elif action == "goal":
                    services.goal_add(mentorship=mentorship, actor=user, text=data["text"])
                elif action == "checkins":
                    services.mentorship_set_checkins(
                        mentorship=mentorship, actor=user, every_weeks=data["every_weeks"]
                    )
                elif action == "complete":
                    services.mentorship_complete(
                        mentorship=mentorship, actor=user, feedback=data["feedback"]
                    )
                else:
                    services.feedback_leave(
                        mentorship=mentorship, author=user, text=data["feedback"]
                    )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, success)
                return redirect(mentorship)
        forms[action] = form
        messages.error(request, "Please correct the form below.")
    other = mentorship.mentee if mentorship.mentor_id == user.pk else mentorship.mentor
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
        },
    )


@login_required
@require_POST
def goal_toggle(request: HttpRequest, pk: int, goal_id: int) -> HttpResponse:
    mentorship = _mentorship_for(request, pk)
    goal = get_object_or_404(SharedGoal, pk=goal_id, mentorship=mentorship)
    services.goal_set_done(goal=goal, actor=_user(request), done=not goal.done)
    return redirect(mentorship)


@login_required
def mentorship_exit(request: HttpRequest, pk: int) -> HttpResponse:
    mentorship = _mentorship_for(request, pk)
    if request.method == "POST":
        try:
            services.mentorship_exit(mentorship=mentorship, actor=_user(request))
        except DomainError as error:
            messages.error(request, str(error))
            return redirect(mentorship)
        messages.success(request, "The mentorship has ended. No reason needed; thank you.")
        return redirect("mentorship:home")
    return render(request, "mentorship/mentorship_exit.html", {"mentorship": mentorship})


# ---------------------------------------------------------------------------------------------
# Programs


@login_required
def program_list(request: HttpRequest) -> HttpResponse:
    programs = (
        Program.objects.all()
        if _user(request).is_organizer
        else Program.objects.exclude(status=ProgramStatus.DRAFT)
    )
    return render(request, "mentorship/program_list.html", {"programs": programs})


@login_required
def program_new(request: HttpRequest) -> HttpResponse:
    _organizer_only(request)
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(actor=_user(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The program is open for applications.")
            return redirect(program)
    return render(request, "mentorship/program_new.html", {"form": form})


@login_required
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    program = get_object_or_404(Program, pk=pk)
    if program.status == ProgramStatus.DRAFT and not user.is_organizer:
        raise Http404("No such program.")
    application = ProgramApplication.objects.filter(program=program, user=user).first()
    form = ApplyForm(
        request.POST or None, initial={"role": application.role if application else ""}
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "withdraw":
                services.program_withdraw(program=program, user=user)
                messages.success(request, "Your application is withdrawn.")
                return redirect(program)
            if form.is_valid():
                services.program_apply(
                    program=program,
                    user=user,
                    role=form.cleaned_data["role"],
                    capacity=form.cleaned_data["capacity"] or 1,
                )
                messages.success(
                    request,
                    "Your application is in. You will get a mail when matches are published.",
                )
                return redirect(program)
        except DomainError as error:
            form.add_error(None, str(error))
    now = timezone.now()
    return render(
        request,
        "mentorship/program_detail.html",
        {
            "program": program,
            "application": application,
            "form": form,
            "is_open": program.status == ProgramStatus.OPEN
            and program.applications_open_at <= now < program.applications_close_at,
            "counts": selectors.program_counts(program=program),
        },
    )


@login_required
def program_review(request: HttpRequest, pk: int) -> HttpResponse:
    _organizer_only(request)
    user = _user(request)
    program = get_object_or_404(Program, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "match":
                proposals = services.program_run_matcher(program=program, actor=user)
                matched = sum(1 for p in proposals if p.mentor_id)
                messages.success(
                    request, f"The matcher proposes {matched} pairs for {len(proposals)} mentees."
                )
            elif action == "set":
                proposal = get_object_or_404(
                    Proposal, pk=parse_id(request.POST.get("proposal")), program=program
                )
                mentor_id = parse_id(request.POST.get("mentor"))
                mentor = get_object_or_404(User, pk=mentor_id) if mentor_id else None
                services.proposal_set_mentor(proposal=proposal, mentor=mentor, actor=user)
                messages.success(request, "The proposal is updated.")
            elif action == "publish":
                started = services.program_publish(program=program, actor=user)
                messages.success(
                    request,
                    f"Published: {len(started)} mentorships started; both sides got a mail.",
                )
        except DomainError as error:
            messages.error(request, str(error))
        return redirect("mentorship:program_review", pk=program.pk)
    proposals = list(
        program.proposals.select_related("mentee__profile", "mentor__profile").order_by(
            "mentor_id", "id"
        )
    )
    mentors = [
        a.user
        for a in ProgramApplication.objects.filter(
            program=program, role=ProgramRole.MENTOR
        ).select_related("user__profile")
    ]
    load: dict[int, int] = defaultdict(int)
    for proposal in proposals:
        if proposal.mentor_id:
            load[proposal.mentor_id] += 1
    return render(
        request,
        "mentorship/program_review.html",
        {
            "program": program,
            "matched": [p for p in proposals if p.mentor_id],
            "unmatched": [p for p in proposals if not p.mentor_id],
            "mentors": mentors,
            "load": load,
            "counts": selectors.program_counts(program=program),
            "can_edit": program.status == ProgramStatus.MATCHING,
        },
    )


# ---------------------------------------------------------------------------------------------
# Speed mentoring


@login_required
def speed_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = SpeedEventForm(request.POST or None) if user.is_organizer else None
    if request.method == "POST":
        _organizer_only(request)
        assert form is not None
        if form.is_valid():
            event = services.speed_event_create(actor=user, **form.cleaned_data)
            messages.success(request, "The speed-mentoring event is created.")
            return redirect(event)
    return render(
        request,
        "mentorship/speed_list.html",
        {"events": SpeedMentoringEvent.objects.all(), "form": form},
    )


@login_required
def speed_event(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    event = get_object_or_404(SpeedMentoringEvent.objects.select_related("session"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in {"join_mentor", "join_mentee"}:
                role = ProgramRole.MENTOR if action == "join_mentor" else ProgramRole.MENTEE
                services.speed_participant_add(event=event, user=user, role=role, actor=user)
                messages.success(
                    request, "You are on the list. An organizer checks you in on the day."
                )
            else:
                _organizer_only(request)
                if action == "check_in":
                    participant = get_object_or_404(
                        SpeedParticipant, pk=parse_id(request.POST.get("participant")), event=event
                    )
                    services.speed_check_in(
                        participant=participant,
                        actor=user,
                        checked_in=request.POST.get("value") == "1",
                    )
                elif action == "sync":
                    count = services.speed_event_sync_check_ins(event=event, actor=user)
                    messages.success(
                        request, f"{count} people marked here from the session's check-ins."
                    )
                elif action == "schedule":
                    seats = services.speed_event_schedule(event=event, actor=user)
                    messages.success(request, f"Scheduled {len(seats)} conversations.")
        except DomainError as error:
            messages.error(request, str(error))
        return redirect(event)
    # Blocked (either way) and muted members are not listed, not even at their tables.
    hidden = user_ids_hidden_from(viewer=user) or frozenset()
    participants = [
        p for p in event.participants.select_related("user__profile") if p.user_id not in hidden
    ]
    return render(
        request,
        "mentorship/speed_event.html",
        {
            "event": event,
            "mentors": [p for p in participants if p.role == ProgramRole.MENTOR],
            "mentees": [p for p in participants if p.role == ProgramRole.MENTEE],
            "mine": next((p for p in participants if p.user_id == user.pk), None),
            "rounds": _rounds(event, hidden=hidden),
            "is_organizer": user.is_organizer,
        },
    )


def _rounds(
    event: SpeedMentoringEvent, *, hidden: frozenset[int] = frozenset()
) -> list[dict[str, Any]]:
    """The schedule by round and table, without the tables of `hidden` mentors and `hidden`
    mentees."""
    tables: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for seat in event.seats.select_related("mentor__profile", "mentee__profile"):
        if seat.mentor_id in hidden:
            continue
        table = tables[seat.round].setdefault(
            seat.mentor_id, {"mentor": seat.mentor, "mentees": []}
        )
        if seat.mentee_id not in hidden:
            table["mentees"].append(seat.mentee)
    return [{"number": n, "tables": list(tables[n].values())} for n in sorted(tables)]


@login_required
def speed_projector(request: HttpRequest, pk: int) -> HttpResponse:
    _organizer_only(request)
    event = get_object_or_404(SpeedMentoringEvent, pk=pk)
    rounds = _rounds(event)
    number = parse_id(request.GET.get("round", "1")) or 1
    current = next((r for r in rounds if r["number"] == number), None)
    return render(
        request,
        "mentorship/speed_projector.html",
        {
            "event": event,
            "current": current,
            "number": number,
            "last": len(rounds),
            "seconds": event.round_minutes * 60,
        },
    )


@login_required
def speed_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable schedule per person: an organizer sees everyone's, a participant their own."""
    user = _user(request)
    event = get_object_or_404(SpeedMentoringEvent, pk=pk)
    seats = event.seats.select_related("mentor__profile", "mentee__profile")
    if not user.is_organizer:
        seats = seats.filter(Q(mentor=user) | Q(mentee=user))
    hidden = user_ids_hidden_from(viewer=user) or frozenset()
    people: dict[int, dict[str, Any]] = {}
    for seat in seats:
        if seat.mentor_id in hidden or seat.mentee_id in hidden:
            continue  # a block after the schedule was made: the other is not named
        for person, partner, role in (
            (seat.mentor, seat.mentee, "mentor"),
            (seat.mentee, seat.mentor, "mentee"),
        ):
            if not user.is_organizer and person.pk != user.pk:
                continue
            entry = people.setdefault(
                person.pk, {"person": person, "role": role, "rounds": defaultdict(list)}
            )
            entry["rounds"][seat.round].append(partner)
    schedules = [
        {"person": e["person"], "role": e["role"], "rounds": sorted(e["rounds"].items())}
        for e in sorted(people.values(), key=lambda e: (e["role"], str(e["person"])))
    ]
    return render(request, "mentorship/speed_print.html", {"event": event, "schedules": schedules})
