"""The organizers' admin for sessions: a read-only view of the rows.

Every change to these models goes through the services (on the session pages, the guest
and season forms, the import command): they check permissions, audit, mail, move reminders
and promote the waitlist, which a row saved here would skip.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

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


class ReadOnly:
    """No add, change or delete: the services own these rows."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Season)
class SeasonAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "time_zone"]
    search_fields = ["name"]


@admin.register(Guest)
class GuestAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "title", "handle", "member"]
    search_fields = ["name", "title", "handle"]
    raw_id_fields = ["member"]


class RsvpInline(ReadOnly, admin.TabularInline):
    model = Rsvp
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "email", "name", "status", "waitlisted_at", "confirmed_at"]
    readonly_fields = ["waitlisted_at", "confirmed_at"]


@admin.register(LiveSession)
class LiveSessionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["title", "starts_at", "kind", "status", "season", "peak_listeners"]
    list_filter = ["status", "kind", "season"]
    search_fields = ["title", "description"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["hosts"]
    filter_horizontal = ["guests", "topics"]
    readonly_fields = ["sequence", "check_in_code", "created_by"]
    inlines = [RsvpInline]


@admin.register(Rsvp)
class RsvpAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["session", "user", "email", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["email", "user__email", "session__title"]
    raw_id_fields = ["session", "user"]


@admin.register(CheckIn)
class CheckInAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["session", "user", "created_at"]
    raw_id_fields = ["session", "user"]


@admin.register(Question)
class QuestionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["text", "session", "author", "status", "is_pinned", "is_hidden"]
    list_filter = ["status", "is_hidden"]
    raw_id_fields = ["session", "author"]


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["rsvp", "kind", "session_starts_at", "sent_at"]
    raw_id_fields = ["rsvp"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    exclude = ["token"]
