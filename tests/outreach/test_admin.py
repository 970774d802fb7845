"""The admin shows outreach and newsletter rows to organizers; the services write them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from hemonc.members.enums import Role
from hemonc.newsletter.models import ConsentText
from tests.factories import make_member

pytestmark = pytest.mark.django_db

APPS = ("outreach", "newsletter")
# Owned by no service: organizers add a new version (and never change or delete one).
ADDABLE = {"newsletter.ConsentText"}


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
        assert model_admin.has_add_permission(request) is (name in ADDABLE), name
        for allowed in (
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
            *(inline.has_add_permission(request, None) for inline in inlines),
        ):
            assert allowed is False, name

    client.force_login(organizer)
    for model, _ in registered:
        meta = model._meta
        if meta.label in ADDABLE:
            continue
        add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
        assert client.post(add, {}).status_code == 403, meta.label
        assert (
            client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")).status_code
            == 200
        )


def test_organizer_adds_a_consent_text_version_the_sign_up_form_then_shows(client: Any) -> None:
    client.force_login(make_member(display_name="Olu Organizer", role=Role.ORGANIZER))

    response = client.post(
        reverse("admin:newsletter_consenttext_add"),
        {"version": 2, "text": "New words about **your data**."},
    )

    assert response.status_code == 302
    assert "your data" in client.get(reverse("newsletter:home")).content.decode()
    version_1 = ConsentText.objects.get(version=1)
    delete = reverse("admin:newsletter_consenttext_delete", args=[version_1.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ConsentText.objects.count() == 2
