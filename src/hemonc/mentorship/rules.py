"""Permission predicates of mentorship (django-rules)."""

import rules

from hemonc.members.rules import is_organizer


@rules.predicate
def is_party(user, mentorship) -> bool:  # type: ignore[no-untyped-def]
    return bool(
        user and mentorship is not None and user.pk in (mentorship.mentor_id, mentorship.mentee_id)
    )


rules.add_perm("mentorship.view_mentorship_thread", is_party)
rules.add_perm("mentorship.manage_programs", is_organizer)
rules.add_perm("mentorship.view_feedback", is_organizer)
