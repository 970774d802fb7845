"""Who may do what with sessions (django-rules)."""

from typing import Any

import rules

from hemonc.members.rules import is_moderator, is_organizer


@rules.predicate
def is_member(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_host(user: Any, session: Any) -> bool:
    return bool(
        user
        and user.is_authenticated
        and session is not None
        and session.hosts.filter(pk=user.pk).exists()
    )


@rules.predicate
def owns_rsvp(user: Any, rsvp: Any) -> bool:
    return bool(user and rsvp is not None and user.pk is not None and rsvp.user_id == user.pk)


# Seasons, sessions, guests and imports; the check-in QR code and the attendance figure.
rules.add_perm("events.manage_sessions", is_organizer)
# RSVP, check in, ask and upvote questions, keep a private calendar feed.
rules.add_perm("events.take_part", is_member)
rules.add_perm("events.cancel_rsvp", owns_rsvp | is_organizer)
rules.add_perm("events.moderate_questions", is_host | is_moderator | is_organizer)
rules.add_perm("events.export_attendees", is_organizer)
