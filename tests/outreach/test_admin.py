"""The admin shows outreach and newsletter rows to organizers; only the services write them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from hemonc.members.enums import Role
from tests.factories import make_member

pytestmark = pytest.mark.django_db

APPS = ("outreach", "newsletter")


def _registered() -> list[tuple[Any, admin.ModelAdmin]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in APPS
    ]


def test_admin_refuses_organizers_every_add_change_and_delete(client: Any) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    request = RequestFactory().get("/admin/")
    request.user = organizer
    registered = _registered()
    assert registered  # the outreach models are there to look at

    for model, model_admin in registered:
        name = model._meta.label
        inlines = model_admin.get_inline_instances(request)
        assert model_admin.has_view_permission(request), name
        for allowed in (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
            *(inline.has_add_permission(request, None) for inline in inlines),
        ):
            assert allowed is False, name

    client.force_login(organizer)
    for model, _ in registered:
        meta = model._meta
        add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
        assert client.post(add, {}).status_code == 403, meta.label
        assert (
            client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")).status_code
            == 200
        )
