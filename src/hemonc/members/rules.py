"""Permission predicates for members' roles (django-rules)."""

from __future__ import annotations

from typing import Any

import rules

from hemonc.members.enums import Role


@rules.predicate
def is_organizer(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.ORGANIZER))


@rules.predicate
def is_moderator(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.MODERATOR))


@rules.predicate
def is_member(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_self(user: Any, profile: Any) -> bool:
    return bool(user and profile is not None and user.pk == profile.user_id)


@rules.predicate
def is_same_account(user: Any, account: Any) -> bool:
    return bool(user and account is not None and user.pk == account.pk)


rules.add_perm("members.edit_profile", is_self | is_organizer)
# The finer limit (never an organizer's or superuser's roles) is in
# services._role_change_refused: it depends on the member, not only on who asks.
rules.add_perm("members.set_role", is_organizer)
# The organizers' console (/organize/): the everyday work of every app on one page.
rules.add_perm("members.use_console", is_organizer)
rules.add_perm("members.edit_account", is_organizer)
rules.add_perm("members.erase_account", is_same_account | is_organizer)
rules.add_perm("members.block_member", is_member)
rules.add_perm("members.mute_member", is_member)
rules.add_perm("core.view_auditentry", is_organizer)
# What the patient-identifier check held or let through on an attestation (/organize/phi/).
rules.add_perm("core.review_phi", is_organizer)
