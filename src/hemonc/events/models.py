"""Live sessions: seasons, sessions and their guests, RSVPs, reminders, check-ins and Q&A."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from hemonc.core.models import TimeStampedModel
from hemonc.events.enums import (
    QuestionStatus,
    ReminderKind,
    RsvpStatus,
    SessionKind,
    SessionStatus,
)
from hemonc.taxonomy.models import Topic

# Attendees may check in from this long before the start until this long after the end.
CHECK_IN_BEFORE = timedelta(minutes=15)
CHECK_IN_AFTER = timedelta(minutes=30)


_http_url = URLValidator(schemes=["http", "https"])


def paper_url(paper: str) -> str:
    """The link of a paper given by DOI (10.x/y, doi:10.x/y) or by an http(s) address, else ""."""
    paper = paper.strip()
    if paper.lower().startswith("doi:"):
        paper = paper[4:].strip()
    url = f"https://doi.org/{paper}" if paper.startswith("10.") else paper
    try:
        _http_url(url)
    except ValidationError:
        return ""
    return url


def validate_paper(value: str) -> None:
    """A paper is a DOI or an http(s) link: never javascript:, data: or other schemes."""
    if value.strip() and not paper_url(value):
        raise ValidationError(
            "Give the paper's DOI (10.1056/NEJMoa…) or an http(s) link.", code="invalid_paper"
        )


def new_check_in_code() -> str:
    return secrets.token_urlsafe(6)


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class Season(TimeStampedModel):
    """A season of sessions, e.g. "Season 1 (2025-26)"; its statistics are reported together."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="The organizers' IANA time zone."
    )
    description = models.TextField(blank=True, help_text="Markdown.")

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="events_season_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:season", args=[self.slug])


class Guest(TimeStampedModel):
    """Someone invited to speak: a member (linked) or an external guest."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guest_profile",
    )
    name = models.CharField(max_length=120)
    title = models.CharField(max_length=200, blank=True, help_text="e.g. Assistant Professor.")
    bio = models.TextField(blank=True, max_length=4000, help_text="Markdown.")
    handle = models.CharField(max_length=120, blank=True, help_text="e.g. @name on X.")
    photo = models.ImageField(upload_to="guests/", blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(Lower("name"), name="events_guest_name_lower")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:guest", args=[self.pk])


class LiveSession(TimeStampedModel):
    """One live discussion (an X Space, a Zoom call, a chat, a journal club or a meetup)."""

    season = models.ForeignKey(
        Season, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    starts_at = models.DateTimeField(db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="The organizers' zone, shown beside the viewer's."
    )
    kind = models.CharField(max_length=20, choices=SessionKind.choices, default=SessionKind.REGULAR)
    paper = models.CharField(
        max_length=300,
        blank=True,
        validators=[validate_paper],
        help_text="Journal club: the paper's DOI or http(s) link.",
    )
    hashtag = models.CharField(max_length=60, blank=True, help_text="Chat: its hashtag.")
    venue = models.CharField(max_length=200, blank=True, help_text="Meetup: where it happens.")
    conference_tag = models.CharField(
        max_length=60, blank=True, help_text="Meetup: the conference hashtag, e.g. ASH25."
    )
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="hosted_sessions"
    )
    guests = models.ManyToManyField(Guest, blank=True, related_name="sessions")
    topics = models.ManyToManyField(Topic, blank=True, related_name="live_sessions")
    join_url = models.URLField(max_length=500, blank=True, help_text="X Spaces, Zoom, any URL.")
    join_url_for_rsvps_only = models.BooleanField(
        default=False, help_text="Show the join link only to people who RSVP'd."
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty for no limit; past it, a waitlist."
    )
    status = models.CharField(
        max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    recording_url = models.URLField(max_length=500, blank=True)
    show_notes = models.TextField(blank=True, help_text="Markdown.")
    resources = models.TextField(blank=True, help_text="Markdown.")
    peak_listeners = models.PositiveIntegerField(
        null=True, blank=True, help_text="The peak listener count the platform showed."
    )
    # iCalendar SEQUENCE: raised whenever the time changes or the session is cancelled.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    check_in_code = models.CharField(max_length=16, unique=True, default=new_check_in_code)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5), name="events_session_duration_positive"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="events_session_capacity_positive",
            ),
        ]
        indexes = [models.Index(fields=["season", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:session", args=[self.pk])

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def has_ended(self) -> bool:
        """The session is over (by the clock, whatever its status says)."""
        return self.ends_at <= timezone.now()

    @property
    def check_in_opens_at(self) -> datetime:
        return self.starts_at - CHECK_IN_BEFORE

    @property
    def check_in_closes_at(self) -> datetime:
        return self.ends_at + CHECK_IN_AFTER

    def is_check_in_open(self, now: datetime) -> bool:
        return (
            self.status != SessionStatus.CANCELLED
            and self.check_in_opens_at <= now <= self.check_in_closes_at
        )

    def accepts_questions(self, now: datetime) -> bool:
        """Questions come before and during the session (and in its check-in tail)."""
        return self.status != SessionStatus.CANCELLED and now <= self.check_in_closes_at

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def paper_link(self) -> str:
        """The paper's http(s) link; "" for anything else, which pages show as text only."""
        return paper_url(self.paper)

    @property
    def ical_uid(self) -> str:
        host = settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0]
        return f"session-{self.pk}@{host}"


class Rsvp(TimeStampedModel):
    """A member's (or a visitor's, by confirmed email) place at a session, or on its waitlist."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="session_rsvps",
    )
    email = models.EmailField(blank=True, help_text="A visitor's address; empty for members.")
    name = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=12, choices=RsvpStatus.choices)
    # Waitlist order: who came first is promoted first.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "RSVP"
        verbose_name_plural = "RSVPs"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(user__isnull=False),
                name="events_rsvp_one_per_member",
            ),
            models.UniqueConstraint(
                "session",
                Lower("email"),
                condition=Q(user__isnull=True),
                name="events_rsvp_one_per_visitor_email",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email=""), name="events_rsvp_has_person"
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "waitlisted_at"])]

    def __str__(self) -> str:
        return f"{self.person_name} → {self.session}"

    @property
    def recipient(self) -> str:
        return self.user.email if self.user_id and self.user else self.email

    @property
    def person_name(self) -> str:
        if self.user_id and self.user:
            return str(self.user)
        return self.name or self.email


class ReminderDelivery(models.Model):
    """A reminder that went out: at most one per RSVP, kind and session start time.

    The unique constraint is what makes "never twice" hold even when the same reminder task
    runs twice (a retry, two workers, a re-enqueue after a reschedule).
    """

    rsvp = models.ForeignKey(Rsvp, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=4, choices=ReminderKind.choices)
    session_starts_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "reminder delivery"
        verbose_name_plural = "reminder deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["rsvp", "kind", "session_starts_at"], name="events_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder for RSVP #{self.rsvp_id}"


class CheckIn(models.Model):
    """A member said "I am here" during the session's live window."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="check_ins")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_check_ins"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "check-in"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="events_checkin_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.session}"


class Question(TimeStampedModel):
    """A question for the guests; anonymous to other members, never to moderators."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_questions"
    )
    text = models.TextField(max_length=500)
    is_anonymous = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    is_pinned = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    # Held for a host or moderator: the text may identify a patient (hidden until released).
    is_held = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["session", "is_hidden"])]

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return f"{self.session.get_absolute_url()}#questions"


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="events_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} +1 {self.question_id}"


class CalendarFeed(models.Model):
    """A member's private calendar address: the sessions they RSVP'd to. Revoked by renewal."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
