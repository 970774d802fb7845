from django.contrib import admin

from hemonc.outreach.models import DailyTotals, FollowerSnapshot, Post, SocialAccount


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = ["handle", "platform", "created_at"]
    list_filter = ["platform"]
    search_fields = ["handle"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["key", "account", "published_at", "impressions", "engagements", "source_format"]
    list_filter = ["platform", "source_format", "account"]
    search_fields = ["post_id", "text"]
    date_hierarchy = "published_at"
    list_select_related = ["account"]
    readonly_fields = ["key", "month", "source_format", "source_file", "source_period_end"]


@admin.register(FollowerSnapshot)
class FollowerSnapshotAdmin(admin.ModelAdmin):
    list_display = ["account", "date", "followers"]
    list_filter = ["account"]
    date_hierarchy = "date"


@admin.register(DailyTotals)
class DailyTotalsAdmin(admin.ModelAdmin):
    list_display = ["account", "date", "impressions", "engagements", "new_follows"]
    list_filter = ["account"]
    date_hierarchy = "date"
