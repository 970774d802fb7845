"""The organizers' admin for members: search, filters, and role actions that go through services.

Organizers manage members' profiles and accounts; passwords, sign-in addresses and
privileges (superuser, staff, groups, permissions) stay with superusers, and the accounts of
superusers and organizers are read-only to organizers. Every request through this admin
names its user as the actor of the audit rows that privilege changes write.

Accounts and profiles are saved and deleted through the members services' steps (audit rows,
the directory's search document, what other apps erase with an account). The admin's change
and delete pages already run in a transaction, where the durable public services cannot: they
call the services' private steps after the same permission check. Blocks and mutes are the
members' own (their services audit them): organizers only look.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from hemonc.core.audit import acting_as, audit
from hemonc.core.countries import country_choices
from hemonc.core.errors import DomainError
from hemonc.core.permissions import require
from hemonc.core.timezones import time_zone_choices
from hemonc.members import services
from hemonc.members.enums import Role
from hemonc.members.models import Block, Mute, Profile, User


class ProfileAdminForm(forms.ModelForm[Profile]):
    """Country and time zone from the same lists as the member's own form, not free text."""

    country = forms.ChoiceField(choices=[("", "—"), *country_choices()], required=False)
    time_zone = forms.ChoiceField(choices=time_zone_choices, required=False)

    class Meta:
        model = Profile
        # The inline shows every field of the profile; its form only replaces these two.
        fields = "__all__"  # noqa: DJ007


class ProfileInline(admin.StackedInline[Profile, User]):
    """The member's profile, saved through the profile service (see UserAdmin.save_formset).

    The photo is set by the member only: the service re-encodes it without its metadata.
    """

    model = Profile
    form = ProfileAdminForm
    can_delete = False
    filter_horizontal = ["interests", "career_paths"]
    readonly_fields = ["search_document", "avatar"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # every account has its profile from the start

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


AdminAction = Callable[[admin.ModelAdmin[User], HttpRequest, QuerySet[User]], None]


def _organizer(request: HttpRequest) -> User:
    """Who acts in an admin request: the admin lets in signed-in staff only."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _role_action(role: Role, enabled: bool) -> AdminAction:
    verb = "Make" if enabled else "Remove"
    label = f"{verb} {role.label.lower()}{'' if enabled else ' role'}"

    @admin.action(description=label)
    def action(
        modeladmin: admin.ModelAdmin[User], request: HttpRequest, queryset: QuerySet[User]
    ) -> None:
        done = 0
        actor = _organizer(request)
        for user in queryset:
            try:
                services.member_set_role(user=user, role=role, enabled=enabled, actor=actor)
            except DomainError as error:
                modeladmin.message_user(request, f"{user}: {error}", messages.ERROR)
            else:
                done += 1
        modeladmin.message_user(request, f"{label}: {done} member(s).", messages.SUCCESS)

    action.__name__ = f"{'grant' if enabled else 'revoke'}_{role.value}"
    return action


class OrganizerUserForm(forms.ModelForm[User]):
    """The account form for organizers: a new account gets no password (the member sets one
    through a password reset), an existing one keeps its own."""

    class Meta:
        model = User
        fields = ["email", "is_active"]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        if user.pk is None:
            user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
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
    filter_horizontal = ()
    # What organizers who are not superusers see of an account: no password, no privileges.
    organizer_fieldsets = [
        (None, {"fields": ["email"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    organizer_add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email"]})]

    def _privileged(self, obj: User | None) -> bool:
        return obj is not None and (obj.is_superuser or obj.is_staff)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.organizer_fieldsets if obj is not None else self.organizer_add_fieldsets

    def get_form(
        self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if not request.user.is_superuser:
            # Django's forms carry a password field whatever the fieldsets say.
            kwargs["form"] = OrganizerUserForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser and obj is not None:
            # A new sign-in address is a way into the account (a password reset mails it).
            fields.append("email")
            if self._privileged(obj):
                fields.append("is_active")
        return fields

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if self._privileged(obj) and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Through the account service: the audit row names the changed fields."""
        names = ("email", "is_active")
        fields = {name: form.cleaned_data[name] for name in names if name in form.changed_data}
        if not change:
            fields = {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}
        actor = _organizer(request)
        require(actor, "members.edit_account", obj)
        if change:
            # The form copied its values onto `obj`; the service compares with the stored row.
            obj.refresh_from_db(fields=list(names))
        services._member_update(user=obj, actor=actor, fields=fields)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """The profile through the profile service: audit row, search document, clean values."""
        if formset.model is not Profile:
            super().save_formset(request, form, formset, change)
            return
        # What the admin's history message reads of a saved formset.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for profile_form in formset.forms:
            if not profile_form.has_changed():
                continue
            changed = set(profile_form.changed_data)
            profile = Profile.objects.get(user=form.instance)
            actor = _organizer(request)
            require(actor, "members.edit_profile", profile)
            data = profile_form.cleaned_data
            services._profile_update(
                profile=profile,
                actor=actor,
                interests=data["interests"] if "interests" in changed else None,
                career_paths=data["career_paths"] if "career_paths" in changed else None,
                fields={name: data[name] for name in changed & services.PROFILE_FIELDS},
            )
            formset.changed_objects.append((profile, sorted(changed)))

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        """Erase the account as the member's own deletion does (other apps' data, the photo)."""
        actor = _organizer(request)
        require(actor, "members.erase_account", obj)
        services._member_erase(user=obj, actor=actor)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            self.delete_model(request, user)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        if not request.user.is_superuser:
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            target = self.get_object(request, id)
            audit(actor=request.user, action="member.password_set", target=target)
        return response

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with acting_as(request.user):
            return super().changeform_view(request, *args, **kwargs)

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with acting_as(request.user):
            return super().changelist_view(request, *args, **kwargs)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with acting_as(request.user):
            return super().delete_view(request, *args, **kwargs)

    @admin.display(ordering="profile__display_name")
    def display_name(self, obj: User) -> str:
        return obj.profile.display_name

    @admin.display(ordering="profile__stage")
    def stage(self, obj: User) -> str:
        return obj.profile.get_stage_display()

    @admin.display(ordering="profile__country")
    def country(self, obj: User) -> str:
        return obj.profile.country


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Rows that only their services write: the admin shows them, nobody edits them here."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    search_fields = ["blocker__email", "blocked__email"]


@admin.register(Mute)
class MuteAdmin(ReadOnlyAdmin):
    list_display = ["muter", "muted", "created_at"]
