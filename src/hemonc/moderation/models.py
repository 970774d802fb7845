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


class Reason(models.TextChoices):
    HARASSMENT = "harassment", "Harassment"
    PATIENT_DATA = "patient_data", "Patient data"
    SPAM = "spam", "Spam"
    MISINFORMATION = "misinformation", "Misinformation"
    CONDUCT = "conduct", "Against the code of conduct"
    OTHER = "other", "Something else"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Outcome(models.TextChoices):
    DISMISSED = "dismissed", "No action needed"
    HIDDEN = "hidden", "Hidden"
    REDACTED = "redacted", "Patient data edited out"
    WARNED = "warned", "Author warned"
    SUSPENDED = "suspended", "Author suspended"
    BANNED = "banned", "Author banned"
    # A new account's post held for review, not published (no case was reported).
    REJECTED = "rejected", "Not published after review"


class Case(TimeStampedModel):
    """Every report about one item, gathered; moderators act on the case once.

    An item is named by its model's label and primary key (`item_type` "events.question",
    `item_id` "12"), as the audit log names rows; an item has at most one open case.
    """

    item_type = models.CharField(max_length=80)
    item_id = models.CharField(max_length=64)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_about",
    )
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    patient_data = models.BooleanField(default=False)
    # Hidden when the first patient-data report came, before any moderator read it.
    hidden_on_report = models.BooleanField(default=False)
    # The author moderates or mentors: moderators of this institution do not see the case
    # (when there are moderators elsewhere, decided when it opens).
    excluded_institution = models.CharField(max_length=160, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-patient_data", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "item_id"],
                condition=models.Q(status="open"),
                name="moderation_one_open_case_per_item",
            )
        ]
        indexes = [
            # The queue (selectors.cases_open_for): open cases in its order, read a page at
            # a time, and counted, without touching the closed ones.
            models.Index(
                fields=["status", "-patient_data", "created_at", "id"],
                name="moderation_case_queue",
            )
        ]

    def __str__(self) -> str:
        return f"Case #{self.pk} about {self.item_type} #{self.item_id}"

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN


class Report(models.Model):
    """One member's report of one item (once per person per item)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    item_type = models.CharField(max_length=80)
    item_id = models.CharField(max_length=64)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "item_type", "item_id"], name="moderation_report_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} report on {self.item_type} #{self.item_id}"


class Decision(models.Model):
    """What a moderator did about a case, and why (the author and the audit see the reason)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField(max_length=1000)
    suspended_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # What an edit took out, for moderators only; emptied after 30 days.
    original = models.TextField(blank=True)
    purge_original_at = models.DateTimeField(null=True, blank=True)
    # An appeal overturned it: the item was restored, the sanction lifted.
    overturned = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on case #{self.case_id}"


class Appeal(models.Model):
    """The author's one appeal of a case's decision, decided by another moderator."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="appeal")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    upheld = models.BooleanField(null=True)  # None while waiting
    answer = models.TextField(max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Appeal of case #{self.case_id}"


class Vouch(models.Model):
    """An organizer vouches for a member: their posts and messages never wait for review
    (docs/moderation.md, "New accounts"). Taking it back deletes the row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vouch"
    )
    vouched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "vouches"

    def __str__(self) -> str:
        return f"Vouched for {self.user}"
