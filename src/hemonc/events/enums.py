"""Choices of the live sessions app."""

from django.db import models


class SessionKind(models.TextChoices):
    REGULAR = "regular", "Regular session"
    SPECIAL = "special", "Special"
    JOURNAL_CLUB = "journal_club", "Journal club"
    CHAT = "chat", "Chat"
    MEETUP = "meetup", "Meetup in person"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    LIVE = "live", "Live now"
    ENDED = "ended", "Ended"
    CANCELLED = "cancelled", "Cancelled"


class RsvpStatus(models.TextChoices):
    PENDING = "pending", "Waiting for email confirmation"
    GOING = "going", "Going"
    WAITLISTED = "waitlisted", "On the waitlist"
    CANCELLED = "cancelled", "Cancelled"


class ReminderKind(models.TextChoices):
    DAY_BEFORE = "24h", "24 hours before"
    HOUR_BEFORE = "1h", "1 hour before"


class QuestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
