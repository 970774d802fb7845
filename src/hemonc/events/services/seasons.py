"""Seasons and the schedule generator."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TypedDict, Unpack
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.text import slugify

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import require
from hemonc.core.text import one_line
from hemonc.core.updates import model_update
from hemonc.events.enums import SessionKind
from hemonc.events.models import LiveSession, Season
from hemonc.events.services._shared import Actor, _check_fields, _check_time_zone, _member
from hemonc.events.services.reminders import _schedule_reminders


class SeasonChanges(TypedDict, total=False):
    name: str
    starts_on: date
    ends_on: date
    time_zone: str
    description: str


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "season"
    slug, n = base, 2
    slugs = set(Season.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    while slug in slugs:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic(durable=True)
def season_create(
    *,
    actor: Actor,
    name: str,
    starts_on: date,
    ends_on: date,
    time_zone: str = "UTC",
    description: str = "",
) -> Season:
    require(actor, "events.manage_sessions")
    _check_time_zone(time_zone)
    name = one_line(name)
    if ends_on < starts_on:
        raise DomainError("A season ends on or after the day it starts.")
    if Season.objects.filter(name__iexact=name.strip()).exists():
        raise DomainError(f"There is already a season called {name.strip()!r}.")
    season = Season.objects.create(
        name=name.strip(),
        slug=_unique_slug(name),
        starts_on=starts_on,
        ends_on=ends_on,
        time_zone=time_zone,
        description=description,
    )
    audit(actor=actor, action="season.create", target=season)
    return season


@transaction.atomic(durable=True)
def season_update(*, season: Season, actor: Actor, **fields: Unpack[SeasonChanges]) -> Season:
    require(actor, "events.manage_sessions")
    _check_fields(fields, SeasonChanges, "season")
    if "time_zone" in fields:
        _check_time_zone(fields["time_zone"])
    if "name" in fields:
        fields["name"] = one_line(fields["name"])
        if Season.objects.filter(name__iexact=fields["name"]).exclude(pk=season.pk).exists():
            raise DomainError(f"There is already a season called {fields['name']!r}.")
    changed = model_update(season, fields)
    if season.ends_on < season.starts_on:
        raise DomainError("A season ends on or after the day it starts.")
    season.save()
    audit(actor=actor, action="season.update", target=season, changes={"fields": changed})
    return season


def schedule_start_times(
    *,
    first_date: date,
    last_date: date,
    weekday: int,
    every_weeks: int,
    local_time: time,
    time_zone: str,
    skip_dates: Iterable[date] = (),
) -> list[datetime]:
    """Start times every `every_weeks` weeks on `weekday` (0 = Monday) from `first_date` to
    `last_date`, at `local_time` in `time_zone`, minus `skip_dates`.

    Each time is built from the local date and clock time, so 8 pm US Eastern stays 8 pm
    Eastern across the DST changes (its UTC time moves instead). A skipped date leaves its
    slot empty; the cadence does not shift.
    """
    if every_weeks < 1:
        raise DomainError("The cadence is every 1 week or more.")
    if not 0 <= weekday <= 6:
        raise DomainError("The weekday is 0 (Monday) to 6 (Sunday).")
    _check_time_zone(time_zone)
    zone = ZoneInfo(time_zone)
    skipped = set(skip_dates)
    day = first_date + timedelta(days=(weekday - first_date.weekday()) % 7)
    times = []
    while day <= last_date:
        if day not in skipped:
            local = datetime.combine(day, local_time, tzinfo=zone)
            # A clock time inside a spring-forward gap does not exist: move past the gap.
            round_trip = local.astimezone(ZoneInfo("UTC")).astimezone(zone)
            if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
                local = round_trip
            times.append(local)
        day += timedelta(weeks=every_weeks)
    return times


@transaction.atomic(durable=True)
def season_schedule_sessions(
    *,
    season: Season,
    actor: Actor,
    first_date: date,
    weekday: int,
    every_weeks: int,
    local_time: time,
    time_zone: str,
    skip_dates: Iterable[date] = (),
    title: str = "Live session",
    kind: str = SessionKind.REGULAR,
    duration_minutes: int = 60,
    join_url: str = "",
) -> list[LiveSession]:
    """Create the season's sessions on a regular cadence until the season ends.

    A slot that already has a session at that very time is left as it is, so running the
    generator again after skipping a date adds nothing twice.
    """
    require(actor, "events.manage_sessions")
    title = one_line(title) or "Live session"
    starts = schedule_start_times(
        first_date=max(first_date, season.starts_on),
        last_date=season.ends_on,
        weekday=weekday,
        every_weeks=every_weeks,
        local_time=local_time,
        time_zone=time_zone,
        skip_dates=skip_dates,
    )
    taken = set(season.sessions.values_list("starts_at", flat=True))
    created = []
    for number, starts_at in enumerate(starts, start=1):
        if starts_at in taken:
            continue
        session = LiveSession.objects.create(
            season=season,
            title=title.replace("{n}", str(number)),
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            time_zone=time_zone,
            kind=kind,
            join_url=join_url,
            created_by=_member(actor),
        )
        _schedule_reminders(session)
        created.append(session)
    audit(
        actor=actor,
        action="season.schedule",
        target=season,
        changes={"created": len(created), "every_weeks": every_weeks, "weekday": weekday},
    )
    return created
