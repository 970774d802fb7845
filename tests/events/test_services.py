"""Each public service of the live sessions, by name: what it writes, audits and refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.events.enums import QuestionStatus, RsvpStatus, SessionStatus
from hemonc.events.importers.sessions_csv import SessionRow
from hemonc.events.models import CalendarFeed, CheckIn, Guest, LiveSession, Rsvp, Season
from hemonc.events.services import (
    calendar_feed_get_or_create,
    calendar_feed_renew,
    checkin_create,
    guest_create,
    guest_update,
    question_create,
    question_moderate,
    question_toggle_vote,
    rsvp_cancel,
    rsvp_cancel_by_link,
    rsvp_confirm,
    rsvp_create,
    rsvp_request,
    rsvp_send_mail,
    schedule_start_times,
    season_create,
    season_schedule_sessions,
    season_update,
    session_cancel,
    session_create,
    session_record_attendance,
    session_send_change,
    session_send_reminders,
    session_update,
    sessions_export_rows,
    sessions_import,
)
from hemonc.members.enums import Role
from tests.factories import make_member

pytestmark = pytest.mark.django_db

SOON = timedelta(days=3)


def _audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


@pytest.fixture
def season(organizer) -> Season:  # type: ignore[no-untyped-def]
    return season_create(
        actor=organizer,
        name="Season 2",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
        time_zone="America/New_York",
    )


# ---------------------------------------------------------------------------------------------
# Seasons


def test_season_create_writes_the_season_and_an_audit_row(organizer) -> None:
    season = season_create(
        actor=organizer, name="Season 3", starts_on=date(2026, 7, 1), ends_on=date(2027, 6, 30)
    )

    assert season.slug == "season-3"
    (entry,) = _audit("season.create")
    assert entry.actor == organizer
    assert entry.target_id == str(season.pk)


def test_season_create_refuses_a_member(member) -> None:
    with pytest.raises(PermissionDenied):
        season_create(
            actor=member, name="Mine", starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1)
        )

    assert not Season.objects.exists()


def test_season_update_changes_the_fields_and_audits_their_names(organizer, season) -> None:
    season_update(
        season=season, actor=organizer, name="Season 2\n(2026)", ends_on=date(2026, 7, 31)
    )

    season.refresh_from_db()
    assert (season.name, season.ends_on) == ("Season 2 (2026)", date(2026, 7, 31))
    (entry,) = _audit("season.update")
    assert entry.changes == {"fields": ["ends_on", "name"]}


def test_season_update_refuses_a_member(member, season) -> None:
    with pytest.raises(PermissionDenied):
        season_update(season=season, actor=member, name="Taken over")

    season.refresh_from_db()
    assert season.name == "Season 2"


def test_season_update_refuses_an_end_before_the_start(organizer, season) -> None:
    with pytest.raises(DomainError, match="ends on or after the day it starts"):
        season_update(season=season, actor=organizer, ends_on=date(2025, 12, 1))

    season.refresh_from_db()
    assert season.ends_on == date(2026, 6, 30)


def test_season_update_refuses_a_name_another_season_has(organizer, season) -> None:
    other = season_create(
        actor=organizer, name="Season 1", starts_on=date(2025, 1, 1), ends_on=date(2025, 6, 1)
    )

    with pytest.raises(DomainError, match="already a season called 'season 2'"):
        season_update(season=other, actor=organizer, name="season 2")


def test_season_update_refuses_an_unknown_field(organizer, season) -> None:
    with pytest.raises(DomainError, match="Unknown season fields: slug"):
        season_update(season=season, actor=organizer, **{"slug": "taken"})  # type: ignore[arg-type]


def test_schedule_start_times_every_two_weeks_on_thursdays() -> None:
    starts = schedule_start_times(
        first_date=date(2026, 1, 1),
        last_date=date(2026, 1, 31),
        weekday=3,
        every_weeks=2,
        local_time=time(20),
        time_zone="UTC",
    )

    assert [start.date() for start in starts] == [
        date(2026, 1, 1),
        date(2026, 1, 15),
        date(2026, 1, 29),
    ]


def test_season_schedule_sessions_refuses_a_member(member, season) -> None:
    with pytest.raises(PermissionDenied):
        season_schedule_sessions(
            season=season,
            actor=member,
            first_date=season.starts_on,
            weekday=3,
            every_weeks=2,
            local_time=time(20),
            time_zone="America/New_York",
        )

    assert not LiveSession.objects.exists()


# ---------------------------------------------------------------------------------------------
# Sessions


def test_session_create_takes_the_seasons_zone_and_named_guests(organizer, member, season) -> None:
    existing = guest_create(actor=organizer, name="Dr. Existing")

    session = session_create(
        actor=organizer,
        title="Myeloma in 2026",
        starts_at=timezone.now() + SOON,
        season=season,
        guest_names=["dr. existing", member.email.upper(), "Dr. New"],
    )

    assert session.time_zone == "America/New_York"
    assert session.created_by == organizer
    guests = sorted(session.guests.all(), key=lambda guest: guest.pk)
    assert guests[0] == existing
    assert guests[1].member == member
    assert guests[2].name == "Dr. New" and guests[2].member is None
    assert [entry.target_id for entry in _audit("session.create")] == [str(session.pk)]


def test_session_create_refuses_a_member(member) -> None:
    with pytest.raises(PermissionDenied):
        session_create(actor=member, title="Mine", starts_at=timezone.now() + SOON)

    assert not LiveSession.objects.exists()


def test_session_create_by_the_operator_names_no_member() -> None:
    session = session_create(actor=OPERATOR, title="From a script", starts_at=timezone.now() + SOON)

    assert session.created_by is None
    (entry,) = _audit("session.create")
    assert entry.actor is None


def test_session_create_with_an_unknown_guest_address_writes_nothing(organizer) -> None:
    with pytest.raises(DomainError, match="no member has the address nobody@example"):
        session_create(
            actor=organizer,
            title="Myeloma",
            starts_at=timezone.now() + SOON,
            guest_names=["Dr. New", "nobody@example.org"],
        )

    assert not Guest.objects.exists()


def test_session_update_changes_fields_and_audits_their_names(organizer, make_session) -> None:
    session = make_session()

    session_update(session=session, actor=organizer, title="Lymphoma\nin 2026", capacity=40)

    session.refresh_from_db()
    assert (session.title, session.capacity, session.sequence) == ("Lymphoma in 2026", 40, 0)
    (entry,) = _audit("session.update")
    assert entry.changes == {"fields": ["capacity", "title"]}


def test_session_update_guest_names_add_to_the_current_guests(organizer, make_session) -> None:
    first = guest_create(actor=organizer, name="Dr. First")
    session = make_session(guests=[first])

    session_update(session=session, actor=organizer, guest_names=["Dr. Second"])

    assert sorted(guest.name for guest in session.guests.all()) == ["Dr. First", "Dr. Second"]
    (entry,) = _audit("session.update")
    assert entry.changes == {"fields": ["guests"]}


def test_session_update_to_cancelled_cancels_and_mails_everyone_with_a_seat(
    organizer, member, make_session, mailbox, committed
) -> None:
    session = make_session()
    rsvp_create(session=session, user=member)

    with committed():
        session_update(
            session=session, actor=organizer, title="Called off", status=SessionStatus.CANCELLED
        )

    session.refresh_from_db()
    assert (session.title, session.status, session.sequence) == ("Called off", "cancelled", 1)
    assert [
        e.action for e in AuditEntry.objects.filter(action__startswith="session.").order_by("id")
    ] == [
        "session.create",
        "session.update",
        "session.cancel",
    ]
    (message,) = mailbox.wait_for(1)
    assert message["To"] == member.email
    assert "Called off" in message["Subject"]


def test_session_update_refuses_a_member(member, make_session) -> None:
    session = make_session()

    with pytest.raises(PermissionDenied):
        session_update(session=session, actor=member, title="Mine")

    session.refresh_from_db()
    assert session.title == "Myeloma in 2026"


def test_session_update_more_capacity_seats_the_waitlist(organizer, make_session) -> None:
    session = make_session(capacity=1)
    ana, ben = make_member(display_name="Ana"), make_member(display_name="Ben")
    rsvp_create(session=session, user=ana)
    waiting = rsvp_create(session=session, user=ben)
    assert waiting.status == RsvpStatus.WAITLISTED

    session_update(session=session, actor=organizer, capacity=2)

    waiting.refresh_from_db()
    assert waiting.status == RsvpStatus.GOING
    assert [e.target_id for e in _audit("rsvp.promote")] == [str(waiting.pk)]


def test_session_cancel_refuses_a_member(member, make_session) -> None:
    session = make_session()

    with pytest.raises(PermissionDenied):
        session_cancel(session=session, actor=member)

    session.refresh_from_db()
    assert not session.is_cancelled


def test_session_cancel_twice_audits_once(organizer, make_session) -> None:
    session = make_session()

    session_cancel(session=session, actor=organizer)
    session_cancel(session=session, actor=organizer)

    session.refresh_from_db()
    assert (session.status, session.sequence) == (SessionStatus.CANCELLED, 1)
    assert len(_audit("session.cancel")) == 1


def test_session_record_attendance_ends_a_past_session(organizer, make_session) -> None:
    session = make_session(starts_at=timezone.now() - timedelta(hours=3))

    session_record_attendance(session=session, actor=organizer, peak_listeners=48)

    session.refresh_from_db()
    assert (session.peak_listeners, session.status) == (48, SessionStatus.ENDED)
    assert len(_audit("session.attendance")) == 1


def test_session_record_attendance_refuses_a_member_and_a_negative_count(
    organizer, member, make_session
) -> None:
    session = make_session(starts_at=timezone.now() - timedelta(hours=3))

    with pytest.raises(PermissionDenied):
        session_record_attendance(session=session, actor=member, peak_listeners=48)
    with pytest.raises(DomainError, match="cannot be negative"):
        session_record_attendance(session=session, actor=organizer, peak_listeners=-1)

    session.refresh_from_db()
    assert session.peak_listeners is None


def test_session_send_change_drops_a_change_a_newer_one_replaced(
    organizer, member, make_session, mailbox
) -> None:
    session = make_session()
    rsvp_create(session=session, user=member)
    session_update(session=session, actor=organizer, starts_at=session.starts_at + SOON)
    session.refresh_from_db()

    assert session_send_change(session=session, kind="update", sequence=0) == 0
    assert session_send_change(session=session, kind="update", sequence=1) == 1
    (message,) = mailbox.wait_for(1)
    assert message["To"] == member.email


# ---------------------------------------------------------------------------------------------
# Guests


def test_guest_create_keeps_one_line_fields_on_one_line_and_audits(organizer) -> None:
    guest = guest_create(
        actor=organizer, name="Dr.\nGuest", title="Hematologist\r\nAttending", bio="Line 1\nLine 2"
    )

    assert (guest.name, guest.title, guest.bio) == (
        "Dr. Guest",
        "Hematologist Attending",
        "Line 1\nLine 2",
    )
    assert [e.target_id for e in _audit("guest.create")] == [str(guest.pk)]


def test_guest_create_refuses_a_member_and_a_second_guest_for_a_member(organizer, member) -> None:
    with pytest.raises(PermissionDenied):
        guest_create(actor=member, name="Me")
    guest_create(actor=organizer, name="Ana", member=member)

    with pytest.raises(DomainError, match="already a guest"):
        guest_create(actor=organizer, name="Ana again", member=member)

    assert Guest.objects.count() == 1


def test_guest_update_changes_fields_and_audits_their_names(organizer) -> None:
    guest = guest_create(actor=organizer, name="Dr. Guest", title="Fellow")

    guest_update(guest=guest, actor=organizer, title="Attending", handle="@drguest\n")

    guest.refresh_from_db()
    assert (guest.title, guest.handle) == ("Attending", "@drguest")
    (entry,) = _audit("guest.update")
    assert entry.changes == {"fields": ["handle", "title"]}


def test_guest_update_refuses_a_member(organizer, member) -> None:
    guest = guest_create(actor=organizer, name="Dr. Guest")

    with pytest.raises(PermissionDenied):
        guest_update(guest=guest, actor=member, name="Someone else")

    guest.refresh_from_db()
    assert guest.name == "Dr. Guest"


def test_guest_update_refuses_a_member_another_guest_stands_for(organizer, member) -> None:
    guest_create(actor=organizer, name="Ana", member=member)
    other = guest_create(actor=organizer, name="Dr. Guest")

    with pytest.raises(DomainError, match="already a guest"):
        guest_update(guest=other, actor=organizer, member=member)


# ---------------------------------------------------------------------------------------------
# RSVPs


def test_rsvp_create_refuses_a_deactivated_account(member, make_session) -> None:
    session = make_session()
    member.is_active = False
    member.save(update_fields=["is_active"])

    with pytest.raises(PermissionDenied):
        rsvp_create(session=session, user=member)

    assert not Rsvp.objects.exists()


def test_rsvp_request_to_a_session_that_is_over_is_refused(make_session) -> None:
    session = make_session(starts_at=timezone.now() - timedelta(hours=3))

    with pytest.raises(DomainError, match="This session is over"):
        rsvp_request(session=session, email="visitor@example.org")

    assert not Rsvp.objects.exists()


def test_rsvp_confirm_takes_a_seat_and_refuses_another_address(make_session) -> None:
    session = make_session()
    pending = rsvp_request(session=session, email="visitor@example.org")

    with pytest.raises(DomainError, match="not valid"):
        rsvp_confirm(rsvp_id=pending.pk, email="someone@example.org")
    rsvp = rsvp_confirm(rsvp_id=pending.pk, email="Visitor@example.org")

    assert rsvp.status == RsvpStatus.GOING
    assert len(_audit("rsvp.confirm")) == 1


def test_rsvp_cancel_by_an_organizer_frees_the_seat(organizer, member, make_session) -> None:
    session = make_session(capacity=1)
    seated = rsvp_create(session=session, user=member)
    waiting = rsvp_create(session=session, user=make_member(display_name="Ben"))

    rsvp_cancel(rsvp=seated, actor=organizer)

    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, waiting.status) == (RsvpStatus.CANCELLED, RsvpStatus.GOING)
    (entry,) = _audit("rsvp.cancel")
    assert entry.actor == organizer


def test_rsvp_cancel_refuses_another_member(member, other_member, make_session) -> None:
    rsvp = rsvp_create(session=make_session(), user=member)

    with pytest.raises(PermissionDenied, match="only cancel your own RSVP"):
        rsvp_cancel(rsvp=rsvp, actor=other_member)

    rsvp.refresh_from_db()
    assert rsvp.status == RsvpStatus.GOING


def test_rsvp_cancel_by_link_frees_the_seat_and_names_no_member(member, make_session) -> None:
    rsvp = rsvp_create(session=make_session(), user=member)

    cancelled = rsvp_cancel_by_link(rsvp_id=rsvp.pk)

    assert cancelled is not None and cancelled.status == RsvpStatus.CANCELLED
    (entry,) = _audit("rsvp.cancel")
    assert entry.actor is None
    assert rsvp_cancel_by_link(rsvp_id=rsvp.pk + 1000) is None


def test_rsvp_send_mail_skips_an_rsvp_that_changed_since(member, make_session, mailbox) -> None:
    rsvp = rsvp_create(session=make_session(), user=member)

    assert rsvp_send_mail(rsvp=rsvp, kind="waitlisted") is False
    assert rsvp_send_mail(rsvp=rsvp, kind="going") is True

    (message,) = mailbox.wait_for(1)
    assert message["Subject"] == "You're going: Myeloma in 2026"


# ---------------------------------------------------------------------------------------------
# Reminders


def test_session_send_reminders_sends_nothing_for_a_cancelled_session(
    organizer, member, make_session, mailbox
) -> None:
    session = make_session()
    rsvp_create(session=session, user=member)
    session_cancel(session=session, actor=organizer)
    session.refresh_from_db()

    run = session_send_reminders(
        session=session,
        kind="24h",
        starts_at=session.starts_at,
        now=session.starts_at - timedelta(hours=23),
    )

    assert (run.sent, run.skipped_reason) == (0, "cancelled")
    assert mailbox.messages == []


# ---------------------------------------------------------------------------------------------
# Check-ins and questions


def test_checkin_create_records_one_check_in_in_the_live_window(member, make_session) -> None:
    session = make_session(starts_at=timezone.now() + timedelta(minutes=5))

    checkin_create(session=session, user=member)
    checkin_create(session=session, user=member)

    assert CheckIn.objects.filter(session=session, user=member).count() == 1
    assert len(_audit("checkin.create")) == 1


def test_checkin_create_refuses_before_the_window(member, make_session) -> None:
    session = make_session()

    with pytest.raises(DomainError, match="Check-in opens 15 minutes before"):
        checkin_create(session=session, user=member)

    assert not CheckIn.objects.exists()


def test_question_create_refuses_an_empty_question(member, make_session) -> None:
    session = make_session(starts_at=timezone.now() + timedelta(minutes=5))

    with pytest.raises(DomainError, match="Write a question first"):
        question_create(session=session, author=member, text="   ")

    question = question_create(session=session, author=member, text=" What about MRD? ")
    assert question.text == "What about MRD?"
    assert len(_audit("question.create")) == 1


def test_question_toggle_vote_twice_takes_the_vote_back(member, other_member, make_session) -> None:
    session = make_session(starts_at=timezone.now() + timedelta(minutes=5))
    question = question_create(session=session, author=member, text="What about MRD?")

    assert question_toggle_vote(question=question, user=other_member) is True
    assert question.votes.count() == 1
    assert question_toggle_vote(question=question, user=other_member) is False
    assert question.votes.count() == 0


def test_question_moderate_by_a_host_and_refused_to_a_member(
    member, other_member, make_session
) -> None:
    host = make_member(display_name="Hana Host")
    session = make_session(starts_at=timezone.now() + timedelta(minutes=5), hosts=[host])
    question = question_create(session=session, author=member, text="What about MRD?")

    with pytest.raises(PermissionDenied, match="hosts and moderators"):
        question_moderate(question=question, actor=other_member, action="hide")
    question_moderate(question=question, actor=host, action="answer")

    question.refresh_from_db()
    assert (question.status, question.is_hidden) == (QuestionStatus.ANSWERED, False)
    assert [e.actor for e in _audit("question.answer")] == [host]


def test_question_moderate_by_a_moderator_hides_and_unpins(member, make_session) -> None:
    moderator = make_member(display_name="Mo Moderator", role=Role.MODERATOR)
    session = make_session(starts_at=timezone.now() + timedelta(minutes=5))
    question = question_create(session=session, author=member, text="Off topic")
    question_moderate(question=question, actor=moderator, action="pin")

    question_moderate(question=question, actor=moderator, action="hide")

    question.refresh_from_db()
    assert (question.is_hidden, question.is_pinned) == (True, False)


# ---------------------------------------------------------------------------------------------
# Calendar feeds


def test_calendar_feed_get_or_create_keeps_one_address(member) -> None:
    first = calendar_feed_get_or_create(user=member)
    again = calendar_feed_get_or_create(user=member)

    assert first.token == again.token
    assert len(_audit("calendar_feed.create")) == 1


def test_calendar_feed_renew_revokes_the_old_address(member) -> None:
    old = calendar_feed_get_or_create(user=member).token

    new = calendar_feed_renew(user=member).token

    assert new != old
    assert not CalendarFeed.objects.filter(token=old).exists()
    assert len(_audit("calendar_feed.renew")) == 1


# ---------------------------------------------------------------------------------------------
# Sessions files


def _row(line: int = 2, **fields: object) -> SessionRow:
    values: dict[str, object] = {
        "line": line,
        "starts_at": datetime(2021, 7, 8, 0, tzinfo=UTC),
        "title": "Welcome",
        "kind": "regular",
        "guests": ("Dr. Guest",),
        "attendance": 48,
        "recording_url": "",
        **fields,
    }
    return SessionRow(**values)  # type: ignore[arg-type]


def test_sessions_import_by_the_operator_creates_the_season_and_audits(db) -> None:
    summary = sessions_import(
        season_name="Season 1", rows=[_row()], time_zone="America/New_York", actor=OPERATOR
    )

    assert (summary.season_created, summary.created, summary.updated) == (True, 1, 0)
    assert summary.season.starts_on == date(2021, 7, 7)  # 8 pm Eastern the day before
    (entry,) = _audit("season.import_sessions")
    assert entry.actor is None and entry.changes == {"created": 1, "updated": 0}


def test_sessions_import_refuses_a_member(member) -> None:
    with pytest.raises(PermissionDenied):
        sessions_import(season_name="Season 1", rows=[_row()], actor=member)

    assert not Season.objects.exists()


def test_sessions_export_rows_in_the_seasons_zone(db) -> None:
    summary = sessions_import(
        season_name="Season 1", rows=[_row()], time_zone="America/New_York", actor=OPERATOR
    )

    assert sessions_export_rows(season=summary.season) == [
        ["2021-07-07T20:00:00-04:00", "Welcome", "regular", "Dr. Guest", "48", ""]
    ]


# ---------------------------------------------------------------------------------------------
# Refusals and edges


def test_season_create_refuses_an_end_before_the_start(organizer) -> None:
    with pytest.raises(DomainError, match="ends on or after the day it starts"):
        season_create(
            actor=organizer, name="Backwards", starts_on=date(2027, 6, 1), ends_on=date(2027, 1, 1)
        )

    assert not Season.objects.exists()


def test_season_create_gives_a_name_with_a_taken_slug_the_next_free_one(organizer, season) -> None:
    second = season_create(
        actor=organizer, name="Season 2!", starts_on=date(2027, 1, 1), ends_on=date(2027, 6, 1)
    )
    third = season_create(
        actor=organizer, name="Season 2?", starts_on=date(2027, 1, 1), ends_on=date(2027, 6, 1)
    )

    assert (season.slug, second.slug, third.slug) == ("season-2", "season-2-2", "season-2-3")


def test_season_update_refuses_an_unknown_time_zone(organizer, season) -> None:
    with pytest.raises(DomainError, match="'Mars/Olympus' is not an IANA time zone"):
        season_update(season=season, actor=organizer, time_zone="Mars/Olympus")

    season.refresh_from_db()
    assert season.time_zone == "America/New_York"


@pytest.mark.parametrize(
    ("weekday", "every_weeks", "message"),
    [(3, 0, "every 1 week or more"), (7, 1, r"weekday is 0 \(Monday\) to 6 \(Sunday\)")],
)
def test_schedule_start_times_refuses_a_bad_cadence_or_weekday(
    weekday: int, every_weeks: int, message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        schedule_start_times(
            first_date=date(2027, 1, 1), last_date=date(2027, 3, 1), weekday=weekday,
            every_weeks=every_weeks, local_time=time(20), time_zone="UTC",
        )  # fmt: skip


def test_session_update_refuses_an_empty_title_and_a_start_without_a_zone(
    organizer, make_session
) -> None:
    session = make_session(title="Kept")

    with pytest.raises(DomainError, match="A session needs a title"):
        session_update(session=session, actor=organizer, title=" \n ")
    with pytest.raises(DomainError, match="A session's start needs a time zone"):
        session_update(
            session=session, actor=organizer, starts_at=timezone.make_naive(timezone.now() + SOON)
        )

    session.refresh_from_db()
    assert (session.title, session.sequence) == ("Kept", 0)


def test_session_create_keeps_hashtags_without_the_hash(organizer) -> None:
    session = session_create(
        actor=organizer, title="ASH recap", starts_at=timezone.now() + SOON,
        hashtag="#HemOnc", conference_tag="#ASH26",
    )  # fmt: skip

    session.refresh_from_db()
    assert (session.hashtag, session.conference_tag) == ("HemOnc", "ASH26")


def test_session_update_moved_into_the_past_mails_nobody(
    organizer, member, make_session, mailbox, committed
) -> None:
    session = make_session()
    rsvp_create(session=session, user=member)

    with committed():
        session_update(
            session=session, actor=organizer, starts_at=timezone.now() - timedelta(days=1)
        )

    session.refresh_from_db()
    assert session.sequence == 1
    assert mailbox.messages == []


def test_session_record_attendance_before_the_end_keeps_the_session_scheduled(
    organizer, make_session
) -> None:
    session = make_session()

    session_record_attendance(session=session, actor=organizer, peak_listeners=12)

    session.refresh_from_db()
    assert (session.peak_listeners, session.status) == (12, SessionStatus.SCHEDULED)


def test_session_update_with_a_smaller_capacity_keeps_the_waitlist_waiting(
    organizer, make_session
) -> None:
    session = make_session(capacity=2)
    seated = [rsvp_create(session=session, user=make_member(display_name=n)) for n in "AB"]
    waiting = rsvp_create(session=session, user=make_member(display_name="C"))

    session_update(session=session, actor=organizer, capacity=1)

    waiting.refresh_from_db()
    assert waiting.status == RsvpStatus.WAITLISTED
    assert [r.status for r in seated] == [RsvpStatus.GOING, RsvpStatus.GOING]
    assert not _audit("rsvp.promote")


def test_rsvp_cancel_twice_audits_once(member, make_session) -> None:
    rsvp = rsvp_create(session=make_session(), user=member)

    rsvp_cancel(rsvp=rsvp, actor=member)
    again = rsvp_cancel(rsvp=rsvp, actor=member)

    assert again.status == RsvpStatus.CANCELLED
    assert len(_audit("rsvp.cancel")) == 1


def test_rsvp_request_and_confirm_again_keep_the_seat_and_mail_nothing_more(
    make_session, mailbox, committed
) -> None:
    session = make_session()
    with committed():
        rsvp = rsvp_request(session=session, email="v@example.org")
    with committed():
        rsvp_confirm(rsvp_id=rsvp.pk, email="v@example.org")
    mailbox.wait_for(2)

    with committed():
        again = rsvp_confirm(rsvp_id=rsvp.pk, email="V@example.org")
        requested = rsvp_request(session=session, email="v@example.org")

    assert (again.pk, requested.pk) == (rsvp.pk, rsvp.pk)
    assert again.status == RsvpStatus.GOING
    assert len(_audit("rsvp.confirm")) == 1
    assert len(mailbox.messages) == 2


def test_checkin_create_refuses_a_cancelled_session_and_after_the_window(
    organizer, member, make_session
) -> None:
    cancelled = make_session(starts_at=timezone.now() + timedelta(minutes=5))
    session_cancel(session=cancelled, actor=organizer)
    cancelled.refresh_from_db()
    over = make_session(starts_at=timezone.now() - timedelta(hours=3))

    with pytest.raises(DomainError, match="This session is cancelled"):
        checkin_create(session=cancelled, user=member)
    with pytest.raises(DomainError, match="Check-in closed 30 minutes after the session ended"):
        checkin_create(session=over, user=member)

    assert not CheckIn.objects.exists()


def test_question_create_refuses_a_long_question_and_a_session_that_is_over(
    member, make_session
) -> None:
    live = make_session(starts_at=timezone.now() + timedelta(minutes=5))
    over = make_session(starts_at=timezone.now() - timedelta(hours=3))

    with pytest.raises(DomainError, match="at most 500 characters"):
        question_create(session=live, author=member, text="x" * 501)
    with pytest.raises(DomainError, match="no longer takes questions"):
        question_create(session=over, author=member, text="Too late?")

    assert not _audit("question.create")
