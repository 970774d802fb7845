"""The schedule generator keeps local time across daylight-saving changes."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from hemonc.core.errors import DomainError
from hemonc.events.services import schedule_start_times, season_create, season_schedule_sessions

EASTERN = ZoneInfo("America/New_York")


def test_schedule_stays_at_8pm_eastern_across_november_and_march() -> None:
    starts = schedule_start_times(
        first_date=date(2021, 10, 21),
        last_date=date(2022, 3, 31),
        weekday=3,  # Thursday
        every_weeks=2,
        local_time=time(20, 0),
        time_zone="America/New_York",
    )

    local = [s.astimezone(EASTERN) for s in starts]
    assert {(t.hour, t.minute) for t in local} == {(20, 0)}
    assert {t.weekday() for t in local} == {3}
    utc_hours = {
        s.astimezone(ZoneInfo("UTC")).date(): s.astimezone(ZoneInfo("UTC")).hour for s in starts
    }
    assert utc_hours[date(2021, 10, 22)] == 0  # EDT: 20:00-04:00
    assert utc_hours[date(2021, 11, 19)] == 1  # EST after 7 November: 20:00-05:00
    assert utc_hours[date(2022, 3, 11)] == 1  # 10 March: still EST
    assert utc_hours[date(2022, 3, 25)] == 0  # 24 March: EDT again after 13 March
    assert [t.date() for t in local][:3] == [
        date(2021, 10, 21),
        date(2021, 11, 4),
        date(2021, 11, 18),
    ]


def test_schedule_skips_dates_without_shifting_the_cadence() -> None:
    starts = schedule_start_times(
        first_date=date(2021, 12, 1),
        last_date=date(2022, 1, 31),
        weekday=3,
        every_weeks=2,
        local_time=time(20, 0),
        time_zone="America/New_York",
        skip_dates=[date(2021, 12, 30)],
    )

    assert [s.date() for s in starts] == [
        date(2021, 12, 2), date(2021, 12, 16), date(2022, 1, 13), date(2022, 1, 27),
    ]  # fmt: skip


def test_schedule_time_in_the_spring_gap_moves_past_it() -> None:
    (start,) = schedule_start_times(
        first_date=date(2022, 3, 13),
        last_date=date(2022, 3, 13),
        weekday=6,
        every_weeks=1,
        local_time=time(2, 30),
        time_zone="America/New_York",
    )

    assert start.astimezone(EASTERN).hour == 3


def test_schedule_rejects_a_zone_that_does_not_exist() -> None:
    with pytest.raises(DomainError, match="IANA"):
        schedule_start_times(
            first_date=date(2022, 1, 1), last_date=date(2022, 2, 1), weekday=0,
            every_weeks=2, local_time=time(20), time_zone="Eastern",
        )  # fmt: skip


def test_season_schedule_creates_numbered_sessions_once(organizer) -> None:
    season = season_create(
        actor=organizer, name="Season 1", starts_on=date(2021, 7, 1), ends_on=date(2021, 8, 31),
        time_zone="America/New_York",
    )  # fmt: skip
    arguments = {
        "season": season, "actor": organizer, "first_date": date(2021, 7, 1), "weekday": 3,
        "every_weeks": 2, "local_time": time(20), "time_zone": "America/New_York",
        "title": "Fellows live #{n}",
    }  # fmt: skip

    created = season_schedule_sessions(**arguments)
    again = season_schedule_sessions(**arguments)

    assert [s.title for s in created] == [f"Fellows live #{n}" for n in range(1, 6)]
    assert again == []
    assert season.sessions.count() == 5
