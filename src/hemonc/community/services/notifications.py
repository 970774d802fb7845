"""Notifications: written by every community area through `notify`, read and marked by the
member they are for."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from hemonc.community import selectors
from hemonc.community.enums import NotificationKind
from hemonc.community.models import Notification, NotificationSetting, Space
from hemonc.core.errors import DomainError
from hemonc.core.permissions import require
from hemonc.core.text import one_line
from hemonc.members.models import User
from hemonc.members.selectors import user_ids_hidden_from


def notify(
    *,
    recipient: User,
    kind: NotificationKind | str,
    text: str,
    actor: User | None = None,
    url: str = "",
    space: Space | None = None,
) -> Notification | None:
    """Tell `recipient` about something, unless they would not see it: a kind they turned
    off, something they did themselves, an `actor` hidden from them or who blocked them, or
    a `space` they cannot see. A step of the calling service (runs in its transaction);
    returns the notification, or None when none was written.

    `text` is one line of plain text (escaped where shown); `url` a path on the site.
    """
    kind = NotificationKind(kind)
    if not recipient.is_active:
        return None
    if actor is not None and actor.pk == recipient.pk:
        return None
    if kind.value in selectors.notification_kinds_off(recipient):
        return None
    # Blocks either way and the recipient's own mutes (a muted member is not told).
    if actor is not None and actor.pk in (user_ids_hidden_from(viewer=recipient) or frozenset()):
        return None
    if space is not None and not selectors.space_is_visible(recipient, space):
        return None
    if url and not url.startswith("/"):
        raise ValueError("A notification links to a path on the site.")
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        actor=actor,
        text=one_line(text)[:300],
        url=url[:500],
        space=space,
    )


@transaction.atomic(durable=True)
def notification_mark_read(*, notification_id: int, actor: User) -> Notification:
    require(actor, "community.read_notifications")
    notification = selectors.notifications_for(actor).filter(pk=notification_id).first()
    if notification is None:
        raise DomainError("This notification is not yours or no longer exists.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic(durable=True)
def notification_mark_all_read(*, actor: User) -> int:
    require(actor, "community.read_notifications")
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic(durable=True)
def notification_settings_update(*, actor: User, enabled: dict[str, Any]) -> list[str]:
    """Turn each kind on or off (`enabled`: kind -> bool; kinds not named stay as they
    are). Answers the kinds now off."""
    require(actor, "community.read_notifications")
    for key, on in enabled.items():
        kind = NotificationKind(key)
        if on:
            NotificationSetting.objects.filter(user=actor, kind=kind).delete()
        else:
            NotificationSetting.objects.update_or_create(
                user=actor, kind=kind, defaults={"enabled": False}
            )
    return sorted(selectors.notification_kinds_off(actor))
