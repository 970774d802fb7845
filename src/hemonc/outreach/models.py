"""Social accounts, their posts with the metrics of the export that won, daily account totals
and follower snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from hemonc.core.models import TimeStampedModel
from hemonc.outreach.enums import ImportKind, ImportStatus, Platform, SourceFormat


class SocialAccount(TimeStampedModel):
    """An account the network posts from. The handle is stored without a leading "@"
    (Mastodon: "user@instance")."""

    platform = models.CharField(max_length=10, choices=Platform.choices)
    handle = models.CharField(max_length=120)

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(
                "platform", Lower("handle"), name="outreach_account_unique_handle"
            )
        ]

    def __str__(self) -> str:
        return f"@{self.handle} ({self.get_platform_display()})"


class Post(models.Model):
    """A published post, keyed by platform and the platform's post id (`key` = "x:123").

    The metrics are those of the export whose period ends latest (`source_period_end`); posts
    known only from an archive have no impressions (`impressions` is NULL). `month` is the
    first day of the UTC month it was published in, kept so monthly sums are a plain GROUP BY.
    """

    key = models.CharField(max_length=270, unique=True)
    platform = models.CharField(max_length=10, choices=Platform.choices)
    post_id = models.CharField(max_length=255)
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="posts")
    url = models.URLField(max_length=300, blank=True)
    published_at = models.DateTimeField()
    month = models.DateField()
    text = models.TextField(blank=True)

    impressions = models.BigIntegerField(null=True, blank=True)
    engagements = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True)
    reposts = models.BigIntegerField(null=True, blank=True)
    replies = models.BigIntegerField(null=True, blank=True)
    url_clicks = models.BigIntegerField(null=True, blank=True)
    profile_visits = models.BigIntegerField(null=True, blank=True)
    detail_expands = models.BigIntegerField(null=True, blank=True)
    follows = models.BigIntegerField(null=True, blank=True)

    source_format = models.CharField(max_length=20, choices=SourceFormat.choices)
    source_file = models.CharField(max_length=255, blank=True)
    # The last day (inclusive) the winning export covers; NULL for archive-only posts.
    source_period_end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at"]
        # `key` ("x:123") is unique, so (platform, post_id) is too without an index of its own.
        # Reports read whole periods (a scan); the index serves one account's pages.
        indexes = [models.Index(fields=["account", "published_at"])]

    def __str__(self) -> str:
        return f"{self.platform}:{self.post_id}"

    @property
    def engagement_rate(self) -> float | None:
        if not self.impressions or self.engagements is None:
            return None
        return self.engagements / self.impressions


class PostHashtag(models.Model):
    """A hashtag used in a post, lower-cased (`tag`) with its spelling as written."""

    post = models.ForeignKey(
        Post, to_field="key", db_column="post_key", on_delete=models.CASCADE, related_name="tags"
    )
    tag = models.CharField(max_length=100)
    spelling = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "tag"], name="outreach_hashtag_unique")
        ]
        indexes = [models.Index(fields=["tag"])]

    def __str__(self) -> str:
        return f"#{self.spelling}"


class DailyTotals(models.Model):
    """One day of an account's overview export (X's daily totals); feeds the daily series only."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    impressions = models.BigIntegerField()
    engagements = models.BigIntegerField()
    likes = models.BigIntegerField(default=0)
    new_follows = models.BigIntegerField(default=0)
    unfollows = models.BigIntegerField(default=0)
    profile_visits = models.BigIntegerField(default=0)
    posts_created = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["account", "date"]
        verbose_name_plural = "daily totals"
        constraints = [
            models.UniqueConstraint(fields=["account", "date"], name="outreach_daily_unique")
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.date}"


class FollowerSnapshot(models.Model):
    """How many followers an account had on a day."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="snapshots")
    date = models.DateField()
    followers = models.PositiveIntegerField()

    class Meta:
        ordering = ["account", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["account", "date"], name="outreach_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.date}: {self.followers}"


class ImportRun(TimeStampedModel):
    """A file an organizer uploaded, imported in the background by the importer of its kind.

    The upload is kept under VAR_DIR/uploads/outreach/ (never served) until the import ends,
    then deleted. A failed import wrote nothing (each import is one transaction); `error_*`
    name the file, line and field of the first problem.
    """

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    file_name = models.CharField(max_length=255, help_text="The name the file was uploaded as.")
    stored_path = models.CharField(max_length=500, blank=True)
    file_size = models.BigIntegerField(default=0)
    account = models.CharField(max_length=130, blank=True)
    platform = models.CharField(max_length=10, choices=Platform.choices, default=Platform.X)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)
    error = models.TextField(blank=True)
    error_file = models.CharField(max_length=500, blank=True)
    error_line = models.PositiveIntegerField(null=True, blank=True)
    error_field = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
