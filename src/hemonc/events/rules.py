"""Who may do what with sessions (django-rules)."""

import rules

from hemonc.members.rules import is_moderator, is_organizer


@rules.predicate
def is_host(user, session) -> bool:  # type: ignore[no-untyped-def]
    return bool(
        user
        and user.is_authenticated
        and session is not None
        and session.hosts.filter(pk=user.pk).exists()
    )


rules.add_perm("events.manage_sessions", is_organizer)
rules.add_perm("events.moderate_questions", is_host | is_moderator | is_organizer)
rules.add_perm("events.export_attendees", is_organizer)
