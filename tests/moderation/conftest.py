"""Moderation tests start from no code of conduct and no case, even in a worker where the
demo network (session-scoped) already made some; the demo's own test keeps them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _no_code_or_cases(request: pytest.FixtureRequest) -> Iterator[None]:
    if "demo_network" in request.fixturenames or not request.node.get_closest_marker("django_db"):
        yield
        return
    request.getfixturevalue("db")
    from hemonc.moderation.models import Case, ConductAcceptance, ConductVersion

    Case.objects.all().delete()
    ConductAcceptance.objects.all().delete()
    ConductVersion.objects.all().delete()
    yield
