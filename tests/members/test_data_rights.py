"""A member's download holds their data from every app; erasure leaves no address behind."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hemonc.events.services import rsvp_create, session_create
from hemonc.members.enums import Role
from hemonc.members.services import member_erase
from hemonc.mentorship.services import offer_save
from hemonc.newsletter.models import Subscriber
from hemonc.newsletter.selectors import consent_text_current
from hemonc.newsletter.services import subscriber_subscribe_member
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def active_member(member):
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    session = session_create(
        actor=organizer, title="Pre-ASH special", starts_at=timezone.now() + timedelta(days=5)
    )
    rsvp_create(session=session, user=member)
    subscriber_subscribe_member(user=member, consent_text=consent_text_current(), ip="127.0.0.1")
    offer_save(user=member, actor=member, capacity=3)
    return member


def test_download_includes_rsvps_subscription_and_mentor_offer(client, active_member):
    client.force_login(active_member)
    export = json.loads(client.get(reverse("members:data_export")).content)

    assert export["events"]["rsvp"][0]["status"] == "going"
    assert export["newsletter"]["subscriber"][0]["email"] == active_member.email
    assert export["mentorship"]["mentoroffer"][0]["capacity"] == 3


def test_erasure_removes_the_newsletter_address_too(client, active_member):
    email = active_member.email
    member_erase(user=active_member, actor=active_member)
    assert not Subscriber.objects.filter(email=email).exists()


def test_account_page_erasure_then_sign_in_fails(client, active_member):
    client.force_login(active_member)
    client.post(reverse("members:account_delete"), {"password": PASSWORD, "confirm": "on"})
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": active_member.email, "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
