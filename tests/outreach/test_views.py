"""The organizers' follower page: one URL records a count, another adds an account."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from hemonc.core.models import AuditEntry
from hemonc.members.enums import Role
from hemonc.outreach.models import FollowerSnapshot, SocialAccount
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_organizer_adds_an_account_and_sees_it_offered_for_counts(client: Any) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    client.force_login(organizer)

    response = client.post(
        reverse("outreach:account_add"), {"platform": "x", "handle": "@ExampleNet"}, follow=True
    )

    html = response.content.decode()
    assert "@ExampleNet (X (Twitter)) added." in html
    assert "A follower count" in html  # the count form appears once an account exists
    assert SocialAccount.objects.get().handle == "ExampleNet"
    assert AuditEntry.objects.get(action="outreach.account_create").actor == organizer


def test_account_with_a_blank_handle_shows_the_error_on_the_page(client: Any) -> None:
    client.force_login(make_member(display_name="Olu Organizer", role=Role.ORGANIZER))

    response = client.post(reverse("outreach:account_add"), {"platform": "x", "handle": "@"})

    assert response.status_code == 200
    assert "An account needs a handle." in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_follower_page_is_refused_to_members(client: Any) -> None:
    client.force_login(make_member())

    assert client.get(reverse("outreach:followers")).status_code == 403
    assert (
        client.post(
            reverse("outreach:account_add"), {"platform": "x", "handle": "Mine"}
        ).status_code
        == 403
    )
    assert not SocialAccount.objects.exists()


def test_organizer_records_a_follower_count_and_sees_it_listed(client: Any) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    account = SocialAccount.objects.create(platform="x", handle="ExampleNet")
    client.force_login(organizer)

    response = client.post(
        reverse("outreach:followers"),
        {"account": account.pk, "date": "2024-03-01", "followers": "12345"},
        follow=True,
    )

    html = response.content.decode()
    assert "Saved: 12,345 followers on 2024-03-01." in html
    assert list(FollowerSnapshot.objects.values_list("date", "followers")) == [
        (date(2024, 3, 1), 12345)
    ]
    assert client.get(reverse("outreach:followers")).status_code == 200


def test_follower_count_from_the_future_is_refused_on_the_page(client: Any) -> None:
    client.force_login(make_member(display_name="Olu Organizer", role=Role.ORGANIZER))
    account = SocialAccount.objects.create(platform="x", handle="ExampleNet")
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(
        reverse("outreach:followers"),
        {"account": account.pk, "date": tomorrow.isoformat(), "followers": "10"},
    )

    assert response.status_code == 200
    assert "A follower count cannot be from the future." in response.content.decode()
    assert not FollowerSnapshot.objects.exists()


def test_adding_a_known_account_says_it_is_already_here(client: Any) -> None:
    client.force_login(make_member(display_name="Olu Organizer", role=Role.ORGANIZER))
    SocialAccount.objects.create(platform="x", handle="ExampleNet")

    response = client.post(
        reverse("outreach:account_add"), {"platform": "x", "handle": "examplenet"}, follow=True
    )

    assert "@ExampleNet (X (Twitter)) is already here." in response.content.decode()
    assert SocialAccount.objects.count() == 1


def test_account_on_an_unknown_platform_is_refused_on_the_page(client: Any) -> None:
    client.force_login(make_member(display_name="Olu Organizer", role=Role.ORGANIZER))

    response = client.post(
        reverse("outreach:account_add"), {"platform": "myspace", "handle": "Net"}
    )

    assert response.status_code == 200
    assert "Select a valid choice. myspace is not one of the available choices." in (
        response.content.decode()
    )
    assert not SocialAccount.objects.exists()
