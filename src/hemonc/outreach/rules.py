"""Who may do what in outreach: organizers manage accounts, imports and snapshots.

The publishing desk: any member may write a post and send it for review; its author (while
nobody approved it) and organizers may change it; organizers approve, schedule and retry.
"""

from typing import Any

import rules

from hemonc.members.rules import is_member, is_organizer


@rules.predicate
def is_desk_author(user: Any, post: Any) -> bool:
    return bool(user and post is not None and user.pk and user.pk == post.author_id)


rules.add_perm("outreach.manage", is_organizer)
rules.add_perm("outreach.desk_write", is_member)
rules.add_perm("outreach.desk_edit", is_organizer | (is_member & is_desk_author))
rules.add_perm("outreach.desk_approve", is_organizer)
rules.add_perm("outreach.desk_schedule", is_organizer)
