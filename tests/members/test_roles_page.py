"""The organizers' console and its roles page: who holds which role, given and taken by name."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hemonc.members.enums import Role
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer_client() -> Client:
    client = Client()
    client.force_login(make_member(display_name="Olu Organizer", role=Role.ORGANIZER))
    return client


def test_the_console_gathers_every_apps_everyday_pages(organizer_client: Client) -> None:
    page = organizer_client.get("/organize/").content.decode()
    for heading, link in [
        ("Members", "/organize/roles/"),
        ("Live sessions", "/sessions/seasons/"),
        ("Newsletter", "/newsletter/manage/"),
        ("Mentorship", "/mentorship/programs/"),
        ("Analytics", "/analytics/report/"),
    ]:
        assert f">{heading}</h2>" in page, heading
        assert f'href="{link}"' in page, link
    assert 'href="/admin/"' in page  # the stock admin, for rare fixes
    assert "Needs you" in page and "Nothing waits for you right now." in page
    # The main navigation's "Organize" leads here, for organizers only.
    assert re.search(r'<a href="/organize/"\s+aria-current="page">Organize</a>', page)
    member = Client()
    member.force_login(make_member(display_name="Ana Member"))
    assert "/organize/" not in member.get("/").content.decode()


def test_an_organizer_gives_and_takes_a_role_by_name(organizer_client: Client) -> None:
    ana = make_member(display_name="Ana <i>Lopez</i>")
    response = organizer_client.post(
        "/organize/roles/grant/", {"member": str(ana.pk), "role": "moderator"}, follow=True
    )
    page = response.content.decode()
    assert "Ana &lt;i&gt;Lopez&lt;/i&gt; is now a moderator." in page
    assert "Moderators (1)" in page and "Organizers (1)" in page
    ana.refresh_from_db()
    assert ana.has_role(Role.MODERATOR)

    response = organizer_client.post(f"/organize/roles/{ana.pk}/moderator/revoke/", follow=True)
    assert "is no longer a moderator." in response.content.decode()
    ana.__dict__.pop("_role_cache", None)
    assert not ana.has_role(Role.MODERATOR)


def test_a_refused_change_says_why_and_a_bad_form_keeps_the_page(
    organizer_client: Client,
) -> None:
    other = make_member(display_name="Oda Organizer", role=Role.ORGANIZER)
    response = organizer_client.post(f"/organize/roles/{other.pk}/organizer/revoke/", follow=True)
    assert "Only a superuser changes the roles of organizers" in response.content.decode()
    assert other.has_role(Role.ORGANIZER)

    response = organizer_client.post("/organize/roles/grant/", {"role": "moderator"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert organizer_client.post(f"/organize/roles/{other.pk}/king/revoke/").status_code == 404
