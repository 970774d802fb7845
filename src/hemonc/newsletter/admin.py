"""The newsletter in the admin: consent texts only, one new version at a time.

Subscribers, issues and deliveries belong to the services (consent, audit, the outbox)
and to the organizers' pages; they are not in the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hemonc.newsletter.models import ConsentText


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """A new wording is a new version; a version people agreed to never changes or goes."""

    list_display = ["version", "created_at"]
    ordering = ["-version"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
