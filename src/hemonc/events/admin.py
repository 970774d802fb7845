"""The organizers' admin for sessions; day-to-day work happens on the session pages."""

from __future__ import annotations

from django.contrib import admin

from hemonc.events.models import (
    CalendarFeed,
    CheckIn,
    Guest,
    LiveSession,
    Question,
    ReminderDelivery,
    Rsvp,
    Season,
)


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "time_zone"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Guest)
class GuestAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "handle", "member"]
    search_fields = ["name", "title", "handle"]
    raw_id_fields = ["member"]


class RsvpInline(admin.TabularInline):
    model = Rsvp
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "email", "name", "status", "waitlisted_at", "confirmed_at"]
    readonly_fields = ["waitlisted_at", "confirmed_at"]


@admin.register(LiveSession)
class LiveSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "kind", "status", "season", "peak_listeners"]
    list_filter = ["status", "kind", "season"]
    search_fields = ["title", "description"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["hosts"]
    filter_horizontal = ["guests", "topics"]
    readonly_fields = ["sequence", "check_in_code", "created_by"]
    inlines = [RsvpInline]


@admin.register(Rsvp)
class RsvpAdmin(admin.ModelAdmin):
    list_display = ["session", "user", "email", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["email", "user__email", "session__title"]
    raw_id_fields = ["session", "user"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["session", "user", "created_at"]
    raw_id_fields = ["session", "user"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "session", "author", "status", "is_pinned", "is_hidden"]
    list_filter = ["status", "is_hidden"]
    raw_id_fields = ["session", "author"]


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    list_display = ["rsvp", "kind", "session_starts_at", "sent_at"]
    raw_id_fields = ["rsvp"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    exclude = ["token"]
