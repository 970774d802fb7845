"""Speed mentoring: events, joining, organizers' check-in and schedule, projector and print."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hemonc.core.actions import act_then_redirect
from hemonc.core.forms import parse_id
from hemonc.core.permissions import permission_required
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.members.selectors import user_ids_hidden_from
from hemonc.mentorship import services
from hemonc.mentorship.enums import ProgramRole
from hemonc.mentorship.forms import SpeedEventForm, SpeedPeopleForm
from hemonc.mentorship.models import SpeedMentoringEvent, SpeedParticipant

MANAGE = "mentorship.manage_speed_events"


def _list_page(request: AuthenticatedHttpRequest, form: SpeedEventForm | None) -> HttpResponse:
    return render(
        request,
        "mentorship/speed_list.html",
        {"events": SpeedMentoringEvent.objects.all(), "form": form, "now": timezone.now()},
    )


@login_required
def speed_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _list_page(request, SpeedEventForm() if request.user.has_perm(MANAGE) else None)


@require_POST
@permission_required(MANAGE)
def speed_event_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SpeedEventForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form)
    data = form.cleaned_data
    event = services.speed_event_create(
        actor=request.user,
        title=data["title"],
        starts_at=data["starts_at"],
        rounds=data["rounds"],
        table_size=data["table_size"],
        round_minutes=data["round_minutes"],
        session=data["session"],
    )
    messages.success(request, "The speed-mentoring event is created.")
    return redirect(event)


@login_required
def speed_event(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(SpeedMentoringEvent.objects.select_related("session"), pk=pk)
    return _event_page(request, event)


def _event_page(
    request: AuthenticatedHttpRequest,
    event: SpeedMentoringEvent,
    people_form: SpeedPeopleForm | None = None,
) -> HttpResponse:
    user = request.user
    may_manage = user.has_perm(MANAGE)
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
            "may_manage": may_manage,
            "is_over": event.ends_at < timezone.now(),
            "people_form": people_form or (SpeedPeopleForm() if may_manage else None),
        },
        status=400 if people_form is not None else 200,
    )


@require_POST
@permission_required(MANAGE)
def speed_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Organizers put people on the list by name, as mentors or mentees."""
    event = get_object_or_404(SpeedMentoringEvent.objects.select_related("session"), pk=pk)
    form = SpeedPeopleForm(request.POST)
    if not form.is_valid():
        return _event_page(request, event, form)
    return act_then_redirect(
        request,
        event,
        lambda: services.speed_participants_add(
            event=event,
            mentors=form.cleaned_data["mentors"],
            mentees=form.cleaned_data["mentees"],
            actor=request.user,
        ),
        lambda added: (
            ngettext("%(n)d person is on the list.", "%(n)d people are on the list.", len(added))
            % {"n": len(added)}
        ),
    )


@login_required
@require_POST
def speed_join(request: AuthenticatedHttpRequest, pk: int, role: str) -> HttpResponse:
    """Join as a mentor or a mentee (the URL says which)."""
    event = get_object_or_404(SpeedMentoringEvent, pk=pk)
    return act_then_redirect(
        request,
        event,
        lambda: services.speed_participant_add(
            event=event, user=request.user, role=role, actor=request.user
        ),
        "You are on the list. An organizer checks you in on the day.",
    )


@require_POST
@permission_required(MANAGE)
def speed_check_in(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(SpeedMentoringEvent, pk=pk)
    participant = get_object_or_404(
        SpeedParticipant, pk=parse_id(request.POST.get("participant")), event=event
    )
    services.speed_check_in(
        participant=participant, actor=request.user, checked_in=request.POST.get("value") == "1"
    )
    return redirect(event)


@require_POST
@permission_required(MANAGE)
def speed_sync(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(SpeedMentoringEvent, pk=pk)
    count = services.speed_event_sync_check_ins(event=event, actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(n)d person is marked here from the session's check-ins.",
            "%(n)d people are marked here from the session's check-ins.",
            count,
        )
        % {"n": count},
    )
    return redirect(event)


@require_POST
@permission_required(MANAGE)
def speed_schedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(SpeedMentoringEvent, pk=pk)
    return act_then_redirect(
        request,
        event,
        lambda: services.speed_event_schedule(event=event, actor=request.user),
        lambda seats: (
            ngettext("Scheduled %(n)d conversation.", "Scheduled %(n)d conversations.", len(seats))
            % {"n": len(seats)}
        ),
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


@permission_required(MANAGE)
def speed_projector(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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


@permission_required("mentorship.print_speed_schedule")
def speed_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The organizers' printable schedule: every participant's rounds, one card each."""
    event = get_object_or_404(SpeedMentoringEvent, pk=pk)
    seats = event.seats.select_related("mentor__profile", "mentee__profile")
    hidden = user_ids_hidden_from(viewer=request.user) or frozenset()
    people: dict[int, dict[str, Any]] = {}
    for seat in seats:
        if seat.mentor_id in hidden or seat.mentee_id in hidden:
            continue  # a block after the schedule was made: the other is not named
        for person, partner, role in (
            (seat.mentor, seat.mentee, ProgramRole.MENTOR),
            (seat.mentee, seat.mentor, ProgramRole.MENTEE),
        ):
            entry = people.setdefault(
                person.pk, {"person": person, "role": role, "rounds": defaultdict(list)}
            )
            entry["rounds"][seat.round].append(partner)
    schedules = [
        {"person": e["person"], "role": e["role"], "rounds": sorted(e["rounds"].items())}
        for e in sorted(people.values(), key=lambda e: (e["role"], str(e["person"])))
    ]
    return render(request, "mentorship/speed_print.html", {"event": event, "schedules": schedules})
