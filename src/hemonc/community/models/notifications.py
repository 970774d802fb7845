"""In-page notifications and each member's choice of the kinds they get."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from hemonc.community.enums import NotificationKind
from hemonc.community.models.spaces import Space

USER = settings.AUTH_USER_MODEL


class Notification(models.Model):
    """Something a member should know of. `space` ties it to the space it happened in: when
    the recipient can no longer see that space, the notification is not shown (nor counted);
    `actor` likewise, when a block or a mute hides them."""

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    space = models.ForeignKey(
        Space, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                name="community_notification_unread",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="community_notification_list"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationSetting(models.Model):
    """A kind a member turned off (no row: on)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notification_settings")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    enabled = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="community_setting_once")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {'on' if self.enabled else 'off'}"
