"""Permission predicates of mentorship (django-rules), checked by its services and views.

The operator (commands, background work) passes every check (`core.permissions.Operator`).
"""

from typing import Any

import rules

from hemonc.members.rules import is_organizer


@rules.predicate
def is_self(user: Any, member: Any) -> bool:
    """`user` acts for themselves: their own offer, goals, requests and applications."""
    return bool(user and member is not None and user.pk == member.pk)


@rules.predicate
def is_party(user: Any, mentorship: Any) -> bool:
    """`user` is the mentor or the mentee of the mentorship."""
    return bool(
        user and mentorship is not None and user.pk in (mentorship.mentor_id, mentorship.mentee_id)
    )


@rules.predicate
def is_asked_mentor(user: Any, request: Any) -> bool:
    return bool(user and request is not None and user.pk == request.mentor_id)


@rules.predicate
def is_asking_mentee(user: Any, request: Any) -> bool:
    return bool(user and request is not None and user.pk == request.mentee_id)


rules.add_perm("mentorship.act_for_member", is_self)
rules.add_perm("mentorship.answer_request", is_asked_mentor)
rules.add_perm("mentorship.withdraw_request", is_asking_mentee)
rules.add_perm("mentorship.take_part", is_party)
rules.add_perm("mentorship.manage_programs", is_organizer)
rules.add_perm("mentorship.manage_speed_events", is_organizer)
# The printable schedule names every participant with their tables: the organizers' sheet.
rules.add_perm("mentorship.print_speed_schedule", is_organizer)
rules.add_perm("mentorship.join_speed_event", is_self | is_organizer)
rules.add_perm("mentorship.send_checkin_reminders", is_organizer)
