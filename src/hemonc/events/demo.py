"""The demo network's live sessions, leading up to today: last season's 22 sessions (a
summer-to-summer year shaped as the network's first season: mean attendance 49.6, range
22-187, the pre-ASH special in early December and the pre-ASCO one in late May on top), then
the current season, begun ten weeks ago: its past sessions with attendance, recordings and
answered questions, its next ones open for RSVPs with reminders queued.

Everything is synthetic: invented guests (marked so in their bios), recordings under the
reserved domain demo.hemonc.example, questions written for the demo.
"""

from __future__ import annotations

import json
import random
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.models import AuditEntry
from hemonc.core.phi_guard import HOLD_ACTION, phi_record, scan_texts
from hemonc.events.enums import QuestionStatus, RsvpStatus, SessionKind, SessionStatus
from hemonc.events.models import CheckIn, Guest, LiveSession, Question, QuestionVote, Rsvp, Season
from hemonc.events.services import schedule_start_times
from hemonc.events.services.reminders import _schedule_reminders
from hemonc.members.models import User

SEASON_ONE = "season-1"  # the seasons' slugs; their names carry their years
SEASON_TWO = "season-2"
ZONE = "America/New_York"
DEMO_DOMAIN = "demo.hemonc.example"
SYNTHETIC = "_(Synthetic demo guest.)_"
RECORDINGS = f"https://recordings.{DEMO_DOMAIN}"

# Season 1 as the Hem-Onc Fellows Network reported it: 22 Spaces, mean 49.6, range 22-187.
_DATA = json.loads(
    (Path(__file__).resolve().parent / "data" / "demo_sessions.json").read_text("utf-8")
)
SEASON_ONE_SESSIONS: list[tuple[str, str, int]] = [
    (row["title"], SessionKind(row["kind"]), row["attendance"]) for row in _DATA["season_one"]
]
# Last season's calendar as the first season's: Thursdays from 8 July 2021 to 30 June 2022,
# minus the summer break, Thanksgiving and the holidays, so the pre-ASH special lands on
# 9 December and the pre-ASCO special on 26 May. The demo moves it by whole 52-week years
# (Thursdays stay Thursdays, dates move by a few days) to end just before the current season.
SEASON_ONE_FIRST = date(2021, 7, 8)
SEASON_ONE_LAST = date(2022, 6, 30)
SEASON_ONE_SKIPPED = [date(2021, 8, 5), date(2021, 8, 19), date(2021, 11, 25), date(2021, 12, 23)]

# The current season: every other Thursday from ten weeks ago, past the holidays.
SEASON_TWO_SESSIONS: list[tuple[str, SessionKind]] = [
    ("Mentorship that works: stories from mentors and mentees", SessionKind.REGULAR),
    ("#hojournalclub: a new standard in AML", SessionKind.JOURNAL_CLUB),
    ("Grant writing for fellows", SessionKind.REGULAR),
    ("Hematology-oncology in low-resource settings", SessionKind.REGULAR),
    ("#hemetwitter chat: reading a trial's fine print", SessionKind.CHAT),
    ("Speed mentoring night", SessionKind.REGULAR),
    ("Life after fellowship: the first faculty year", SessionKind.REGULAR),
    ("Trainees' evening: meet in person", SessionKind.MEETUP),
    ("Special: ask the program directors", SessionKind.SPECIAL),
    ("Clinical trials careers", SessionKind.REGULAR),
    ("#hojournalclub: MRD in myeloma", SessionKind.JOURNAL_CLUB),
    ("Research on a clinical schedule", SessionKind.REGULAR),
    ("Palliative care skills for oncologists", SessionKind.REGULAR),
    ("Halfway through the year: wellness check-in", SessionKind.REGULAR),
]

GUESTS: list[tuple[str, str, str]] = [
    (guest["name"], guest["title"], guest["handle"]) for guest in _DATA["guests"]
]
QUESTIONS: list[str] = _DATA["questions"]


def demo_sessions_create(*, stdout: Any) -> None:
    if Season.objects.filter(slug=SEASON_ONE).exists():
        stdout.write("The demo sessions are already here.")
        return
    members = list(
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True)
        .select_related("profile")
        .order_by("id")
    )
    if not members:
        stdout.write("No demo members: skipping the demo sessions.")
        return
    with transaction.atomic():
        summary = _create(members, rng=random.Random(2021))  # noqa: S311 - demo data, not secrets
    stdout.write(
        f"Created the demo sessions: {summary['season_one']} in last season, "
        f"{summary['season_two']} in the current one ({summary['upcoming']} upcoming), "
        f"{summary['rsvps']} RSVPs, {summary['questions']} questions."
    )


def _create(members: list[User], *, rng: random.Random) -> dict[str, int]:
    organizer = next((m for m in members if m.email == f"organizer@{DEMO_DOMAIN}"), members[0])
    guests = [
        Guest.objects.create(
            name=name,
            title=title,
            handle=handle,
            bio=f"Invited guest of the live sessions; talks about careers and research. {SYNTHETIC}",
        )
        for name, title, handle in GUESTS
    ]
    speaking_members = [m for m in members if m.profile.stage == "attending"][:4]
    guests += [
        Guest.objects.create(
            member=m,
            name=m.profile.display_name,
            title=m.profile.institution,
            bio=f"A member of the network and a guest of the live sessions. {SYNTHETIC}",
        )
        for m in speaking_members
    ]

    # The current season began ten weeks ago; last season ended before it.
    today = timezone.localdate()
    first = today - timedelta(weeks=10)
    shift = timedelta(weeks=52 * max(0, (first - SEASON_ONE_LAST).days // 364))
    one_first, one_last = date(2021, 7, 1) + shift, SEASON_ONE_LAST + shift

    # Last season: Thursdays 8 pm Eastern every two weeks, four dates skipped: 22 sessions.
    season_one = Season.objects.create(
        name=f"Season 1 ({_years(one_first, one_last)})", slug=SEASON_ONE, starts_on=one_first,
        ends_on=one_last, time_zone=ZONE,
        description="The first season: 22 live discussions on X Spaces. "
        "_(Synthetic demo data modeled on the published figures.)_",
    )  # fmt: skip
    starts = schedule_start_times(
        first_date=SEASON_ONE_FIRST + shift, last_date=one_last, weekday=3, every_weeks=2,
        local_time=time(20), time_zone=ZONE, skip_dates=[d + shift for d in SEASON_ONE_SKIPPED],
    )  # fmt: skip
    for number, (starts_at, (title, kind, peak)) in enumerate(
        zip(starts, SEASON_ONE_SESSIONS, strict=True), start=1
    ):
        session = LiveSession.objects.create(
            season=season_one, title=title, starts_at=starts_at, time_zone=ZONE, kind=kind,
            description=f"Session {number} of the first season, on X Spaces.",
            status=SessionStatus.ENDED, peak_listeners=peak,
            recording_url=f"{RECORDINGS}/season-1/{number:02d}", created_by=organizer,
            show_notes="- Career advice from the guests\n- Questions from the audience\n"
            "_(Synthetic demo show notes.)_",
            join_url="https://x.com/i/spaces/demo" if kind != SessionKind.CHAT else "",
            hashtag="hemetwitter" if kind == SessionKind.CHAT else "",
            paper="10.1056/NEJMoa0000000" if kind == SessionKind.JOURNAL_CLUB else "",
        )  # fmt: skip
        session.hosts.set([organizer])
        session.guests.set(rng.sample(guests, 2))

    # The current season: under way, around today.
    last = first + timedelta(weeks=40)
    season_two = Season.objects.create(
        name=f"Season 2 ({_years(first, last)})", slug=SEASON_TWO, starts_on=first,
        ends_on=last, time_zone=ZONE,
        description="The current season, every other Thursday. _(Synthetic demo data.)_",
    )  # fmt: skip
    now = timezone.now()
    starts = schedule_start_times(
        first_date=first, last_date=today + timedelta(weeks=12), weekday=3, every_weeks=2,
        local_time=time(20), time_zone=ZONE, skip_dates=_holidays(first, last),
    )[: len(SEASON_TWO_SESSIONS)]  # fmt: skip
    rsvps: list[Rsvp] = []
    check_ins: list[CheckIn] = []
    question_count = 0
    upcoming = 0
    for number, (starts_at, (title, kind)) in enumerate(
        zip(starts, SEASON_TWO_SESSIONS, strict=False), start=1
    ):
        is_past = starts_at + timedelta(hours=1) < now
        online = kind not in {SessionKind.MEETUP, SessionKind.CHAT}
        session = LiveSession.objects.create(
            season=season_two, title=title, starts_at=starts_at, time_zone=ZONE, kind=kind,
            description="A live discussion with invited guests. Bring your questions! "
            "_(Synthetic demo session.)_",
            status=SessionStatus.ENDED if is_past else SessionStatus.SCHEDULED,
            join_url="https://zoom.demo.hemonc.example/j/123456" if online else "",
            join_url_for_rsvps_only=online,
            paper="10.1056/NEJMoa0000000" if kind == SessionKind.JOURNAL_CLUB else "",
            hashtag="hemetwitter" if kind == SessionKind.CHAT else "",
            venue="Convention center, hall B (demo)" if kind == SessionKind.MEETUP else "",
            capacity=40 if kind == SessionKind.MEETUP or number == len(starts) - 2 else None,
            # Attendance: the peak listeners of the calls; a meetup counts its check-ins.
            peak_listeners=rng.randint(30, 90) if is_past and kind != SessionKind.MEETUP else None,
            recording_url=f"{RECORDINGS}/season-2/{number:02d}" if is_past and online else "",
            show_notes="- What the guests advised\n- The audience's questions\n"
            "_(Synthetic demo show notes.)_" if is_past and online else "",
            created_by=organizer,
        )  # fmt: skip
        session.hosts.set([organizer])
        session.guests.set(rng.sample(guests, 2))
        audience = rng.sample(members, min(len(members), rng.randint(25, 60)))
        seated = audience[: session.capacity] if session.capacity else audience
        for person in audience:
            waiting = person not in seated
            rsvps.append(
                Rsvp(
                    session=session,
                    user=person,
                    status=RsvpStatus.WAITLISTED if waiting else RsvpStatus.GOING,
                    confirmed_at=starts_at - timedelta(days=3),
                    waitlisted_at=starts_at - timedelta(days=2) if waiting else None,
                )
            )
        if is_past:
            check_ins += [
                CheckIn(session=session, user=person)
                for person in seated[: int(len(seated) * rng.uniform(0.55, 0.8))]
            ]
        else:
            upcoming += 1
            _schedule_reminders(session)
        if is_past or upcoming <= 2:
            for index, text in enumerate(rng.sample(QUESTIONS, 3)):
                question = Question.objects.create(
                    session=session, author=audience[index], text=text,
                    is_anonymous=index == 2,
                    status=QuestionStatus.ANSWERED if is_past and index < 2 else QuestionStatus.OPEN,
                    is_pinned=not is_past and index == 0,
                )  # fmt: skip
                QuestionVote.objects.bulk_create(
                    QuestionVote(question=question, user=voter)
                    for voter in audience[3 : 3 + rng.randint(1, 12)]
                )
                question_count += 1
    question_count += _held_and_attested(season_two, organizer=organizer, members=members, now=now)
    Rsvp.objects.bulk_create(rsvps)
    CheckIn.objects.bulk_create(check_ins)
    # Check-ins are stamped when saved: move them into their sessions' first minutes.
    for session in season_two.sessions.filter(check_ins__isnull=False).distinct():
        session.check_ins.update(created_at=session.starts_at + timedelta(minutes=3))
    return {
        "season_one": season_one.sessions.count(),
        "season_two": len(starts),
        "upcoming": upcoming,
        "rsvps": len(rsvps),
        "questions": question_count,
    }


# Questions the patient-identifier check held (synthetic: no real patient).
HELD_QUESTIONS = (
    "My patient Mrs. Okafor, DOB 3/14/1961, relapsed after R-CHOP x6: would you go to CAR-T?",
    "We saw a 92-year-old with AML last week from Lubbock: is venetoclax + aza still fair?",
)


def _held_and_attested(season: Season, *, organizer: User, members: list[User], now: Any) -> int:
    """The organizers' list of what was held or attested: a question held for the host of the
    next session, one the host of a past session hid, and notes attested over a link."""
    upcoming = season.sessions.filter(starts_at__gt=now).order_by("starts_at").first()
    past = list(
        season.sessions.filter(starts_at__lt=now, recording_url__gt="").order_by("-starts_at")[:2]
    )
    made = 0
    # Members who hold no role ask them (the demo's sign-in accounts come first).
    askers = [m for m in reversed(members) if m != organizer]
    for session, text, hidden_later in (
        (upcoming, HELD_QUESTIONS[0], False),
        (past[-1] if past else None, HELD_QUESTIONS[1], True),
    ):
        if session is None:
            continue
        question = Question.objects.create(
            session=session, author=askers[made], text=text, is_held=not hidden_later,
            is_hidden=True,
        )  # fmt: skip
        asked = min(now, session.starts_at) - timedelta(hours=2 + made)
        Question.objects.filter(pk=question.pk).update(created_at=asked)
        found = scan_texts({"text": text})
        held = phi_record(actor=askers[made], target=question, found=found, action=HOLD_ACTION)
        AuditEntry.objects.filter(pk=held.pk).update(created_at=asked)
        if hidden_later:
            audit(actor=organizer, action="question.hide", target=question)
        made += 1
    if past:
        session = past[0]
        session.show_notes += (
            "\n- The guests' slides: https://slides.demo.hemonc.example/season-2/notes"
        )
        session.save(update_fields=["show_notes"])
        found = scan_texts({"show_notes": session.show_notes})
        if found:
            attested = phi_record(actor=organizer, target=session, found=found)
            AuditEntry.objects.filter(pk=attested.pk).update(
                created_at=session.starts_at + timedelta(days=1)
            )
    return made


def _years(first: date, last: date) -> str:
    """A season's years as people write them: "2025-26"."""
    return f"{first.year}-{last.year % 100:02d}" if last.year != first.year else str(first.year)


def _holidays(first: date, last: date) -> list[date]:
    """The Thursdays of Thanksgiving and of the winter holidays between `first` and `last`."""
    days = []
    for year in range(first.year, last.year + 1):
        november = date(year, 11, 1)
        days.append(november + timedelta(days=(3 - november.weekday()) % 7 + 21))
        days += [date(year, 12, 22) + timedelta(days=n) for n in range(12)]
    return days
