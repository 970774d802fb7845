"""The newsletter's reads: segments as organizers write them, and who they reach."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hemonc.core.errors import DomainError
from hemonc.events.models import LiveSession
from hemonc.newsletter import selectors
from tests.factories import make_member
from tests.newsletter.conftest import make_subscriber

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("segment", "message"),
    [
        ({"stage": "astronaut"}, "stage='astronaut': use one of"),
        ({"country": "usa"}, "country='USA': use a two-letter ISO code"),
        ({"country": "XX"}, "country='XX': use a two-letter ISO code"),
        ({"members": "maybe"}, "members='maybe': use true or false."),
    ],
)
def test_segment_validate_names_the_bad_value_and_what_to_use(
    segment: dict[str, str], message: str
) -> None:
    with pytest.raises(DomainError) as error:
        selectors.segment_validate(segment)

    assert message in str(error.value)


def test_segment_validate_normalizes_and_labels_every_filter() -> None:
    session = LiveSession.objects.create(
        title="Myeloma in 2026", starts_at=datetime(2026, 3, 5, 20, tzinfo=UTC), time_zone="UTC"
    )
    segment = selectors.segment_validate(
        {"stage": "fellow", "country": " ca", "members": "TRUE", "attended": str(session.pk)}
    )

    assert segment == {
        "stage": "fellow", "country": "CA", "members": "true", "attended": str(session.pk)
    }  # fmt: skip
    # The session by its title and date, never its id.
    assert selectors.segment_label(segment) == (
        "Fellow · Canada · members only · attended “Myeloma in 2026” (5 March 2026)"
    )
    assert selectors.segment_label({"attended": "999999"}) == (
        "attended a session that no longer exists"
    )
    assert selectors.segment_label({"members": "false"}) == "non-members only"
    assert selectors.segment_label({}) == "Everyone subscribed"


def test_audience_of_members_or_non_members_only() -> None:
    member = make_member(display_name="Uma Rao")
    make_subscriber(member.email, user=member)
    make_subscriber("reader@example.org")
    make_subscriber("left@example.org", status="unsubscribed")

    def emails(members: str) -> list[str]:
        return list(
            selectors.audience(segment={"members": members}).values_list("email", flat=True)
        )

    assert emails("true") == [member.email]
    assert emails("false") == ["reader@example.org"]
