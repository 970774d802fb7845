"""Fixtures for the newsletter tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from hemonc.newsletter.enums import ConsentSource, SubscriberStatus
from hemonc.newsletter.models import Subscriber

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "newsletter"


def make_subscriber(email: str, **fields) -> Subscriber:  # type: ignore[no-untyped-def]
    defaults = {
        "status": SubscriberStatus.SUBSCRIBED,
        "consented_at": timezone.now(),
        "consent_source": ConsentSource.SIGNUP,
    }
    defaults.update(fields)
    return Subscriber.objects.create(email=email, **defaults)


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
