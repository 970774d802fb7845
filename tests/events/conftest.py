"""Fixtures for the live sessions tests: an organizer and a way to make sessions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from hemonc.events.models import LiveSession
from hemonc.events.services import session_create
from hemonc.members.enums import Role
from tests.factories import make_member


@pytest.fixture
def organizer(db):  # type: ignore[no-untyped-def]
    return make_member(display_name="Olu Organizer", role=Role.ORGANIZER)


@pytest.fixture
def make_session(organizer):  # type: ignore[no-untyped-def]
    def make(
        *, title: str = "Myeloma in 2026", starts_at: datetime | None = None, **fields: Any
    ) -> LiveSession:
        return session_create(
            actor=organizer,
            title=title,
            starts_at=starts_at
            or (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0),
            **fields,
        )

    return make


@pytest.fixture
def committed(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """`with committed():` runs what the block queued for after commit (mails, tasks)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
