"""The organizers' admin for members: search, filters, and role actions that go through services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from hemonc.members.enums import Role
from hemonc.members.models import Block, Mute, Profile, User
from hemonc.members.services import member_set_role


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ["interests", "career_paths"]
    readonly_fields = ["search_document"]
    extra = 0


def _role_action(role: Role, enabled: bool):  # type: ignore[no-untyped-def]
    verb = "Make" if enabled else "Remove"
    label = f"{verb} {role.label.lower()}{'' if enabled else ' role'}"

    @admin.action(description=label)
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[User]):  # type: ignore[type-arg]
        for user in queryset:
            member_set_role(user=user, role=role, enabled=enabled, actor=request.user)  # type: ignore[arg-type]
        modeladmin.message_user(
            request, f"{label}: {queryset.count()} member(s).", messages.SUCCESS
        )

    action.__name__ = f"{'grant' if enabled else 'revoke'}_{role.value}"
    return action


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "display_name", "stage", "country", "is_active", "date_joined"]
    list_filter = ["is_active", "is_staff", "groups", "profile__stage", "profile__country"]
    search_fields = ["email", "profile__display_name", "profile__institution"]
    list_select_related = ["profile"]
    readonly_fields = ["date_joined", "last_login", "groups", "is_superuser", "is_staff"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [ProfileInline]
    actions = [
        _role_action(Role.ORGANIZER, True),
        _role_action(Role.ORGANIZER, False),
        _role_action(Role.MODERATOR, True),
        _role_action(Role.MODERATOR, False),
    ]
    filter_horizontal: list[str] = []

    @admin.display(ordering="profile__display_name")
    def display_name(self, obj: User) -> str:
        return obj.profile.display_name

    @admin.display(ordering="profile__stage")
    def stage(self, obj: User) -> str:
        return obj.profile.get_stage_display()

    @admin.display(ordering="profile__country")
    def country(self, obj: User) -> str:
        return obj.profile.country


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    search_fields = ["blocker__email", "blocked__email"]
    raw_id_fields = ["blocker", "blocked"]


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin):
    list_display = ["muter", "muted", "created_at"]
    raw_id_fields = ["muter", "muted"]
