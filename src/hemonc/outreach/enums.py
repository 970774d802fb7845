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
    DESK = "desk", "Published from the desk"


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


class DeskKind(models.TextChoices):
    """What a post written on the publishing desk is."""

    ANNOUNCEMENT = "announcement", "Announcement"
    TWEETORIAL = "tweetorial", "Tweetorial"
    JOURNAL_CLUB = "journal_club", "Journal club"
    CASE = "case", "Case"
    LIVE_COVERAGE = "live_coverage", "Live coverage"
    SESSION = "session", "Session announcement"
    OPPORTUNITY = "opportunity", "Opportunity"


class DeskState(models.TextChoices):
    """Where a desk post is: draft → in review → approved → scheduled → published | failed."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class PartState(models.TextChoices):
    """One platform post of a thread: waiting (or being retried), on the platform, or refused."""

    PENDING = "pending", "Waiting"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"
