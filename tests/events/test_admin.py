"""The admin shows the live sessions' rows; changes go through the services, never the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import timezone

from hemonc.events.enums import ReminderKind
from hemonc.events.models import CheckIn, LiveSession, ReminderDelivery, Rsvp
from hemonc.events.services import (
    calendar_feed_get_or_create,
    guest_create,
    question_create,
    rsvp_confirm,
    rsvp_create,
    rsvp_request,
    season_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_of_each(organizer, member, make_session):  # type: ignore[no-untyped-def]
    """A row of every model of the app."""
    today = timezone.localdate()
    season = season_create(
        actor=organizer, name="Season 1", starts_on=today, ends_on=today + timedelta(days=90)
    )
    guest = guest_create(actor=organizer, name="Dr. Guest")
    session = make_session(
        season=season, starts_at=timezone.now() + timedelta(minutes=5), capacity=1
    )
    rsvp = rsvp_create(session=session, user=member)
    CheckIn.objects.create(session=session, user=member)
    question_create(session=session, author=member, text="What about MRD?")
    ReminderDelivery.objects.create(
        rsvp=rsvp, kind=ReminderKind.DAY_BEFORE, session_starts_at=session.starts_at
    )
    calendar_feed_get_or_create(user=member)
    return {"season": season, "guest": guest, "session": session, "rsvp": rsvp}


def _events_models() -> list[type[models.Model]]:
    return [model for model in admin.site._registry if model._meta.app_label == "events"]


def test_admin_refuses_organizers_every_add_change_and_delete(
    client, organizer, one_of_each
) -> None:
    client.force_login(organizer)
    registered = _events_models()
    assert len(registered) == 8
    for model in registered:
        meta = model._meta
        row = model._default_manager.order_by("pk").first()
        assert row is not None, meta.label
        before = model._default_manager.count()
        changelist = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert changelist.status_code == 200, meta.label
        add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
        assert f'href="{add}"' not in changelist.content.decode(), meta.label
        assert client.post(add, {}).status_code == 403, meta.label
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])
        page = client.get(change)
        assert page.status_code == 200, meta.label  # a read-only view
        assert 'type="submit"' not in page.content.decode().split('id="content"')[1], meta.label
        assert client.post(change, {}).status_code == 403, meta.label
        delete = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[row.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403, meta.label
        assert model._default_manager.count() == before, meta.label


def test_admin_session_page_changes_no_rsvp_and_promotes_nobody(
    client, organizer, other_member, one_of_each
) -> None:
    """The session page's RSVP rows are shown, not editable: a seat freed there would skip
    the waitlist's promotion and its mail."""
    session: LiveSession = one_of_each["session"]
    waiting = rsvp_create(session=session, user=other_member)
    client.force_login(organizer)
    url = reverse("admin:events_livesession_change", args=[session.pk])
    page = client.get(url).content.decode()
    assert "rsvps-0-status" not in page
    response = client.post(
        url,
        {
            "title": "Renamed in the admin",
            "rsvps-TOTAL_FORMS": "2",
            "rsvps-INITIAL_FORMS": "2",
            "rsvps-0-id": str(one_of_each["rsvp"].pk),
            "rsvps-0-status": "cancelled",
        },
    )
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.title != "Renamed in the admin"
    assert Rsvp.objects.get(pk=waiting.pk).status == "waitlisted"


def test_admin_reminder_list_names_a_nameless_visitor_by_their_address(
    client, organizer, make_session
) -> None:
    session = make_session()
    rsvp = rsvp_confirm(
        rsvp_id=rsvp_request(session=session, email="quiet.visitor@example.org").pk,
        email="quiet.visitor@example.org",
    )
    ReminderDelivery.objects.create(
        rsvp=rsvp, kind=ReminderKind.DAY_BEFORE, session_starts_at=session.starts_at
    )
    client.force_login(organizer)

    page = client.get(reverse("admin:events_reminderdelivery_changelist")).content.decode()

    assert f"quiet.visitor@example.org → {session}" in page


def test_admin_names_the_models_as_people_say_them(client, organizer) -> None:
    client.force_login(organizer)

    page = client.get(reverse("admin:app_list", args=["events"])).content.decode()

    for plural in ("RSVPs", "Reminder deliveries", "Check-ins", "Live sessions", "Guests"):
        assert f">{plural}<" in page, plural
    assert "Rsvps" not in page
    assert "deliverys" not in page.lower()
