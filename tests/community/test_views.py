from __future__ import annotations

import pytest
from django.test import Client

from hemonc.community.services import spaces as services
from tests.community.conftest import World


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def posted(world: World):  # type: ignore[no-untyped-def]
    return services.discussion_create(
        actor=world.fellow, space=world.trainees, title="Night float survival", body="Tips?"
    )


def test_pages_render_for_a_trainee(world: World, posted) -> None:  # type: ignore[no-untyped-def]
    client = _client(world.fellow)
    for url in (
        "/community/",
        "/community/s/trainees/",
        posted.get_absolute_url(),
        "/community/search/?q=night",
        "/community/notifications/",
        "/community/notifications/settings/",
        "/community/s/trainees/new/",
        f"{posted.get_absolute_url()}edit/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Night float survival" in client.get("/community/search/?q=night").text


def test_reply_flow(world: World, posted) -> None:  # type: ignore[no-untyped-def]
    client = _client(world.student)
    response = client.post(f"{posted.get_absolute_url()}reply/", {"body": "Sleep when you can"})
    assert response.status_code == 302
    page = client.get(posted.get_absolute_url()).text
    assert "Sleep when you can" in page
    assert "1 reply" in page
