"""Choices of the mentorship app."""

from django.db import models


class OfferStatus(models.TextChoices):
    ACCEPTING = "accepting", "Accepting mentees"
    PAUSED = "paused", "Paused"


class Format(models.TextChoices):
    VIDEO = "video", "Video call"
    MESSAGES = "messages", "Messages"
    IN_PERSON = "in_person", "In person at meetings"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class MentorshipStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    ENDED = "ended", "Ended"


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for applications"
    MATCHING = "matching", "Matching"
    PUBLISHED = "published", "Matches published"


class ProgramRole(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"


LANGUAGE_CHOICES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("pt", "Portuguese"),
    ("de", "German"),
    ("it", "Italian"),
    ("ar", "Arabic"),
    ("zh", "Chinese"),
    ("hi", "Hindi"),
    ("ja", "Japanese"),
    ("tr", "Turkish"),
    ("ru", "Russian"),
]
