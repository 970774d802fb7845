"""The weekly digest by mail: who asked for it, and each week's run."""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class DigestSubscription(models.Model):
    """A member who asked for the weekly digest (opt-in: no row, or `weekly` off, no mail)."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="digest_subscription")
    weekly = models.BooleanField(default=False, verbose_name="Send me the weekly digest")
    changed_at = models.DateTimeField(auto_now=True)
    # The last week (its Monday) whose digest went to this member: one copy a week.
    last_sent_week = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["weekly", "user"])]

    def __str__(self) -> str:
        return f"Digest of member #{self.user_id}"


class DigestRun(models.Model):
    """One week's sending, scheduled a week ahead: members are taken in id order; `cursor` is
    the last one done, so a run that stopped resumes where it was."""

    week = models.DateField(unique=True, help_text="The Monday the digest goes out.")
    scheduled_for = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cursor = models.PositiveBigIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week"]

    def __str__(self) -> str:
        return f"Digest of the week of {self.week}"
