"""Who may do what in moderation (django-rules)."""

from __future__ import annotations

from typing import Any

import rules

from hemonc.members.rules import is_member, is_moderator, is_organizer


def same_institution(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


def _routed(user: Any, case: Any) -> bool:
    if case.author_id is not None and case.author_id == user.pk:
        return False
    profile = getattr(user, "profile", None)
    institution = profile.institution if profile is not None else ""
    return not same_institution(case.excluded_institution, institution)


@rules.predicate
def case_routed_to(user: Any, case: Any) -> bool:
    """A case never reaches the member it is about, nor, when it says so, the moderators of
    that member's institution (a report about a mentor or a moderator)."""
    return case is None or _routed(user, case)


@rules.predicate
def may_decide_appeal(user: Any, appeal: Any) -> bool:
    """Another moderator than the one who decided, and never the author."""
    return appeal is None or (
        appeal.case.decided_by_id != user.pk
        and appeal.author_id != user.pk
        and _routed(user, appeal.case)
    )


rules.add_perm("moderation.manage_conduct", is_organizer)
rules.add_perm("moderation.accept_conduct", is_member)
# One audit list for those who keep the network safe; nothing in it can be changed.
rules.add_perm("moderation.view_audit", is_organizer | is_moderator)
rules.add_perm("moderation.report", is_member)
rules.add_perm("moderation.handle_case", is_moderator & case_routed_to)
rules.add_perm("moderation.decide_appeal", is_moderator & may_decide_appeal)
# New accounts: moderators review what waits; organizers vouch for a member.
rules.add_perm("moderation.review_held", is_moderator)
rules.add_perm("moderation.vouch", is_organizer)
