"""Who may do what in outreach: organizers manage accounts, imports and snapshots."""

import rules

from hemonc.members.rules import is_organizer

rules.add_perm("outreach.manage", is_organizer)
