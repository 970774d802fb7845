"""iCalendar (RFC 5545/5546) files for sessions: one session, the public feed, a member's feed.

Times are written in UTC, which every calendar client reads; the client shows them in its
own zone. A session keeps its UID for life and raises SEQUENCE on every change of time or
on cancellation, so a calendar updates the event it has instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from hemonc.core.caching import page_cache
from hemonc.events.enums import SessionStatus
from hemonc.events.models import LiveSession

PRODUCT_ID = "-//Hem-Onc Network//Live sessions//EN"


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'noreply@localhost'}")
    organizer.params["cn"] = vText(name or "Hem-Onc Network")
    return organizer


def session_event(
    session: LiveSession, *, show_join_link: bool, attendee: str | None = None
) -> Event:
    url = f"{settings.SITE_URL}{session.get_absolute_url()}"
    event = Event()
    event.add("uid", session.ical_uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", session.updated_at)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.starts_at + timedelta(minutes=session.duration_minutes))
    event.add("summary", session.title)
    lines = [session.description.strip()] if session.description.strip() else []
    join = session.join_url if show_join_link else ""
    if join:
        lines.append(f"Join: {join}")
    lines.append(f"Session page: {url}")
    event.add("description", "\n\n".join(lines))
    event.add("url", url)
    location = session.venue or join
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
    event.add("organizer", _organizer())
    if attendee:
        person = vCalAddress(f"mailto:{attendee}")
        person.params["role"] = vText("REQ-PARTICIPANT")
        person.params["partstat"] = vText("ACCEPTED")
        event.add("attendee", person)
    return event


def sessions_calendar(
    sessions: Iterable[LiveSession],
    *,
    name: str,
    method: str = "PUBLISH",
    show_join_links: bool = False,
    attendee: str | None = None,
) -> bytes:
    """A calendar of `sessions`. METHOD is PUBLISH for feeds and downloads, REQUEST for an
    invitation or update sent by mail, CANCEL when a session is called off."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    # icalendar knows no type for an X- property and would write the name as it is; as a
    # vText its commas, semicolons, backslashes and line breaks are escaped (RFC 5545,
    # 3.3.11) like SUMMARY's, and VALUE=TEXT tells every reader to unescape them.
    calendar.add("x-wr-calname", vText(name), parameters={"VALUE": "TEXT"})
    for session in sessions:
        calendar.add_component(
            session_event(
                session,
                show_join_link=show_join_links or not session.join_url_for_rsvps_only,
                attendee=attendee,
            )
        )
    return calendar.to_ical()


EVENT_CACHE_KEY = "events:vevents"
EVENT_CACHE_SECONDS = 7 * 24 * 3600


def cached_sessions_calendar(sessions: Iterable[LiveSession], *, name: str) -> bytes:
    """The public feed: like `sessions_calendar`, but each event's text is kept under its
    session, its last change and its SEQUENCE, so after a change only that event is built
    again (icalendar takes a millisecond or two per event).

    The event texts live in one cache entry: a small cache (Django's LocMemCache keeps 300
    entries unless told otherwise) would otherwise evict most of a long feed.
    """
    sessions = list(sessions)
    keys = {f"{s.pk}:{s.updated_at.timestamp()}:{s.sequence}": s for s in sessions}
    stored = page_cache.get(EVENT_CACHE_KEY) or {}
    events = {key: stored[key] for key in keys if key in stored}
    for key, session in keys.items():
        if key not in events:
            show = not session.join_url_for_rsvps_only
            events[key] = session_event(session, show_join_link=show).to_ical()
    if len(events) != len(stored) or any(key not in stored for key in events):
        page_cache.set(EVENT_CACHE_KEY, events, EVENT_CACHE_SECONDS)
    envelope = sessions_calendar([], name=name)
    end = b"END:VCALENDAR\r\n"
    return envelope.removesuffix(end) + b"".join(events[key] for key in keys) + end


def session_invitation(session: LiveSession, *, attendee: str) -> bytes:
    """The .ics attached to a mail about one session: REQUEST, or CANCEL once cancelled."""
    method = "CANCEL" if session.status == SessionStatus.CANCELLED else "REQUEST"
    return sessions_calendar(
        [session], name=session.title, method=method, show_join_links=True, attendee=attendee
    )
