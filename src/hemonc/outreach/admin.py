"""Outreach data in the admin, to look at: the imports and the follower page write it (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hemonc.outreach.models import DailyTotals, FollowerSnapshot, Post, SocialAccount


class ServiceOwnedAdmin(admin.ModelAdmin):
    """Read-only: rows change only through the services, which write the audit log."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SocialAccount)
class SocialAccountAdmin(ServiceOwnedAdmin):
    list_display = ["handle", "platform", "created_at"]
    list_filter = ["platform"]
    search_fields = ["handle"]


@admin.register(Post)
class PostAdmin(ServiceOwnedAdmin):
    list_display = ["key", "account", "published_at", "impressions", "engagements", "source_format"]
    list_filter = ["platform", "source_format", "account"]
    search_fields = ["post_id", "text"]
    date_hierarchy = "published_at"
    list_select_related = ["account"]
    readonly_fields = ["key", "month", "source_format", "source_file", "source_period_end"]


@admin.register(FollowerSnapshot)
class FollowerSnapshotAdmin(ServiceOwnedAdmin):
    list_display = ["account", "date", "followers"]
    list_filter = ["account"]
    date_hierarchy = "date"


@admin.register(DailyTotals)
class DailyTotalsAdmin(ServiceOwnedAdmin):
    list_display = ["account", "date", "impressions", "engagements", "new_follows"]
    list_filter = ["account"]
    date_hierarchy = "date"
