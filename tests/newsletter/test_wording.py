"""What the newsletter's pages say, read as visitors, members and organizers read them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.newsletter import services
from hemonc.newsletter.mail import subscriber_token
from hemonc.newsletter.models import Issue
from tests.factories import make_member
from tests.newsletter.conftest import make_subscriber

pytestmark = pytest.mark.django_db


def test_subscribed_member_is_not_asked_to_subscribe_again(client: Any) -> None:
    member = make_member(display_name="Mia Member")
    make_subscriber(member.email, user=member)
    client.force_login(member)

    page = client.get(reverse("newsletter:home")).content.decode()

    assert f"You are subscribed with <strong>{member.email}</strong>." in page
    assert "<summary>Subscribe another address</summary>" in page
    assert "Subscribe with my account" not in page


def test_optional_details_say_optional_once(client: Any) -> None:
    page = client.get(reverse("newsletter:home")).content.decode()

    assert "About you (optional)" in page
    assert "Name (optional)" not in page


def test_manage_page_counts_in_whole_sentences(client: Any) -> None:
    client.force_login(make_member(display_name="Olu Organizer", role=Role.ORGANIZER))
    make_subscriber("a@example.org", country="US")
    make_subscriber("left@example.org", status="unsubscribed")

    page = client.get(reverse("newsletter:manage")).content.decode()

    assert "1 subscribed in 1 country." in page
    assert "1 unsubscribed" in page and " · " not in page.split("<main", 1)[-1].split("</p>")[0]


def test_archive_lists_dates_as_machine_readable_times(client: Any) -> None:
    issue = services.issue_create(subject="October", body="News", actor=OPERATOR)
    Issue.objects.filter(pk=issue.pk).update(status="sent", sent_at=timezone.now())

    page = client.get(reverse("newsletter:archive")).content.decode()

    assert '<time class="help" datetime="' in page


def test_preferences_page_shows_the_address_and_status_without_a_stray_separator(
    client: Any,
) -> None:
    subscriber = make_subscriber("alexandra.macdonald.189@example.org")

    page = client.get(
        reverse("newsletter:preferences", args=[subscriber_token(subscriber.pk)])
    ).content.decode()

    assert '<span class="subscriber-email">alexandra.macdonald.189@example.org</span>' in page
    assert "</span> · <span" not in page and "example.org · " not in page
    assert "Stop receiving the newsletter at this address." in page


def test_issue_page_counts_the_audience_only_before_sending(client: Any) -> None:
    client.force_login(make_member(display_name="Olu Organizer", role=Role.ORGANIZER))
    make_subscriber("a@example.org")
    draft = services.issue_create(subject="Draft", body="News", actor=OPERATOR)
    sent = services.issue_create(subject="Sent", body="News", actor=OPERATOR)
    Issue.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now())

    draft_page = client.get(reverse("newsletter:issue_detail", args=[draft.pk])).content.decode()
    sent_page = client.get(reverse("newsletter:issue_detail", args=[sent.pk])).content.decode()

    assert "It reaches 1 subscriber today." in draft_page
    assert "reaches" not in sent_page and "subscribers now" not in sent_page
    assert 'href="/newsletter/manage/"' in sent_page  # back to the issues
    assert "The test goes to your own address" in draft_page
