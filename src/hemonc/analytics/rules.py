"""Who may see the analytics: organizers (exact counts of people)."""

import rules

from hemonc.members.rules import is_organizer

rules.add_perm("analytics.view_dashboard", is_organizer)
