"""Organizers may manage the platform's own data in the admin; nothing else is implied."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.auth.backends import BaseBackend

# Apps whose models organizers manage through the admin. `auth` is left out on purpose:
# roles change only through the member_set_role service (audited), not by editing groups.
ORGANIZER_APPS = {
    "core",
    "taxonomy",
    "members",
    "events",
    "newsletter",
    "outreach",
    "mentorship",
    "account",
    "django_tasks_database",
}

# Apps organizers may only look at: a queued task runs any function with any arguments, and
# the audit log is evidence nobody may edit.
ORGANIZER_VIEW_ONLY = {"core", "django_tasks_database"}

# Sign-in addresses: organizers may look and remove, never add or change one, since a new
# address is a way into someone else's account (a password reset goes to it).
ORGANIZER_DENIED = {
    "account.add_emailaddress",
    "account.change_emailaddress",
}


class RoleBackend(BaseBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not user_obj.is_active:
            return False
        if rules.perm_exists(perm):
            # A rule of the platform's own (rules.py): only its predicate decides.
            return rules.has_perm(perm, user_obj, obj)
        app_label, _, codename = perm.partition(".")
        return bool(
            user_obj.is_organizer
            and app_label in ORGANIZER_APPS
            and perm not in ORGANIZER_DENIED
            and (app_label not in ORGANIZER_VIEW_ONLY or codename.startswith("view_"))
        )

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(user_obj.is_active and user_obj.is_organizer and app_label in ORGANIZER_APPS)
