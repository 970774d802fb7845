"""The demo network's live sessions: the first season as the network reported it."""

from __future__ import annotations

from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from hemonc.events.demo import DEMO_DOMAIN, SEASON_ONE, SEASON_TWO, ZONE, demo_sessions_create
from hemonc.events.models import Guest, LiveSession, Season
from hemonc.events.selectors import season_statistics, with_attendance
from hemonc.taxonomy.enums import Stage
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _demo_members(count: int) -> None:
    for n in range(count):
        member = make_member(
            display_name=f"Demo member {n}", stage=Stage.ATTENDING if n < 4 else Stage.FELLOW
        )
        member.email = f"member{n}@{DEMO_DOMAIN}"
        member.save(update_fields=["email"])


def test_demo_sessions_reproduce_the_first_season_once() -> None:
    _demo_members(8)
    first, again = StringIO(), StringIO()

    demo_sessions_create(stdout=first)
    sessions = LiveSession.objects.count()
    demo_sessions_create(stdout=again)

    assert first.getvalue().startswith("Created the demo sessions: 22 in last season")
    assert again.getvalue() == "The demo sessions are already here."
    assert LiveSession.objects.count() == sessions
    stats = season_statistics(season=Season.objects.get(slug=SEASON_ONE))
    assert stats.sessions_held == 22
    assert (stats.attendance_mean, stats.attendance_min, stats.attendance_max) == (49.6, 22, 187)
    assert Season.objects.filter(slug=SEASON_TWO).exists()
    assert Guest.objects.filter(member__isnull=False).count() == 4


def test_demo_sessions_wait_for_the_demo_members() -> None:
    make_member(display_name="Not a demo member")
    out = StringIO()

    apps.get_app_config("events").create_demo(stdout=out)  # as `hemonc demo` runs it

    assert out.getvalue() == "No demo members: skipping the demo sessions."
    assert not Season.objects.exists()


@pytest.mark.parametrize("today", [None, "2027-01-07 09:00Z", "2027-07-20 15:00Z"])
def test_demo_seasons_lead_up_to_today(today) -> None:
    _demo_members(8)
    with time_machine.travel(today or timezone.now(), tick=False):
        demo_sessions_create(stdout=StringIO())
        _the_seasons_lead_up_to_today()


def _the_seasons_lead_up_to_today() -> None:
    now = timezone.now()
    last, current = Season.objects.get(slug=SEASON_ONE), Season.objects.get(slug=SEASON_TWO)

    # Last season ended before the current one began; the current one runs today.
    assert last.ends_on < current.starts_on <= timezone.localdate() <= current.ends_on
    assert last.name == f"Season 1 ({last.starts_on.year}-{last.ends_on.year % 100:02d})"
    assert current.name.startswith("Season 2 (")
    assert not last.sessions.filter(starts_at__gte=now).exists()
    # Its sessions fall within its days, each title once, none in the winter holidays.
    sessions = list(current.sessions.order_by("starts_at"))
    assert all(current.starts_on <= s.starts_at.date() <= current.ends_on for s in sessions)
    assert len({s.title for s in sessions}) == len(sessions)
    local_days = [s.starts_at.astimezone(ZoneInfo(ZONE)) for s in sessions]
    assert not any((d.month, d.day) >= (12, 22) or (d.month, d.day) <= (1, 2) for d in local_days)
    past = [s for s in sessions if s.ends_at < now]
    upcoming = [s for s in sessions if s.starts_at > now]
    assert len(past) >= 3 and len(upcoming) >= 4
    # What happened is recorded: every past session has its attendance, the calls a recording.
    attendance = {
        s.pk: s.attendance
        for s in with_attendance(current.sessions.filter(pk__in=[s.pk for s in past]))
    }
    assert all(attendance[s.pk] for s in past)
    assert all(s.recording_url for s in past if s.kind not in {"meetup", "chat"})
    assert all(s.status == "scheduled" and not s.recording_url for s in upcoming)
    for session in past:
        assert all(
            session.starts_at <= c.created_at <= session.ends_at for c in session.check_ins.all()
        )
    # The pre-ASH special comes in early December, the pre-ASCO one in late May.
    ash = last.sessions.get(title__startswith="Pre-ASH")
    asco = last.sessions.get(title__startswith="Pre-ASCO")
    assert (ash.starts_at.month, asco.starts_at.month) in {(12, 5), (11, 5)}
