"""Social accounts, their posts with the metrics of the export that won, daily account totals
and follower snapshots; the publishing desk's posts, approvals, images, platform posts and
queue slots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from hemonc.core.models import TimeStampedModel
from hemonc.core.secrets import EncryptedTextField
from hemonc.events.models import LiveSession
from hemonc.outreach.enums import (
    DeskKind,
    DeskState,
    ImportKind,
    ImportStatus,
    PartState,
    Platform,
    SourceFormat,
    Weekday,
)
from hemonc.taxonomy.models import Topic


class SocialAccount(TimeStampedModel):
    """An account the network posts from. The handle is stored without a leading "@"
    (Mastodon: "user@instance")."""

    platform = models.CharField(max_length=10, choices=Platform.choices)
    handle = models.CharField(max_length=120)
    # The desk publishes only from active accounts with a service and a secret
    # (`hemonc outreach account-add`); accounts known from imported exports have neither.
    service = models.URLField(
        max_length=300, blank=True, help_text="Bluesky PDS, Mastodon instance or X API address."
    )
    secret = EncryptedTextField(blank=True, help_text="App password or access token.")
    state = EncryptedTextField(
        blank=True, help_text="The platform session the adapter keeps (JSON, encrypted)."
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="The zone of the account's queue slots."
    )
    active = models.BooleanField(default=False, help_text="The desk may publish from it.")

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


# ---------------------------------------------------------------------------------------------
# The publishing desk


class DeskPost(TimeStampedModel):
    """A post or thread written once for one or more accounts, through its workflow.

    draft → in_review → approved → scheduled → published, or failed (`last_error` holds the
    platform's message). `scheduled_at` is the time chosen; nothing leaves before `release_at`
    (the later of that time and the moment of scheduling plus the undo window), so a post
    scheduled "now" can still be taken back for a minute. Its platform posts (`parts`) are
    written when the worker first takes it up, each with its idempotency key.
    """

    kind = models.CharField(max_length=20, choices=DeskKind.choices, default=DeskKind.ANNOUNCEMENT)
    text = models.TextField()
    state = models.CharField(
        max_length=12, choices=DeskState.choices, default=DeskState.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_posts",
    )
    accounts = models.ManyToManyField(SocialAccount, related_name="desk_posts")
    topics = models.ManyToManyField(Topic, blank=True, related_name="desk_posts")
    session = models.ForeignKey(
        LiveSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_posts",
        help_text="Session announcement: the live session it announces.",
    )
    conference_tag = models.CharField(
        max_length=60, blank=True, help_text="Live coverage: the conference hashtag, e.g. ASH25."
    )
    langs = models.CharField(max_length=40, default="en", help_text="Languages, comma-separated.")

    phi_attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phi_attested_at = models.DateTimeField(null=True, blank=True)

    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    release_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The account whose queue slot `scheduled_at` is (None: a time chosen by hand).
    queue_account = models.ForeignKey(
        SocialAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="queued"
    )
    started_at = models.DateTimeField(null=True, blank=True, help_text="Parts written.")
    published_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Hidden by the moderators (a report): it goes no further until they restore it, and
    # the desk shows its text only to its author.
    hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "release_at"])]

    def __str__(self) -> str:
        first = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return f"{self.get_kind_display()}: {first[:60]}"


class DeskApproval(models.Model):
    """An organizer's approval of a post as it reads now (cleared when its text changes)."""

    post = models.ForeignKey(DeskPost, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField()

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "approver"], name="outreach_approval_once")
        ]

    def __str__(self) -> str:
        return f"{self.post_id} approved by {self.approver_id or 'the operator'}"


class DeskImage(models.Model):
    """An image of a post (on its first platform post), with the alt text it must have."""

    post = models.ForeignKey(DeskPost, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=1)
    data = models.BinaryField()
    mime = models.CharField(max_length=40)
    alt = models.TextField()
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["post", "position", "id"]

    def __str__(self) -> str:
        return self.name or f"image {self.position}"

    @property
    def size(self) -> int:
        return len(self.data or b"")


class DeskPart(models.Model):
    """One platform post: a post's thread position on one account.

    Its `key` is chosen when the row is written, before the first attempt, and never changes:
    the platform recognizes a retry by it (Bluesky: the record key; Mastodon: the
    Idempotency-Key header; X: looked for among the account's recent posts). `attempts`
    counts attempts begun: a part with attempts whose answer was lost is looked for on the
    platform before it is sent again.
    """

    post = models.ForeignKey(DeskPost, on_delete=models.CASCADE, related_name="parts")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField()
    count = models.PositiveSmallIntegerField()
    text = models.TextField()
    key = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=10, choices=PartState.choices, default=PartState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=40, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    remote_id = models.CharField(max_length=300, blank=True, help_text="Bluesky: the at-uri.")
    remote_cid = models.CharField(max_length=120, blank=True)
    url = models.URLField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="desk_parts"
    )

    class Meta:
        ordering = ["post", "account", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "account", "position"], name="outreach_part_unique_position"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.post_id} {self.account_id} {self.position}/{self.count}"


class QueueSlot(models.Model):
    """A weekly time an account posts at, in the account's time zone ("Mon 20:00")."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    time = models.TimeField()

    class Meta:
        ordering = ["account", "weekday", "time"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "weekday", "time"], name="outreach_slot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.time:%H:%M}"
