"""The code of conduct, versioned, and who accepted which version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from hemonc.core.models import TimeStampedModel


class ConductVersion(TimeStampedModel):
    """One version of the code of conduct. A draft until published; once published it is
    never edited again, and every member must accept it before posting."""

    number = models.PositiveIntegerField(unique=True)
    body = models.TextField(help_text="Markdown.")
    changes = models.CharField(
        max_length=300, blank=True, help_text="What changed since the version before, in a line."
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Code of conduct, version {self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ConductAcceptance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conduct_acceptances"
    )
    version = models.ForeignKey(
        ConductVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="moderation_accept_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted version {self.version.number}"
