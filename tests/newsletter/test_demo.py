from __future__ import annotations

from datetime import timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.utils import timezone

from hemonc.events.models import LiveSession
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
    assert Issue.objects.filter(status="sent").count() == 7
    assert Issue.objects.filter(status="draft").count() == 1


@pytest.mark.django_db
def test_demo_archive_leads_up_to_now_with_a_draft_for_the_next_session() -> None:
    now = timezone.now()
    LiveSession.objects.create(
        title="Tonight's journal club", starts_at=now + timedelta(hours=5), time_zone="UTC"
    )
    upcoming = LiveSession.objects.create(
        title="Grant writing for fellows", starts_at=now + timedelta(days=5), time_zone="UTC"
    )
    LiveSession.objects.create(
        title="Speed mentoring night", starts_at=now + timedelta(days=19), time_zone="UTC"
    )

    demo_newsletter_create(stdout=StringIO())

    sent = list(selectors.issues_archive())
    newest = sent[0].sent_at
    assert now - timedelta(days=7) < newest < now
    recent = [issue.sent_at for issue in sent if issue.sent_at > now - timedelta(weeks=16)]
    gaps = {(a - b).days for a, b in pairwise(recent)}
    assert len(recent) == 4 and gaps == {28}  # about once a month, as the consent text says
    assert "Tonight's journal club" in sent[0].body and "## Coming up" in sent[0].body
    (draft,) = Issue.objects.filter(status="draft")
    assert upcoming.title in draft.subject
    assert draft.created_by is None or draft.created_by.email.startswith("organizer@")
