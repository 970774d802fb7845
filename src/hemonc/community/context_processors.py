"""What every page's header says of the community: the member's unread notifications."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from hemonc.community import selectors


def notifications(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Counted only when the page shows it (the header does, once).
    return {
        "NOTIFICATIONS_UNREAD": SimpleLazyObject(lambda: selectors.notification_unread_count(user))
    }
