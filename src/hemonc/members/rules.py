"""Permission predicates for members' roles (django-rules)."""

import rules

from hemonc.members.enums import Role


@rules.predicate
def is_organizer(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(user and user.is_authenticated and user.has_role(Role.ORGANIZER))


@rules.predicate
def is_moderator(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(user and user.is_authenticated and user.has_role(Role.MODERATOR))


@rules.predicate
def is_self(user, profile) -> bool:  # type: ignore[no-untyped-def]
    return bool(user and profile is not None and user.pk == profile.user_id)


rules.add_rule("members.is_organizer", is_organizer)
rules.add_rule("members.is_moderator", is_moderator | is_organizer)
rules.add_perm("members.edit_profile", is_self | is_organizer)
rules.add_perm("members.view_demographics", is_organizer)
rules.add_perm("core.view_auditentry", is_organizer)
