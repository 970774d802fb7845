"""The outreach app's fixed vocabularies."""

from django.db import models


class Platform(models.TextChoices):
    X = "x", "X (Twitter)"
    BLUESKY = "bluesky", "Bluesky"
    MASTODON = "mastodon", "Mastodon"


class SourceFormat(models.TextChoices):
    """Where a post's metrics came from (the file format that won, see services)."""

    X_LEGACY = "x_legacy", "X tweet activity export"
    X_CONTENT = "x_content", "X content export"
    X_ARCHIVE = "x_archive", "X account archive"
    MASTODON_ARCHIVE = "mastodon_archive", "Mastodon archive"


class ImportKind(models.TextChoices):
    """What an organizer uploads on the imports page (the command of each in brackets)."""

    X_ANALYTICS = "x_analytics", "X analytics export or archive"  # import-x-analytics
    FOLLOWERS = "followers", "Follower counts (CSV)"  # import-followers
    MASTODON = "mastodon", "Mastodon archive"  # import-mastodon-archive


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Nothing imported"
