"""Fixtures of the community tests."""

from __future__ import annotations

import pytest

from hemonc.members.enums import Role
from hemonc.members.models import User
from tests.factories import make_member


@pytest.fixture
def organizer(db) -> User:  # type: ignore[no-untyped-def]
    return make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
