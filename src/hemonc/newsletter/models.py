"""Newsletter: subscribers with their consent, issues (campaigns) and the delivery outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from hemonc.core.models import TimeStampedModel
from hemonc.members.enums import Gender
from hemonc.newsletter.enums import (
    ConsentSource,
    DeliveryStatus,
    ImportSource,
    ImportStatus,
    IssueStatus,
    SubscriberStatus,
)
from hemonc.taxonomy.enums import Specialty, Stage


class ConsentText(models.Model):
    """The words a subscriber agreed to. A change is a new version; old versions stay."""

    version = models.PositiveIntegerField(unique=True)
    text = models.TextField(help_text="Shown under the sign-up form. Markdown.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Consent text v{self.version}"


class Subscriber(TimeStampedModel):
    """One address on the list. Everything a subscriber tells about themselves is private
    to organizers; pages outside the organizers' own show only totals, with counts under 5 as
    "<5"."""

    # Stored trimmed and lower-cased, so one address is one subscriber whatever its case.
    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=120, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_subscriber",
    )
    status = models.CharField(
        max_length=14, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)

    # Optional demographics.
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    specialty = models.CharField(max_length=30, choices=Specialty.choices, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code.")
    institution = models.CharField(max_length=160, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)

    # The consent record: which words, when, from where, through what.
    consent_text = models.ForeignKey(
        ConsentText, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consented_at = models.DateTimeField(null=True, blank=True)
    consent_ip = models.GenericIPAddressField(null=True, blank=True)
    consent_source = models.CharField(max_length=12, choices=ConsentSource.choices, blank=True)

    class Meta:
        ordering = ["email"]
        indexes = [models.Index(fields=["status", "stage"]), models.Index(fields=["country"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(email=models.functions.Lower("email")),
                name="newsletter_subscriber_email_lowercase",
            )
        ]

    def __str__(self) -> str:
        return self.email


class SignupConfirmation(models.Model):
    """A sign-up waiting for its confirmation link.

    What the form said (the answers, the consent text, the IP) waits here, not in the link
    and not on the subscriber: the link holds only a random token, whose hash is stored,
    and nobody's record changes until the address's owner follows it.
    """

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="signup_confirmations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    consent_text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"Sign-up of {self.subscriber_id} waiting since {self.created_at:%Y-%m-%d}"


class Issue(TimeStampedModel):
    """One newsletter issue: written in Markdown, sent once to an audience."""

    subject = models.CharField(max_length=200)
    preheader = models.CharField(
        max_length=200, blank=True, help_text="The line mail apps show after the subject."
    )
    body = models.TextField(help_text="Markdown.")
    segment = models.JSONField(
        default=dict,
        blank=True,
        help_text='Audience filters, all must hold: {"stage": "fellow", "country": "US", '
        '"members": "true", "attended": "12"}. Empty: every subscriber.',
    )
    status = models.CharField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.DRAFT)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When sending began.")
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who attested, over what the patient-identifier guard found, that the text may go out
    # (core/phi_guard.py); empty for a clean issue. The findings are in the audit log.
    phi_attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phi_attested_at = models.DateTimeField(null=True, blank=True)
    # Privacy-respecting counting: totals per issue and per link, never per person.
    count_engagement = models.BooleanField(
        default=False,
        help_text="Count opens and clicks as totals for this issue (never per reader).",
    )
    opens = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["status", "sent_at"])]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("newsletter:archive_issue", args=[self.pk])


class IssueLink(models.Model):
    """A link in an issue whose clicks are counted (only with counting switched on)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="links")
    position = models.PositiveIntegerField()
    url = models.URLField(max_length=2000)
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["issue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "position"], name="newsletter_link_unique")
        ]

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    """The outbox: one row per issue and subscriber, marked sent right after the server
    accepted the message. A worker leases rows before sending them, so two workers never
    send the same row."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["issue", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletter_delivery_unique"
            )
        ]
        indexes = [models.Index(fields=["issue", "status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.subscriber_id}: {self.status}"


class SubscriberImport(TimeStampedModel):
    """Subscriber files an organizer uploaded, imported in the background.

    The files wait in the database (never in the public media folder) and are emptied once
    the import ran; either every row is written or, on a file that does not fit, none.
    """

    source = models.CharField(max_length=10, choices=ImportSource.choices)
    fields = models.JSONField(default=dict, blank=True, help_text="Demographic field -> column.")
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.WAITING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    # [{"file", "line", "field", "value"}] of values that could not be mapped (rows kept).
    unmapped = models.JSONField(default=list, blank=True)
    # Where a file that does not fit stopped the import.
    error_file = models.CharField(max_length=300, blank=True)
    error_line = models.PositiveIntegerField(default=0)
    error_field = models.CharField(max_length=200, blank=True)
    error_problem = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} import of {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("newsletter:import_detail", args=[self.pk])


class SubscriberImportFile(models.Model):
    """One uploaded file of an import; its content is emptied once the import ran."""

    subscriber_import = models.ForeignKey(
        SubscriberImport, on_delete=models.CASCADE, related_name="files"
    )
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content = models.BinaryField(blank=True)

    class Meta:
        ordering = ["subscriber_import", "id"]

    def __str__(self) -> str:
        return self.name
