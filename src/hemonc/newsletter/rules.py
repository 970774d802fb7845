"""Who may do what with the newsletter (django-rules)."""

import rules

from hemonc.members.rules import is_organizer

rules.add_perm("newsletter.manage", is_organizer)
rules.add_perm("newsletter.view_demographics", is_organizer)
