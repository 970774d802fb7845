"""Session pages: lists and calendars, the session page with RSVP, Q&A and check-in, guests,
seasons, and the organizers' forms."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import conditional_page, require_POST

from hemonc.core.caching import page_cache
from hemonc.core.errors import DomainError, RateLimited
from hemonc.core.forms import parse_id
from hemonc.core.permissions import permission_required, takes_part
from hemonc.core.spreadsheets import csv_download
from hemonc.events import selectors, services
from hemonc.events.calendars import cached_sessions_calendar, sessions_calendar
from hemonc.events.enums import RsvpStatus
from hemonc.events.forms import (
    AttendanceForm,
    GuestForm,
    QuestionForm,
    ScheduleForm,
    SeasonForm,
    SessionForm,
    VisitorRsvpForm,
)
from hemonc.events.models import CalendarFeed, Guest, LiveSession, Question, Rsvp, Season
from hemonc.events.tokens import read_confirm_token, read_manage_token
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.members.selectors import user_may_see

FEED_CACHE_SECONDS = 300
QUESTION_POLL_SECONDS = 5


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _changed_at(response: HttpResponse, *moments: datetime | None) -> HttpResponse:
    """Last-Modified: the latest of `moments`. With `conditional_page`, which adds an ETag of
    the body, a calendar app asking again with If-None-Match or If-Modified-Since gets a 304
    while nothing changed."""
    latest = max((moment for moment in moments if moment is not None), default=None)
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response


# ---------------------------------------------------------------------------------------------
# Lists


def upcoming(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/upcoming.html",
        {
            "sessions": selectors.session_list_upcoming(),
            "is_organizer": selectors.viewer_is_organizer(request.user),
        },
    )


def month(request: HttpRequest, year: int | None = None, month: int | None = None) -> HttpResponse:
    today = timezone.localdate()
    year, month = year or today.year, month or today.month
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise Http404("No such month.")
    zone = timezone.get_current_timezone()
    first = date(year, month, 1)
    previous = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return render(
        request,
        "events/month.html",
        {
            "weeks": selectors.session_month(year=year, month=month, zone=zone),
            "first": first,
            "previous": previous,
            "following": following,
            "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        },
    )


def past(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/past.html",
        {
            "sessions": selectors.session_list_past()[:200],
            "exact": selectors.viewer_is_organizer(request.user),
        },
    )


# ---------------------------------------------------------------------------------------------
# One session


def _session_context(request: HttpRequest, session: LiveSession) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    rsvp = selectors.rsvp_of(session=session, user=user)
    is_organizer = selectors.viewer_is_organizer(user)
    may_moderate = user.has_perm("events.moderate_questions", session)
    has_seat = rsvp is not None and rsvp.status in {RsvpStatus.GOING, RsvpStatus.WAITLISTED}
    counts = selectors.session_rsvp_counts(session=session)
    return {
        "session": session,
        "people": selectors.session_people(session=session, viewer=user),
        "rsvp": rsvp if has_seat else None,
        "waitlist_position": selectors.waitlist_position(rsvp=rsvp) if rsvp else None,
        "counts": counts,
        "seats_label": selectors.seats_left_label(
            capacity=session.capacity, going=counts.going, exact=is_organizer
        )
        if session.capacity
        else "",
        "show_join_link": bool(session.join_url)
        and (not session.join_url_for_rsvps_only or has_seat or is_organizer),
        "is_over": session.ends_at <= now,
        "is_organizer": is_organizer,
        "may_moderate": may_moderate,
        "check_in_open": session.is_check_in_open(now),
        "checked_in": _attended(request, session),
        "attendance": selectors.session_attendance(session=session),
        "exact": is_organizer,
        "visitor_form": VisitorRsvpForm(),
        "attendance_form": AttendanceForm(initial={"peak_listeners": session.peak_listeners}),
        **_questions_context(request, session, may_moderate=may_moderate),
    }


def _attended(request: HttpRequest, session: LiveSession) -> bool:
    user = request.user
    return user.is_authenticated and selectors.user_attended(user=user, session=session)


def _questions_context(
    request: HttpRequest,
    session: LiveSession,
    *,
    may_moderate: bool,
    form: QuestionForm | None = None,
) -> dict[str, Any]:
    now = timezone.now()
    return {
        "session": session,
        "questions": selectors.session_questions(
            session=session, viewer=request.user, may_moderate=may_moderate
        ),
        "question_form": form or QuestionForm(),
        "accepts_questions": session.accepts_questions(now),
        "may_moderate": may_moderate,
        # The list refreshes itself while the session is on (and just before it).
        "poll": session.is_check_in_open(now),
        "poll_seconds": QUESTION_POLL_SECONDS,
    }


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(
        LiveSession.objects.select_related("season").prefetch_related("topics"), pk=pk
    )
    return render(request, "events/session.html", _session_context(request, session))


@conditional_page
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(LiveSession, pk=pk)
    rsvp = selectors.rsvp_of(session=session, user=request.user)
    has_seat = rsvp is not None and rsvp.status in {RsvpStatus.GOING, RsvpStatus.WAITLISTED}
    body = sessions_calendar([session], name=session.title, show_join_links=has_seat)
    response = _ics_response(body, f"session-{session.pk}.ics")
    return _changed_at(response, session.updated_at, rsvp.updated_at if rsvp else None)


@conditional_page
def public_feed(request: HttpRequest) -> HttpResponse:
    """Every session in one calendar. Rebuilt only when a session changes (cache key)."""
    state = selectors.feed_state()
    key = f"events:feed:{state.version}"
    body = page_cache.get(key)
    if body is None:
        body = cached_sessions_calendar(
            selectors.sessions_for_feed(), name="Hem-Onc Network sessions"
        )
        page_cache.set(key, body, FEED_CACHE_SECONDS)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return _changed_at(response, state.changed_at)


@conditional_page
def member_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("This calendar address was revoked.")
    body = sessions_calendar(
        selectors.sessions_of_member(user=feed.user),
        name="My Hem-Onc Network sessions",
        show_join_links=True,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # Kept by the member's calendar app only, and asked for again (a 304 while unchanged).
    response["Cache-Control"] = "private, no-cache"
    return _changed_at(response, selectors.member_feed_changed_at(user=feed.user))


@login_required
def my_feed(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.calendar_feed_renew(user=request.user)
        messages.success(request, "Your old calendar address no longer works; here is a new one.")
        return redirect("events:my_feed")
    feed = services.calendar_feed_get_or_create(user=request.user)
    url = request.build_absolute_uri(reverse("events:member_feed", args=[feed.token]))
    return render(request, "events/my_feed.html", {"feed_url": url})


# ---------------------------------------------------------------------------------------------
# RSVP


@takes_part
@login_required
@require_POST
def rsvp(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(LiveSession, pk=pk)
    try:
        result = services.rsvp_create(session=session, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if result.status == RsvpStatus.GOING:
            messages.success(request, "You're going. A confirmation with the .ics is in your mail.")
        else:
            messages.info(request, "The session is full: you're on the waitlist.")
    return redirect(session)


@login_required
@require_POST
def rsvp_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(LiveSession, pk=pk)
    own = Rsvp.objects.filter(session=session, user=request.user).first()
    if own is not None:
        services.rsvp_cancel(rsvp=own, actor=request.user)
        messages.success(request, "Your RSVP is cancelled. You won't get reminders.")
    return redirect(session)


@require_POST
def rsvp_visitor(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(LiveSession, pk=pk)
    form = VisitorRsvpForm(request.POST)
    if form.is_valid():
        try:
            services.rsvp_request(
                session=session, email=form.cleaned_data["email"], name=form.cleaned_data["name"]
            )
        except DomainError as error:
            messages.error(request, str(error))
            return redirect(session)
        return render(
            request,
            "events/rsvp_check_mail.html",
            {"session": session, "email": form.cleaned_data["email"]},
        )
    context = _session_context(request, session)
    context["visitor_form"] = form
    return render(request, "events/session.html", context, status=400)


def rsvp_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a Confirm button (mail scanners follow links); POST confirms."""
    found = read_confirm_token(token)
    rsvp = None
    if found is not None:
        rsvp = Rsvp.objects.select_related("session").filter(pk=found[0], user__isnull=True).first()
    if rsvp is None:
        return render(request, "events/rsvp_link_invalid.html", status=400)
    if request.method == "POST" and found is not None:
        try:
            rsvp = services.rsvp_confirm(rsvp_id=rsvp.pk, email=found[1])
        except DomainError as error:
            messages.error(request, str(error))
            return redirect(rsvp.session)
        if rsvp.status == RsvpStatus.GOING:
            messages.success(request, "Confirmed: you're going. Your .ics is on its way by mail.")
        else:
            messages.info(request, "Confirmed: the session is full, so you're on the waitlist.")
        return redirect(rsvp.session)
    return render(request, "events/rsvp_confirm.html", {"rsvp": rsvp, "session": rsvp.session})


@csrf_exempt  # the signed token authorizes; RFC 8058 one-click POSTs come without a cookie
def rsvp_cancel_by_token(request: HttpRequest, token: str) -> HttpResponse:
    rsvp_id = read_manage_token(token)
    rsvp = Rsvp.objects.select_related("session").filter(pk=rsvp_id).first() if rsvp_id else None
    if rsvp is None:
        return render(request, "events/rsvp_link_invalid.html", status=400)
    if request.method == "POST":
        services.rsvp_cancel_by_link(rsvp_id=rsvp.pk)
        return render(request, "events/rsvp_cancelled.html", {"session": rsvp.session})
    return render(request, "events/rsvp_cancel.html", {"rsvp": rsvp, "session": rsvp.session})


# ---------------------------------------------------------------------------------------------
# Questions


HELD_NOTICE = "Your question waits for the host: it may contain patient details."


@takes_part
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the question list (htmx polls it). POST: a member asks a question."""
    session = get_object_or_404(LiveSession, pk=pk)
    may_moderate = request.user.has_perm("events.moderate_questions", session)
    form = None
    status = 200
    notice = ""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={session.get_absolute_url()}")
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                question = services.question_create(
                    session=session,
                    author=request.user,
                    text=form.cleaned_data["text"],
                    is_anonymous=form.cleaned_data["is_anonymous"],
                )
            except DomainError as error:
                form.add_error("text", str(error))
                status = 429 if isinstance(error, RateLimited) else 400
            else:
                form = None
                notice = HELD_NOTICE if question.is_held else "Your question is in."
                if not request.headers.get("HX-Request"):
                    messages.success(request, notice)
                    return redirect(f"{session.get_absolute_url()}#questions")
        else:
            status = 400
    context = _questions_context(request, session, may_moderate=may_moderate, form=form)
    context["question_notice"] = notice
    if request.headers.get("HX-Request"):
        # A poll refreshes the list only, so a question being typed is never wiped.
        template = (
            "events/session.html#questions"
            if request.method == "POST"
            else "events/session.html#question_list"
        )
        return render(request, template, context, status=status)
    if status != 200:
        full = _session_context(request, session)
        full.update(context)
        return render(request, "events/session.html", full, status=status)
    return redirect(f"{session.get_absolute_url()}#questions")


def _question_response(request: HttpRequest, question: Question) -> HttpResponse:
    session = question.session
    if request.headers.get("HX-Request"):
        may_moderate = request.user.has_perm("events.moderate_questions", session)
        return render(
            request,
            "events/session.html#question_list",
            _questions_context(request, session, may_moderate=may_moderate),
        )
    return redirect(f"{session.get_absolute_url()}#questions")


@login_required
@require_POST
def question_vote(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("session"), pk=pk)
    try:
        services.question_toggle_vote(question=question, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    return _question_response(request, question)


def _question_session(request: HttpRequest, pk: int, **kwargs: Any) -> LiveSession:
    return get_object_or_404(Question.objects.select_related("session"), pk=pk).session


@require_POST
@permission_required("events.moderate_questions", obj=_question_session)
def question_moderate(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("session"), pk=pk)
    try:
        services.question_moderate(question=question, actor=request.user, action=action)
    except DomainError as error:
        raise HttpForbidden(str(error)) from None
    return _question_response(request, question)


# ---------------------------------------------------------------------------------------------
# Attendance


def check_in_short(request: HttpRequest, code: str) -> HttpResponse:
    session = get_object_or_404(LiveSession, check_in_code=code)
    return redirect("events:check_in", pk=session.pk)


def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(LiveSession, pk=pk)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            services.checkin_create(session=session, user=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "You're checked in. Enjoy the session!")
        return redirect(session)
    return render(
        request,
        "events/check_in.html",
        {
            "session": session,
            "check_in_open": session.is_check_in_open(timezone.now()),
            "checked_in": _attended(request, session),
        },
    )


@permission_required("events.manage_sessions")
def check_in_qr(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(LiveSession, pk=pk)
    url = request.build_absolute_uri(reverse("events:check_in_short", args=[session.check_in_code]))
    image = io.BytesIO()
    segno.make(url, error="m").save(
        image, kind="svg", scale=8, border=2, title=f"Check in: {session.title}", xmldecl=False
    )
    return HttpResponse(image.getvalue(), content_type="image/svg+xml")


@permission_required("events.export_attendees")
def attendees_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(LiveSession, pk=pk)
    response, writer = csv_download(f"session-{session.pk}-attendees.csv")
    writer.writerow(["checked_in_at", "name", "email", "rsvp"])
    seated = set(
        Rsvp.objects.filter(session=session, status=RsvpStatus.GOING).values_list(
            "user_id", flat=True
        )
    )
    for check_in in selectors.session_check_ins_for_export(session=session):
        user = check_in.user
        writer.writerow(
            [
                check_in.created_at.isoformat(timespec="seconds"),
                user.profile.display_name,
                user.email,
                "yes" if user.pk in seated else "no",
            ]
        )
    return response


@permission_required("events.manage_sessions")
def session_roster(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Who RSVP'd (going, waiting, unconfirmed) and who checked in, for organizers."""
    session = get_object_or_404(LiveSession.objects.select_related("season"), pk=pk)
    return render(
        request,
        "events/session_roster.html",
        {"session": session, "roster": selectors.session_roster(session=session)},
    )


@require_POST
@permission_required("events.manage_sessions")
def attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(LiveSession, pk=pk)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        services.session_record_attendance(
            session=session,
            actor=request.user,
            peak_listeners=form.cleaned_data["peak_listeners"],
        )
        messages.success(request, "Attendance recorded.")
    else:
        messages.error(request, "The peak listener count is a whole number.")
    return redirect(session)


# ---------------------------------------------------------------------------------------------
# Guests and seasons


def guest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    guest = get_object_or_404(Guest.objects.select_related("member__profile"), pk=pk)
    if guest.member is not None and not user_may_see(viewer=request.user, other=guest.member):
        raise Http404("No such guest.")
    return render(
        request,
        "events/guest.html",
        {"guest": guest, "sessions": selectors.guest_sessions(guest=guest)},
    )


@permission_required("events.manage_sessions")
def guest_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "events/guest_list.html", {"guests": selectors.guest_list()})


@permission_required("events.manage_sessions")
def guest_pick(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Guests matching ?q= by name, for pickers (core.widgets.SearchSelect)."""
    return JsonResponse({"results": selectors.guest_pick(query=request.GET.get("q", "")[:100])})


@permission_required("events.manage_sessions")
def guest_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    guest = get_object_or_404(Guest, pk=pk) if pk else None
    form = GuestForm(
        request.POST or None,
        request.FILES or None,
        # A copy: the form writes into its instance while validating; the guest stays as saved.
        instance=Guest.objects.get(pk=guest.pk) if guest else Guest(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields: services.GuestFields = {
            "title": data["title"],
            "handle": data["handle"],
            "bio": data["bio"],
        }
        if "photo" in form.changed_data:
            fields["photo"] = data["photo"] or ""  # False: the photo was cleared
        try:
            if guest is None:
                guest = services.guest_create(
                    actor=request.user, name=data["name"], member=data["member"], **fields
                )
            else:
                guest = services.guest_update(
                    guest=guest,
                    actor=request.user,
                    name=data["name"],
                    member=data["member"],
                    **fields,
                )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The guest is saved.")
            return redirect("events:guest", pk=guest.pk)
    return render(request, "events/guest_form.html", {"form": form, "guest": guest})


def season_detail(request: HttpRequest, slug: str) -> HttpResponse:
    season = get_object_or_404(Season, slug=slug)
    sessions = selectors.with_attendance(
        season.sessions.select_related("season").prefetch_related("guests")
    ).order_by("starts_at")
    return render(
        request,
        "events/season.html",
        {
            "season": season,
            "sessions": sessions,
            "stats": selectors.season_statistics(season=season),
            "exact": selectors.viewer_is_organizer(request.user),
            "now": timezone.now(),
        },
    )


def season_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/season_list.html",
        {
            "seasons": Season.objects.order_by("-starts_on"),
            "is_organizer": selectors.viewer_is_organizer(request.user),
        },
    )


# ---------------------------------------------------------------------------------------------
# Organizers' forms


@permission_required("events.manage_sessions")
def season_edit(request: AuthenticatedHttpRequest, slug: str | None = None) -> HttpResponse:
    season = get_object_or_404(Season, slug=slug) if slug else None
    form = SeasonForm(request.POST or None, instance=season)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if season is None:
                season = services.season_create(actor=request.user, **fields)
            else:
                season = services.season_update(
                    season=Season.objects.get(pk=season.pk), actor=request.user, **fields
                )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The season is saved.")
            return redirect(season)
    return render(request, "events/season_form.html", {"form": form, "season": season})


@permission_required("events.manage_sessions")
def season_schedule(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    season = get_object_or_404(Season, slug=slug)
    form = ScheduleForm(
        request.POST or None,
        initial={"first_date": season.starts_on, "time_zone": season.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        # The form holds the cadence and weekday to what the service takes.
        created = services.season_schedule_sessions(
            season=season, actor=request.user, **form.cleaned_data
        )
        count = len(created)
        messages.success(
            request,
            ngettext(
                "%(count)d session added to the schedule.",
                "%(count)d sessions added to the schedule.",
                count,
            )
            % {"count": count}
            if count
            else "No session added: every slot already has one.",
        )
        return redirect(season)
    return render(request, "events/schedule_form.html", {"form": form, "season": season})


@permission_required("events.manage_sessions")
def session_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    session = get_object_or_404(LiveSession, pk=pk) if pk else None
    initial = {}
    if session is None and (season_id := parse_id(request.GET.get("season"))):
        initial["season"] = Season.objects.filter(pk=season_id).first()
    form = SessionForm(request.POST or None, instance=session or LiveSession(), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in SessionForm.Meta.fields if name in data}
        fields["time_zone"] = data["time_zone"]
        common = {
            "hosts": data["hosts"],
            "guests": list(data["guests"]),
            "guest_names": form.guest_names(),
            "topics": data["topics"],
            "phi_attested": form.phi_attested,
        }
        try:
            if session is None:
                fields.pop("title")
                session = services.session_create(
                    actor=request.user, title=data["title"], starts_at=data["starts_at"],
                    **common, **fields,
                )  # fmt: skip
            else:
                session = services.session_update(
                    session=session, actor=request.user, starts_at=data["starts_at"],
                    **common, **fields,
                )  # fmt: skip
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The session is saved.")
            return redirect(session)
    return render(request, "events/session_form.html", {"form": form, "session": session})


@require_POST
@permission_required("events.manage_sessions")
def session_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(LiveSession, pk=pk)
    services.session_cancel(session=session, actor=request.user)
    messages.success(request, "The session is cancelled; everyone who RSVP'd is told by mail.")
    return redirect(session)


@login_required
def session_pick(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Sessions matching ?q=, for pickers (core.widgets.SearchSelect)."""
    return JsonResponse({"results": selectors.session_pick(query=request.GET.get("q", "")[:100])})
