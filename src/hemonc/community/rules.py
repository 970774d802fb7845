"""Who may do what in the community (django-rules)."""

from __future__ import annotations

from typing import Any

import rules

from hemonc.members.rules import is_member, is_moderator, is_organizer

# ---- spaces (+ notifications) ----


@rules.predicate
def can_see_space(user: Any, space: Any) -> bool:
    from hemonc.community.selectors import space_is_visible

    return space is not None and space_is_visible(user, space)


@rules.predicate
def is_author(user: Any, item: Any) -> bool:
    return bool(item is not None and user and item.author_id == user.pk)


rules.add_perm("community.read_notifications", is_member)
rules.add_perm("community.follow", is_member)
# On a Space: post a discussion in it.
rules.add_perm("community.post", is_member & can_see_space)
# On a Discussion or a Reply.
rules.add_perm("community.edit_post", is_member & (is_author | is_moderator | is_organizer))
rules.add_perm("community.moderate_posts", is_moderator | is_organizer)
rules.add_perm("community.manage_spaces", is_organizer)
rules.add_perm("community.verify_stage", is_organizer)
# ---- end spaces ----
