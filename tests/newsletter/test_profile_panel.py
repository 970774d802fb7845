import pytest
from django.urls import reverse

from hemonc.newsletter.selectors import subscriber_for_member

pytestmark = pytest.mark.django_db


def test_member_subscribes_from_the_profile_page_in_one_click(client, member):
    client.force_login(member)
    page = client.get(reverse("members:profile_edit")).content.decode()
    assert "Subscribe in one click" in page

    response = client.post(
        reverse("newsletter:subscribe_member"), {"next": reverse("members:profile_edit")}
    )

    assert response.url == reverse("members:profile_edit")
    assert subscriber_for_member(user_id=member.pk).status == "subscribed"
    again = client.get(reverse("members:profile_edit")).content.decode()
    assert f"You receive the newsletter at <strong>{member.email}</strong>" in again


def test_one_click_subscribe_never_redirects_off_site(client, member):
    client.force_login(member)
    response = client.post(
        reverse("newsletter:subscribe_member"), {"next": "https://evil.example/phish"}
    )
    assert response.url == reverse("newsletter:home")


@pytest.mark.parametrize("next_url", ["²³", "members:profile_edit", "home", "a\x00b", "x" * 10_000])
def test_one_click_subscribe_reads_next_only_as_a_path(client, member, next_url):
    client.force_login(member)

    response = client.post(reverse("newsletter:subscribe_member"), {"next": next_url})

    assert response.status_code == 302
    assert response.url == reverse("newsletter:home")
    assert subscriber_for_member(user_id=member.pk).status == "subscribed"
