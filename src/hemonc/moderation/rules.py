"""Who may do what in moderation (django-rules)."""

from __future__ import annotations

import rules

from hemonc.members.rules import is_member, is_moderator, is_organizer

rules.add_perm("moderation.manage_conduct", is_organizer)
rules.add_perm("moderation.accept_conduct", is_member)
# One audit list for those who keep the network safe; nothing in it can be changed.
rules.add_perm("moderation.view_audit", is_organizer | is_moderator)
