"""Who may change the vocabularies (django-rules).

The roles live in `members`, above this app: the predicate asks the user object, whose class
the members app provides.
"""

from __future__ import annotations

from typing import Any

import rules


@rules.predicate
def is_organizer(user: Any) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "is_organizer", False))


rules.add_perm("taxonomy.manage_topics", is_organizer)
