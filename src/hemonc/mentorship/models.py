"""Mentorship: offers with capacity, mentees' goals, requests, mentorships, programs, speed mentoring."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from hemonc.core.models import TimeStampedModel
from hemonc.mentorship.enums import (
    MentorshipStatus,
    OfferStatus,
    ProgramRole,
    ProgramStatus,
    RequestStatus,
)
from hemonc.taxonomy.models import CareerPath, Topic

if TYPE_CHECKING:
    from hemonc.members.models import User

USER = settings.AUTH_USER_MODEL
MAX_CAPACITY = 10


class MentorOffer(TimeStampedModel):
    """A member's offer to mentor: how many mentees at once, what, whom and how."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="mentor_offer")
    status = models.CharField(
        max_length=12, choices=OfferStatus.choices, default=OfferStatus.ACCEPTING
    )
    capacity = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        help_text="Mentees at once, 1 to 10.",
    )
    about = models.TextField(blank=True, max_length=2000, help_text="What you can help with.")
    # When moderators hid the text after a report (NULL: shown); the offer itself stays.
    about_hidden_at = models.DateTimeField(null=True, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="mentor_offers")
    career_paths = models.ManyToManyField(CareerPath, blank=True, related_name="mentor_offers")
    stages = models.JSONField(default=list, blank=True, help_text="Stages you mentor; none = all.")
    formats = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639-1 codes.")
    # Opt-in, seen by organizers and the matcher only (never on a member-facing page).
    communities = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=MAX_CAPACITY),
                name="mentorship_offer_capacity_1_10",
            )
        ]

    def __str__(self) -> str:
        return f"Mentor offer of {self.user}"

    @property
    def about_hidden(self) -> bool:
        return self.about_hidden_at is not None

    @property
    def is_accepting(self) -> bool:
        return self.status == OfferStatus.ACCEPTING


class MenteeGoals(TimeStampedModel):
    """What a mentee looks for; used by requests' context and by program matching."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="mentee_goals")
    text = models.TextField(max_length=2000, help_text="Your goals, in a few sentences.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="mentee_goals")
    career_paths = models.ManyToManyField(CareerPath, blank=True, related_name="mentee_goals")
    formats = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    ranked_mentors = models.JSONField(
        default=list, blank=True, help_text="User ids of preferred mentors, best first."
    )
    excluded_mentors: models.ManyToManyField[User, Any] = models.ManyToManyField(
        USER, blank=True, related_name="+"
    )
    avoid_own_institution = models.BooleanField(default=False)
    prefers_shared_community = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "mentee goals"

    def __str__(self) -> str:
        return f"Goals of {self.user}"


class MentorshipRequest(TimeStampedModel):
    mentee = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="mentorship_requests_sent"
    )
    mentor = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="mentorship_requests_received"
    )
    note = models.TextField(max_length=2000)
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    response = models.TextField(max_length=2000, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee", "mentor"],
                condition=Q(status=RequestStatus.PENDING),
                name="mentorship_request_one_pending",
            ),
            models.CheckConstraint(
                condition=~Q(mentee=F("mentor")), name="mentorship_request_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee} asks {self.mentor}"

    def get_absolute_url(self) -> str:
        return reverse("mentorship:request", args=[self.pk])

    def other(self, user: User) -> User:
        """The other side of the request for `user`, its mentor or its mentee."""
        return self.mentee if user.pk == self.mentor_id else self.mentor


class Program(TimeStampedModel):
    """A mentorship program: applications in a window, then matching, review and publishing."""

    name = models.CharField(max_length=160)
    hashtag = models.CharField(max_length=60, blank=True, help_text="Without the #.")
    description = models.TextField(blank=True, max_length=4000, help_text="Markdown.")
    applications_open_at = models.DateTimeField()
    applications_close_at = models.DateTimeField()
    matching_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=ProgramStatus.choices, default=ProgramStatus.OPEN
    )
    checkin_every_weeks = models.PositiveSmallIntegerField(
        default=4, validators=[MaxValueValidator(26)], help_text="Check-in reminders; 0 = none."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-applications_open_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applications_close_at__gt=F("applications_open_at")),
                name="mentorship_program_window",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mentorship:program", args=[self.pk])


class ProgramApplication(TimeStampedModel):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="applications")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="program_applications")
    role = models.CharField(max_length=8, choices=ProgramRole.choices)
    capacity = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        help_text="Mentors: mentees in this program.",
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="mentorship_application_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} in {self.program}"


class Proposal(TimeStampedModel):
    """The matcher's proposal for one mentee of a program: a mentor with the score, or a reason."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="proposals")
    mentee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(null=True, blank=True)
    terms = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    edited = models.BooleanField(default=False, help_text="Changed by an organizer.")

    # The matcher's working: its score and terms hold what the matcher knows of both sides
    # (a shared identity community), so no member reads them, not even in their data download.
    organizer_only_fields = ("score", "terms", "reason", "edited")

    class Meta:
        ordering = ["program", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "mentee"], name="mentorship_proposal_once")
        ]

    def __str__(self) -> str:
        return f"{self.mentee} -> {self.mentor or 'unmatched'}"


class Mentorship(TimeStampedModel):
    """An active (or past) mentorship between two members, with its private thread."""

    mentor = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mentorships_as_mentor")
    mentee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mentorships_as_mentee")
    status = models.CharField(
        max_length=12, choices=MentorshipStatus.choices, default=MentorshipStatus.ACTIVE
    )
    request = models.OneToOneField(
        MentorshipRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentorship",
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentorships"
    )
    checkin_every_weeks = models.PositiveSmallIntegerField(
        default=4, validators=[MaxValueValidator(26)]
    )
    next_checkin_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee"],
                condition=Q(status=MentorshipStatus.ACTIVE),
                name="mentorship_one_active_per_pair",
            ),
            models.CheckConstraint(condition=~Q(mentee=F("mentor")), name="mentorship_not_self"),
        ]
        indexes = [models.Index(fields=["mentor", "status"])]

    def __str__(self) -> str:
        return f"{self.mentor} mentors {self.mentee}"

    def get_absolute_url(self) -> str:
        return reverse("mentorship:mentorship", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == MentorshipStatus.ACTIVE

    def other(self, user: User) -> User:
        """The other side of the mentorship for `user`, one of its two members."""
        return self.mentee if user.pk == self.mentor_id else self.mentor


class MentorshipMessage(models.Model):
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Message #{self.pk} in mentorship #{self.mentorship_id}"


class SharedGoal(models.Model):
    """One item of the checklist both sides of a mentorship keep."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(max_length=200)
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text


class MentorshipFeedback(models.Model):
    """Private feedback at completion: seen by its author and by organizers, never the other side."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "mentorship feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "author"], name="mentorship_feedback_once"
            )
        ]

    def __str__(self) -> str:
        return f"Feedback on mentorship #{self.mentorship_id}"


class SpeedMentoringEvent(TimeStampedModel):
    """A "Blood Buddies" speed-mentoring event: rounds at mentors' tables.

    It may be attached to a live session of the events app; then the session's check-ins mark
    who is here. Without one, organizers check people in on the event's own list.
    """

    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    session = models.ForeignKey(
        "events.LiveSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="speed_mentoring_events",
    )
    rounds = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    table_size = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    round_minutes = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mentorship:speed_event", args=[self.pk])

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.rounds * self.round_minutes)


class SpeedParticipant(models.Model):
    event = models.ForeignKey(
        SpeedMentoringEvent, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=8, choices=ProgramRole.choices)
    checked_in = models.BooleanField(default=False)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], name="mentorship_speed_participant_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) at {self.event}"


class SpeedSeat(models.Model):
    event = models.ForeignKey(SpeedMentoringEvent, on_delete=models.CASCADE, related_name="seats")
    round = models.PositiveSmallIntegerField()
    mentor = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["round", "mentor", "mentee"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "mentor", "mentee"], name="mentorship_speed_pair_once"
            ),
            models.UniqueConstraint(
                fields=["event", "round", "mentee"], name="mentorship_speed_one_seat"
            ),
        ]

    def __str__(self) -> str:
        return f"Round {self.round}: {self.mentee} with {self.mentor}"
