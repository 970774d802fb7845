from __future__ import annotations

from io import StringIO

import pytest

from hemonc.newsletter import selectors
from hemonc.newsletter.demo import demo_newsletter_create
from hemonc.newsletter.models import Issue, Subscriber


@pytest.mark.django_db
def test_demo_newsletter_reproduces_the_published_figures_once() -> None:
    demo_newsletter_create(stdout=StringIO())
    demo_newsletter_create(stdout=StringIO())

    stats = selectors.subscriber_stats()
    subscribed = stats["status"]["subscribed"]
    assert (subscribed, stats["countries"]) == (121, 21)
    assert round(100 * stats["gender"]["male"] / subscribed) == 53
    shares = {stage: round(100 * n / subscribed) for stage, n in stats["stage"].items()}
    assert (shares["resident"], shares["fellow"], shares["attending"]) == (34, 31, 9)
    assert (shares["advanced_fellow"], shares["medical_student"]) == (5, 5)
    assert set(
        Subscriber.objects.filter(stage="resident", status="subscribed").values_list(
            "specialty", flat=True
        )
    ) == {"internal_medicine"}
    assert Subscriber.objects.filter(consent_source="mailchimp").count() == 134
    assert Issue.objects.filter(status="sent").count() == 3
