"""Permission predicates of the community (django-rules), checked by its services and views."""

from __future__ import annotations

from typing import Any

import rules

from hemonc.community.selectors import user_is_sponsor
from hemonc.members.rules import is_member, is_organizer

# ---- opportunities (+ sponsorship) ----


@rules.predicate
def is_sponsor(user: Any) -> bool:
    """Faculty (stage attending) or a mentor."""
    return bool(user and user.is_authenticated and user_is_sponsor(user))


@rules.predicate
def is_nominee(user: Any, nomination: Any) -> bool:
    return bool(user and nomination is not None and user.pk == nomination.nominee_id)


@rules.predicate
def is_nominator(user: Any, nomination: Any) -> bool:
    return bool(user and nomination is not None and user.pk == nomination.nominator_id)


rules.add_perm("community.view_opportunities", is_member)
rules.add_perm("community.suggest_opportunity", is_member)
rules.add_perm("community.save_opportunity", is_member)
# Approve or reject suggestions, add and edit opportunities, see nominations per opportunity.
rules.add_perm("community.review_opportunities", is_organizer)
rules.add_perm("community.nominate", is_sponsor)
rules.add_perm("community.answer_nomination", is_nominee)
rules.add_perm("community.withdraw_nomination", is_nominator)
rules.add_perm("community.view_nominations", is_organizer)
