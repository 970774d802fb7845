"""Attendance, season statistics, and questions as each viewer sees them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from hemonc.core.errors import DomainError
from hemonc.events.models import CheckIn
from hemonc.events.selectors import (
    season_statistics,
    session_attendance,
    session_attendee_user_ids,
    session_list_upcoming,
    session_questions,
)
from hemonc.events.services import (
    checkin_create,
    question_create,
    question_moderate,
    rsvp_create,
    season_create,
    session_cancel,
)
from hemonc.events.templatetags.events import small_count
from hemonc.members.enums import Role
from hemonc.members.models import User
from hemonc.members.services import block_create
from tests.factories import make_member


def test_check_in_is_open_from_15_minutes_before_to_30_after(make_session, member) -> None:
    session = make_session(starts_at=timezone.now() + timedelta(minutes=10))

    checkin_create(session=session, user=member)
    checkin_create(session=session, user=member)

    assert list(User.objects.filter(id__in=session_attendee_user_ids(session=session))) == [member]
    assert session_attendance(session=session) == 1
    with pytest.raises(DomainError, match="opens 15 minutes before"):
        checkin_create(session=session, user=member, now=session.starts_at - timedelta(minutes=20))
    with pytest.raises(DomainError, match="closed 30 minutes after"):
        checkin_create(session=session, user=member, now=session.ends_at + timedelta(minutes=31))


def test_attendance_is_the_peak_listener_count_when_recorded(make_session, member) -> None:
    session = make_session(starts_at=timezone.now(), peak_listeners=49)
    checkin_create(session=session, user=member)

    assert session_attendance(session=session) == 49


def test_season_statistics_over_held_sessions(organizer, make_session) -> None:
    season = season_create(
        actor=organizer, name="Season 1", starts_on=date(2021, 7, 1), ends_on=date(2022, 6, 30)
    )
    past = timezone.now() - timedelta(days=30)
    for days, peak in ((0, 22), (7, 41), (14, 187), (21, 49)):
        make_session(title=f"Peak {peak}", season=season, starts_at=past + timedelta(days=days),
                     peak_listeners=peak)  # fmt: skip
    session_cancel(session=make_session(season=season, starts_at=past), actor=organizer)
    counted = make_session(
        title="Counted", season=season, starts_at=timezone.now() + timedelta(minutes=5)
    )
    members = [make_member(display_name=f"M{n}") for n in range(4)]
    for person in members:
        rsvp_create(session=counted, user=person)
    for person in members[:3]:
        checkin_create(session=counted, user=person)
    make_session(title="Future", season=season, starts_at=timezone.now() + timedelta(days=9))

    stats = season_statistics(season=season, now=timezone.now() + timedelta(minutes=10))

    assert stats.sessions_held == 5
    assert (stats.attendance_min, stats.attendance_max) == (3, 187)
    assert stats.attendance_mean == round((22 + 41 + 187 + 49 + 3) / 5, 1)
    assert stats.attendance_median == 41
    assert [f.session.title for f in stats.top_sessions] == ["Peak 187", "Peak 49", "Peak 41"]
    assert (stats.check_ins, stats.rsvps_with_check_ins, stats.rsvp_conversion) == (3, 4, 0.75)


def test_small_counts_show_as_under_five_beyond_organizers() -> None:
    assert [small_count(n, exact=False) for n in (0, 3, 5, 1234)] == ["0", "<5", "5", "1,234"]
    assert small_count(3, exact=True) == "3"
    assert small_count(None) == "—"


def test_upcoming_lists_live_and_future_sessions_soonest_first(make_session) -> None:
    make_session(title="Yesterday", starts_at=timezone.now() - timedelta(days=1))
    make_session(title="Next week", starts_at=timezone.now() + timedelta(days=7))
    make_session(title="Live now", starts_at=timezone.now() - timedelta(minutes=20))
    make_session(title="Earlier today", starts_at=timezone.now() - timedelta(hours=3))

    assert [s.title for s in session_list_upcoming()] == ["Live now", "Next week"]
    assert [s.title for s in session_list_upcoming(limit=1)] == ["Live now"]


@pytest.fixture
def asked(make_session, member):  # type: ignore[no-untyped-def]
    session = make_session()
    question_create(session=session, author=member, text="Open question?")
    question_create(session=session, author=member, text="Shy question?", is_anonymous=True)
    return session


def test_anonymous_question_hides_its_author_from_members_only(asked, member, other_member) -> None:
    moderator = make_member(display_name="Mo", role=Role.MODERATOR)

    for_member = session_questions(session=asked, viewer=other_member, may_moderate=False)
    for_moderator = session_questions(session=asked, viewer=moderator, may_moderate=True)

    assert [(q.question.text, q.author_name) for q in for_member] == [
        ("Open question?", "Ana Lopez"), ("Shy question?", None),
    ]  # fmt: skip
    assert [q.author_name for q in for_moderator] == ["Ana Lopez", "Ana Lopez"]


def test_questions_of_a_blocked_member_are_not_shown(asked, member, other_member) -> None:
    block_create(blocker=other_member, blocked=member)

    assert session_questions(session=asked, viewer=other_member, may_moderate=False) == []


def test_hidden_question_is_shown_only_to_moderators(asked, organizer, other_member) -> None:
    question = asked.questions.get(text="Open question?")

    question_moderate(question=question, actor=organizer, action="hide")

    assert [
        q.question.text
        for q in session_questions(session=asked, viewer=other_member, may_moderate=False)
    ] == ["Shy question?"]
    assert len(session_questions(session=asked, viewer=organizer, may_moderate=True)) == 2


def test_only_hosts_and_moderators_mark_questions(asked, member, other_member, organizer) -> None:
    question = asked.questions.first()
    asked.hosts.set([other_member])

    with pytest.raises(DomainError):
        question_moderate(question=question, actor=member, action="answer")
    question_moderate(question=question, actor=other_member, action="answer")

    question.refresh_from_db()
    assert question.status == "answered"
    assert CheckIn.objects.count() == 0
