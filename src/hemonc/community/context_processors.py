"""What every page's header says of the community: the member's unread notifications and
messages, each counted only when the page shows it, and once."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from hemonc.community import selectors
from hemonc.community.selectors_messages import unread_total


def notifications(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    notes = cache(lambda: selectors.notification_unread_count(user))
    messages = cache(lambda: unread_total(user=user))
    return {
        "NOTIFICATIONS_UNREAD": SimpleLazyObject(notes),
        "MESSAGES_UNREAD": SimpleLazyObject(messages),
        # On phones the menu button carries both, so a closed menu still says something waits.
        "UNREAD_TOTAL": SimpleLazyObject(lambda: notes() + messages()),
    }
