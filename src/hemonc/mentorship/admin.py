"""Organizers look at mentorship data in the admin; every change goes through the pages.

Each model here is owned by a service (it audits, mails, schedules check-ins or checks
capacity and blocks), so the admin shows it read-only, inlines too: an edit here would skip
all of that.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hemonc.mentorship.models import (
    MenteeGoals,
    MentorOffer,
    Mentorship,
    MentorshipFeedback,
    MentorshipRequest,
    Program,
    ProgramApplication,
    Proposal,
    SpeedMentoringEvent,
    SpeedParticipant,
)


class ReadOnly:
    """No add, change or delete in the admin: the mentorship services own these rows."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MentorOffer)
class MentorOfferAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["user", "status", "capacity", "created_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__profile__display_name"]
    raw_id_fields = ["user"]


@admin.register(MenteeGoals)
class MenteeGoalsAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    exclude = ["excluded_mentors"]


@admin.register(MentorshipRequest)
class MentorshipRequestAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["mentee", "mentor", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["mentee", "mentor"]


@admin.register(Mentorship)
class MentorshipAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["mentor", "mentee", "status", "program", "created_at"]
    list_filter = ["status", "program"]
    raw_id_fields = ["mentor", "mentee", "request", "ended_by"]


@admin.register(MentorshipFeedback)
class MentorshipFeedbackAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["mentorship", "author", "created_at"]
    raw_id_fields = ["mentorship", "author"]


class ApplicationInline(ReadOnly, admin.TabularInline):
    model = ProgramApplication
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Program)
class ProgramAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "name",
        "status",
        "applications_open_at",
        "applications_close_at",
        "matching_date",
    ]
    list_filter = ["status"]
    inlines = [ApplicationInline]


@admin.register(Proposal)
class ProposalAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["program", "mentee", "mentor", "score", "reason"]
    list_filter = ["program"]
    raw_id_fields = ["mentee", "mentor"]


class ParticipantInline(ReadOnly, admin.TabularInline):
    model = SpeedParticipant
    raw_id_fields = ["user"]
    extra = 0


@admin.register(SpeedMentoringEvent)
class SpeedMentoringEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["title", "starts_at", "rounds", "table_size", "session"]
    raw_id_fields = ["session"]
    inlines = [ParticipantInline]
