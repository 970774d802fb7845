"""What the compose page shows beside the text as one types: each platform's count and the
thread exactly as it would be posted, numbered, with links, hashtags and mentions marked the
way the platforms show them; the hashtags worth adding; a session announcement's text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hemonc.events.models import LiveSession
from hemonc.outreach.desk.text import LIMITS, ThreadError, facets, length, split_thread
from hemonc.outreach.enums import Platform

# Platforms in the order the page shows them.
PLATFORMS = (Platform.BLUESKY, Platform.MASTODON, Platform.X)
PLATFORM_INITIAL = {Platform.X: "X", Platform.BLUESKY: "B", Platform.MASTODON: "M"}
# A text longer than this is not counted as one types (a post is never near it).
PREVIEW_MAX_CHARS = 20_000


@dataclass(frozen=True)
class PartPreview:
    text: str
    length: int
    limit: int
    position: int
    total: int

    @property
    def over(self) -> bool:
        return self.length > self.limit

    @property
    def marked(self) -> SafeString:
        return mark_entities(self.text)


@dataclass
class PlatformPreview:
    platform: str
    label: str
    handles: list[str]
    limit: int
    length: int  # of the whole text, as the platform counts it
    parts: list[PartPreview] = field(default_factory=list)
    error: str = ""

    @property
    def initial(self) -> str:
        return PLATFORM_INITIAL.get(Platform(self.platform), "?")

    @property
    def handle(self) -> str:
        return self.handles[0] if self.handles else f"the network on {self.label}"

    @property
    def summary(self) -> str:
        """One line for the counter: "Bluesky: 212 of 300" or "X: 3 posts (612 characters)"."""
        if self.error:
            return f"{self.label}: cannot be split"
        if len(self.parts) <= 1:
            return f"{self.label}: {self.length:,} of {self.limit:,}"
        return f"{self.label}: a thread of {len(self.parts)} posts ({self.length:,} characters)"

    @property
    def state(self) -> str:
        if self.error or any(part.over for part in self.parts):
            return "is-over"
        return "is-thread" if len(self.parts) > 1 else "fits"


def platform_previews(
    text: str,
    platforms: Iterable[str],
    *,
    handles: dict[str, list[str]] | None = None,
    limits: dict[str, int] | None = None,
) -> list[PlatformPreview]:
    """Each platform's count and thread of `text` (platforms in the page's order)."""
    text = text[:PREVIEW_MAX_CHARS]
    wanted = set(platforms)
    previews = []
    for platform in PLATFORMS:
        if platform not in wanted:
            continue
        limit = (limits or {}).get(platform) or LIMITS[platform]
        preview = PlatformPreview(
            platform=platform,
            label=str(Platform(platform).label).removesuffix(" (Twitter)"),
            handles=(handles or {}).get(platform, []),
            limit=limit,
            length=length(platform, text),
        )
        if text.strip():
            try:
                posts = split_thread(platform, text, limit=limit)
            except ThreadError as error:
                preview.error = str(error)
            else:
                preview.parts = [
                    PartPreview(post, length(platform, post), limit, index, len(posts))
                    for index, post in enumerate(posts, start=1)
                ]
        previews.append(preview)
    return previews


def mark_entities(text: str) -> SafeString:
    """The text escaped, with its links, hashtags and mentions marked as the platforms show
    them (in colour), found as Bluesky finds its facets."""
    raw = text.encode("utf-8")
    parts: list[str] = []
    last = 0
    for facet in facets(text):
        if facet.byte_start < last:
            continue
        parts.append(escape(raw[last : facet.byte_start].decode("utf-8", "replace")))
        piece = raw[facet.byte_start : facet.byte_end].decode("utf-8", "replace")
        parts.append(f'<span class="desk-{facet.kind}">{escape(piece)}</span>')
        last = facet.byte_end
    parts.append(escape(raw[last:].decode("utf-8", "replace")))
    return mark_safe("".join(parts))  # every piece is escaped above


def session_link(session: LiveSession) -> str:
    """Where a reader joins: the session's join link when anyone may have it, else its page."""
    if session.join_url and not session.join_url_for_rsvps_only:
        return session.join_url
    return settings.SITE_URL.rstrip("/") + session.get_absolute_url()


def session_announcement(session: LiveSession) -> str:
    """The opening of a session announcement: its time (in the session's zone), title, guests
    (with their handles where known) and link."""
    zone = ZoneInfo(session.time_zone or settings.TIME_ZONE)
    starts = timezone.localtime(session.starts_at, zone)
    day = formats.date_format(starts, "l j F")
    clock = starts.strftime("%I:%M %p").lstrip("0").replace(":00 ", " ")
    zone_name = starts.tzname() or session.time_zone
    guests = [
        f"{guest.name} ({'@' + guest.handle.lstrip('@')})" if guest.handle else guest.name
        for guest in session.guests.all()
    ]
    with_guests = ""
    if guests:
        names = guests[0] if len(guests) == 1 else ", ".join(guests[:-1]) + " and " + guests[-1]
        with_guests = f" with {names}"
    return (
        f"Live session {day}, {clock} {zone_name}: {session.title}{with_guests}.\n\n"
        f"Join us: {session_link(session)}"
    )
