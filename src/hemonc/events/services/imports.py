"""Import and export of a season's sessions (the sessions file)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import require
from hemonc.core.text import one_line
from hemonc.core.timezones import is_time_zone
from hemonc.events.enums import SessionStatus
from hemonc.events.importers.sessions_csv import SessionRow, SessionsFileError, join_guests
from hemonc.events.models import LiveSession, Season
from hemonc.events.selectors import with_attendance
from hemonc.events.services._shared import Actor, _check_time_zone, _member
from hemonc.events.services.guests import UnknownGuestAddress, _guest_key, _guests_for_names
from hemonc.events.services.reminders import _schedule_reminders
from hemonc.events.services.seasons import _unique_slug


@dataclass(frozen=True)
class ImportSummary:
    season: Season
    season_created: bool
    created: int
    updated: int


@transaction.atomic(durable=True)
def sessions_import(
    *,
    season_name: str,
    rows: Iterable[SessionRow],
    time_zone: str = "UTC",
    actor: Actor,
) -> ImportSummary:
    """Write the rows of a sessions file into a season, all or nothing.

    A row is the same session as one already there when season, start and title match:
    its attendance, guests and recording are updated and nothing new is created. The rows
    are read (and so validated) before anything is written.
    """
    require(actor, "events.manage_sessions")
    rows = list(rows)
    _check_time_zone(time_zone)
    if len(season_name.strip()) > 120:
        raise DomainError("The season name is longer than 120 characters.")
    zone = ZoneInfo(time_zone)
    season_name = one_line(season_name)
    season = Season.objects.filter(name__iexact=season_name.strip()).first()
    season_created = season is None
    days = [row.starts_at.astimezone(zone).date() for row in rows]
    if season is None:
        if not rows:
            raise DomainError("The file has no sessions, so the season cannot be created.")
        season = Season.objects.create(
            name=season_name.strip(),
            slug=_unique_slug(season_name),
            starts_on=min(days),
            ends_on=max(days),
            time_zone=time_zone,
        )
        audit(actor=actor, action="season.create", target=season)
    elif days and (min(days) < season.starts_on or max(days) > season.ends_on):
        season.starts_on = min(season.starts_on, *days)
        season.ends_on = max(season.ends_on, *days)
        season.save(update_fields=["starts_on", "ends_on", "updated_at"])
    now = timezone.now()
    created = updated = 0
    try:
        guests_by_key = _guests_for_names(names=[name for row in rows for name in row.guests])
    except UnknownGuestAddress as error:
        key = _guest_key(error.address)
        line = next(r.line for r in rows if any(_guest_key(n) == key for n in r.guests))
        raise SessionsFileError(line=line, field="guests", problem=str(error)) from None
    for row in rows:
        guests = [guests_by_key[_guest_key(name)] for name in row.guests]
        title = one_line(row.title)  # a quoted cell may hold a line break
        session = LiveSession.objects.filter(
            season=season, starts_at=row.starts_at, title=title
        ).first()
        if session is None:
            session = LiveSession.objects.create(
                season=season,
                title=title,
                starts_at=row.starts_at,
                kind=row.kind,
                time_zone=season.time_zone,
                peak_listeners=row.attendance,
                recording_url=row.recording_url,
                status=SessionStatus.ENDED if row.starts_at < now else SessionStatus.SCHEDULED,
                created_by=_member(actor),
            )
            _schedule_reminders(session)
            created += 1
        else:
            session.peak_listeners = row.attendance
            session.recording_url = row.recording_url
            session.save(update_fields=["peak_listeners", "recording_url", "updated_at"])
            updated += 1
        session.guests.set(guests)
    audit(
        actor=actor,
        action="season.import_sessions",
        target=season,
        changes={"created": created, "updated": updated},
    )
    return ImportSummary(season, season_created, created, updated)


def sessions_export_rows(*, season: Season) -> list[list[str]]:
    """The season's sessions as rows of the sessions file, times in the season's zone."""
    zone = ZoneInfo(season.time_zone) if is_time_zone(season.time_zone) else ZoneInfo("UTC")
    sessions = (
        with_attendance(season.sessions.all()).prefetch_related("guests").order_by("starts_at")
    )
    rows = []
    for session in sessions:
        counted: Any = session  # annotated by with_attendance
        has_figure = session.peak_listeners is not None or counted.check_in_count
        attendance = counted.attendance if has_figure else None
        rows.append(
            [
                session.starts_at.astimezone(zone).isoformat(),
                session.title,
                session.kind,
                join_guests(sorted(g.name for g in session.guests.all())),
                "" if attendance is None else str(attendance),
                session.recording_url,
            ]
        )
    return rows
