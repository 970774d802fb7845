"""The demo network's live sessions: the first season as the network reported it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps

from hemonc.events.demo import DEMO_DOMAIN, SEASON_ONE, SEASON_TWO, demo_sessions_create
from hemonc.events.models import Guest, LiveSession, Season
from hemonc.events.selectors import season_statistics
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

    assert first.getvalue().startswith(f"Created the demo sessions: 22 in {SEASON_ONE}")
    assert again.getvalue() == "The demo sessions are already here."
    assert LiveSession.objects.count() == sessions
    stats = season_statistics(season=Season.objects.get(name=SEASON_ONE))
    assert stats.sessions_held == 22
    assert (stats.attendance_mean, stats.attendance_min, stats.attendance_max) == (49.6, 22, 187)
    assert Season.objects.filter(name=SEASON_TWO).exists()
    assert Guest.objects.filter(member__isnull=False).count() == 4


def test_demo_sessions_wait_for_the_demo_members() -> None:
    make_member(display_name="Not a demo member")
    out = StringIO()

    apps.get_app_config("events").create_demo(stdout=out)  # as `hemonc demo` runs it

    assert out.getvalue() == "No demo members: skipping the demo sessions."
    assert not Season.objects.exists()
