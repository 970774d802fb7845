"""Fixtures of the mentorship tests: a mentor with an offer, a mentee with goals, an organizer."""

from __future__ import annotations

import pytest

from hemonc.members.enums import Role
from hemonc.members.models import User
from hemonc.mentorship.services import goals_save, offer_save
from hemonc.taxonomy.models import CareerPath, Topic
from tests.factories import make_member


@pytest.fixture
def mentor(db) -> User:  # type: ignore[no-untyped-def]
    user = make_member(
        display_name="Dr. Grace Mentor", stage="attending", time_zone="America/New_York"
    )
    offer_save(
        user=user,
        actor=user,
        capacity=1,
        about="Myeloma and academic careers.",
        topics=Topic.objects.filter(slug__in=["mmsm"]),
        career_paths=CareerPath.objects.filter(slug="malignant-hematology"),
        stages=["fellow", "resident"],
        formats=["video"],
        languages=["en"],
    )
    return user


@pytest.fixture
def mentee(db) -> User:  # type: ignore[no-untyped-def]
    user = make_member(display_name="Ana Mentee", stage="fellow", time_zone="America/Chicago")
    goals_save(
        user=user,
        actor=user,
        text="Find my niche in myeloma research.",
        topics=Topic.objects.filter(slug="mmsm"),
        formats=["video"],
    )
    return user


@pytest.fixture
def organizer(db) -> User:  # type: ignore[no-untyped-def]
    return make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
