"""The demo's opportunities and nominations tell the demo member's story, relative to today."""

from __future__ import annotations

from io import StringIO

import pytest
from django.test import Client
from django.urls import reverse

from hemonc.community.demo import demo_opportunities_create
from hemonc.community.models.opportunities import Nomination, NominationStatus, Opportunity
from hemonc.community.selectors import (
    opportunities_archived,
    opportunities_open,
    opportunities_pending,
    opportunities_saved,
)
from hemonc.members.demo import DEMO_DOMAIN
from hemonc.members.enums import Role
from hemonc.mentorship.models import Mentorship
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _demo_people() -> tuple:  # type: ignore[type-arg]
    people = {}
    for key, stage, role in (
        ("organizer", "attending", Role.ORGANIZER),
        ("member", "fellow", None),
        ("mentor7", "attending", None),
    ):
        user = make_member(display_name=f"Demo {key}", stage=stage, role=role)
        user.email = f"{key}@{DEMO_DOMAIN}"
        user.save(update_fields=["email"])
        people[key] = user
    Mentorship.objects.create(mentor=people["mentor7"], mentee=people["member"])
    return people["member"], people["mentor7"]


def test_demo_opportunities_once_with_saved_expired_and_nominations() -> None:
    member, mentor = _demo_people()
    first, again = StringIO(), StringIO()
    demo_opportunities_create(stdout=first)
    count = Opportunity.objects.count()
    demo_opportunities_create(stdout=again)

    assert again.getvalue() == "The demo opportunities are already here."
    assert Opportunity.objects.count() == count == 11
    assert opportunities_open().count() == 7
    assert opportunities_archived().count() == 3
    assert opportunities_pending().count() == 1
    saved = list(opportunities_saved(user=member))
    assert len(saved) == 3 and sum(1 for o in saved if o in opportunities_archived()) == 1
    nominations = Nomination.objects.filter(nominator=mentor, nominee=member)
    assert sorted(nominations.values_list("status", flat=True)) == [
        NominationStatus.ACCEPTED,
        NominationStatus.PENDING,
    ]
    assert all("synthetic" in o.how_to_apply.lower() for o in Opportunity.objects.all())

    client = Client()
    client.force_login(member)
    page = client.get(reverse("community:nominations")).content.decode()
    assert "Early-career leukemia research grant" in page
    assert "Presenter at a Season 2 journal club" in page
