"""Fixtures of the community tests."""

from __future__ import annotations

# ---- opportunities (+ sponsorship) ----
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from hemonc.community.models.opportunities import Opportunity
from hemonc.community.services.opportunities import opportunity_suggest
from hemonc.members.enums import Role
from hemonc.members.models import User
from tests.factories import make_member


@pytest.fixture
def organizer(db) -> User:  # type: ignore[no-untyped-def]
    return make_member(display_name="Olu Organizer", role=Role.ORGANIZER, stage="attending")


@pytest.fixture
def make_opportunity(organizer):  # type: ignore[no-untyped-def]
    """An approved opportunity (added by an organizer), open for 30 days unless told."""

    def make(
        *,
        title: str = "Leukemia research grant",
        deadline: datetime | None = None,
        actor: User | None = None,
        **fields: Any,
    ) -> Opportunity:
        values: dict[str, Any] = {
            "kind": "funding",
            "organization": "Northern Lights Fund",
            "time_zone": "America/New_York",
            "url": "https://example.org/grant",
            "how_to_apply": "Send a CV.",
        }
        values.update(fields)
        return opportunity_suggest(
            actor=actor or organizer,
            title=title,
            deadline=deadline or timezone.now() + timedelta(days=30),
            **values,
        )

    return make
