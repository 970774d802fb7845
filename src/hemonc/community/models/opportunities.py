"""Opportunities (funding, awards, jobs...) that members suggest and organizers approve, the
ones members save, the deadline reminders sent about them, and sponsors' nominations."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from hemonc.core.countries import country_name
from hemonc.core.models import TimeStampedModel
from hemonc.taxonomy.enums import Stage
from hemonc.taxonomy.models import Topic

USER = settings.AUTH_USER_MODEL


class OpportunityKind(models.TextChoices):
    FUNDING = "funding", "Funding"
    AWARD = "award", "Award"
    TRAVEL_GRANT = "travel_grant", "Travel grant"
    CALL_FOR_ABSTRACTS = "call_for_abstracts", "Call for abstracts"
    JOB = "job", "Job"
    VISITING_ROTATION = "visiting_rotation", "Visiting rotation"
    OBSERVERSHIP = "observership", "Observership"


class OpportunityStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"


class ReminderKind(models.TextChoices):
    WEEK = "week", "A week before"
    DAY = "day", "A day before"


class NominationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


def codes_field(codes: list[str]) -> str:
    """Codes (stages, countries) as the eligibility fields store them: " fellow resident ".

    Neither database filters a JSON list the same way (SQLite has no containment), so a list
    is kept as text padded with spaces, and "open to X" is `"" or contains " X "` on both.
    """
    return f" {' '.join(sorted(set(codes)))} " if codes else ""


def codes_list(value: str) -> list[str]:
    return value.split()


http_url = URLValidator(schemes=["http", "https"])


class Opportunity(TimeStampedModel):
    """Something trainees can apply for, shown on the board once organizers approve it; it
    moves to the archive when its deadline passes."""

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=OpportunityKind.choices)
    organization = models.CharField(max_length=160)
    summary = models.CharField(max_length=300, blank=True, help_text="One or two sentences.")
    deadline = models.DateTimeField(db_index=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    # Eligibility: codes_field() text; "" is open to every stage / every country.
    stages = models.CharField(max_length=200, blank=True, default="")
    countries = models.CharField(max_length=800, blank=True, default="")
    url = models.URLField(max_length=500, validators=[http_url])
    tags = models.ManyToManyField(Topic, blank=True, related_name="opportunities")
    how_to_apply = models.TextField(max_length=4000, blank=True, help_text="Markdown.")

    status = models.CharField(
        max_length=10, choices=OpportunityStatus.choices, default=OpportunityStatus.PENDING
    )
    suggested_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    rejection_reason = models.CharField(max_length=500, blank=True)
    # Hidden by the moderators: off the board, the archive, saved lists, digests and
    # reminders until restored (organizers still open it).
    hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name_plural = "opportunities"
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:opportunity", args=[self.pk])

    @property
    def stage_list(self) -> list[str]:
        return codes_list(self.stages)

    @property
    def country_list(self) -> list[str]:
        return codes_list(self.countries)

    @property
    def stage_labels(self) -> list[str]:
        codes = set(self.stage_list)
        return [str(stage.label) for stage in Stage if stage.value in codes]

    @property
    def country_names(self) -> list[str]:
        return [country_name(code) or code for code in self.country_list]

    @property
    def is_approved(self) -> bool:
        return self.status == OpportunityStatus.APPROVED

    @property
    def is_on_board(self) -> bool:
        """Approved and not hidden by the moderators."""
        return self.is_approved and not self.hidden


class SavedOpportunity(models.Model):
    """A member keeps an opportunity in their "Saved" list and is reminded of its deadline."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="saved_opportunities")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="saves")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "saved opportunities"
        constraints = [
            models.UniqueConstraint(fields=["user", "opportunity"], name="community_saved_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} saved {self.opportunity}"


class OpportunityReminder(models.Model):
    """A deadline reminder that went out: at most one per member, opportunity, kind and
    deadline (a moved deadline is reminded of again). The constraint is what makes "once
    each" hold when the same task runs twice."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=4, choices=ReminderKind.choices)
    deadline = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "opportunity", "kind", "deadline"],
                name="community_opportunity_reminder_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder of {self.opportunity_id} to {self.user_id}"


class Nomination(TimeStampedModel):
    """A sponsor (faculty or mentor) puts a trainee forward for an opportunity or a role.

    Recorded, never published: only the sponsor, the trainee and organizers see it.
    """

    nominator = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="nominations_made")
    nominee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="nominations_received")
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.CASCADE, related_name="nominations"
    )
    role = models.CharField(
        max_length=200, blank=True, help_text="A talk, an award, a committee seat..."
    )
    statement = models.TextField(max_length=1500)
    status = models.CharField(
        max_length=10, choices=NominationStatus.choices, default=NominationStatus.PENDING
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(nominator=F("nominee")), name="community_nomination_not_self"
            ),
            models.CheckConstraint(
                condition=Q(opportunity__isnull=False) | ~Q(role=""),
                name="community_nomination_for_something",
            ),
        ]

    def __str__(self) -> str:
        return f"Nomination #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("community:nomination", args=[self.pk])

    @property
    def what(self) -> str:
        """What the trainee is put forward for: the opportunity's title, or the role."""
        return self.opportunity.title if self.opportunity_id and self.opportunity else self.role

    @property
    def is_pending(self) -> bool:
        return self.status == NominationStatus.PENDING
