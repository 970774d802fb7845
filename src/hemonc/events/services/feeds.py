"""Members' private calendar feeds."""

from __future__ import annotations

from django.db import transaction

from hemonc.core.audit import audit
from hemonc.core.permissions import require
from hemonc.events.models import CalendarFeed, new_feed_token
from hemonc.members.models import User


@transaction.atomic(durable=True)
def calendar_feed_get_or_create(*, user: User) -> CalendarFeed:
    require(user, "events.take_part")
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if created:
        audit(actor=user, action="calendar_feed.create", target=feed)
    return feed


@transaction.atomic(durable=True)
def calendar_feed_renew(*, user: User) -> CalendarFeed:
    require(user, "events.take_part")
    """Revoke the old private address (anyone holding it gets nothing) and issue a new one."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    feed.token = new_feed_token()
    feed.save(update_fields=["token"])
    audit(actor=user, action="calendar_feed.renew", target=feed)
    return feed
