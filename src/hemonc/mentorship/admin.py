"""Organizers manage mentorship data in the admin; demographics-bearing fields stay read-only."""

from django.contrib import admin

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


@admin.register(MentorOffer)
class MentorOfferAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "capacity", "created_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__profile__display_name"]
    raw_id_fields = ["user"]


@admin.register(MenteeGoals)
class MenteeGoalsAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    filter_horizontal = ["topics", "career_paths"]
    exclude = ["excluded_mentors"]


@admin.register(MentorshipRequest)
class MentorshipRequestAdmin(admin.ModelAdmin):
    list_display = ["mentee", "mentor", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["mentee", "mentor"]


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "status", "program", "created_at"]
    list_filter = ["status", "program"]
    raw_id_fields = ["mentor", "mentee", "request", "ended_by"]


@admin.register(MentorshipFeedback)
class MentorshipFeedbackAdmin(admin.ModelAdmin):
    list_display = ["mentorship", "author", "created_at"]
    raw_id_fields = ["mentorship", "author"]


class ApplicationInline(admin.TabularInline):
    model = ProgramApplication
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
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
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["program", "mentee", "mentor", "score", "reason"]
    list_filter = ["program"]
    raw_id_fields = ["mentee", "mentor"]


class ParticipantInline(admin.TabularInline):
    model = SpeedParticipant
    raw_id_fields = ["user"]
    extra = 0


@admin.register(SpeedMentoringEvent)
class SpeedMentoringEventAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "rounds", "table_size", "session"]
    raw_id_fields = ["session"]
    inlines = [ParticipantInline]
