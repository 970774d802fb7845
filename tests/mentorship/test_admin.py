"""The admin shows mentorship rows to organizers and changes none: the services own them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client, RequestFactory
from django.utils import timezone

from hemonc.core.models import AuditEntry
from hemonc.mentorship import services
from hemonc.mentorship.enums import ProgramRole


def _mentorship_admins() -> list[tuple[type[models.Model], admin.ModelAdmin]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "mentorship"
    ]


@pytest.fixture
def network(organizer, mentor, mentee) -> None:  # type: ignore[no-untyped-def]
    """A row of every mentorship model the admin shows."""
    pair = services.request_accept(
        request=services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi"),
        actor=mentor,
    )
    services.mentorship_complete(mentorship=pair, actor=mentee, feedback="Helpful.")
    now = timezone.now()
    program = services.program_create(
        actor=organizer,
        name="Spring program",
        applications_open_at=now - timedelta(days=1),
        applications_close_at=now + timedelta(days=7),
        matching_date=now.date(),
    )
    services.program_apply(program=program, user=mentor, actor=mentor, role=ProgramRole.MENTOR)
    services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)
    services.program_run_matcher(program=program, actor=organizer)
    event = services.speed_event_create(actor=organizer, title="Blood Buddies", starts_at=now)
    services.speed_participant_add(event=event, user=mentee, role=ProgramRole.MENTEE, actor=mentee)


def test_every_mentorship_admin_refuses_organizers_add_change_and_delete(
    client: Client, organizer, network
) -> None:
    client.force_login(organizer)
    audit_rows = AuditEntry.objects.count()
    admins = _mentorship_admins()
    assert len(admins) == 8

    for model, _ in admins:
        row = model._default_manager.order_by("pk").first()
        assert row is not None, model
        base = f"/admin/mentorship/{model._meta.model_name}/"
        before = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}

        listed = client.get(base)
        shown = client.get(f"{base}{row.pk}/change/")
        added = client.get(f"{base}add/")
        changed = client.post(f"{base}{row.pk}/change/", {})
        deleted = client.post(f"{base}{row.pk}/delete/", {"post": "yes"})

        assert (listed.status_code, shown.status_code) == (200, 200), model
        assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
        row.refresh_from_db()
        assert {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields} == before
    assert AuditEntry.objects.count() == audit_rows


def test_every_mentorship_admin_inline_is_read_only(organizer) -> None:
    request = RequestFactory().get("/admin/")
    request.user = organizer

    inlines = [
        inline_class(model, admin.site)
        for model, model_admin in _mentorship_admins()
        for inline_class in model_admin.inlines
    ]

    assert len(inlines) == 2
    for inline in inlines:
        assert not inline.has_add_permission(request, None)
        assert not inline.has_change_permission(request, None)
        assert not inline.has_delete_permission(request, None)
