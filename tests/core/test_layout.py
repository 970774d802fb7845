"""The site's frame: navigation marks the page shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hemonc.members.enums import Role
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_account_settings_mark_the_page_shown(client) -> None:
    client.force_login(make_member(display_name="Ana Lopez"))

    page = " ".join(client.get(reverse("account_email")).content.decode().split())

    assert f'<a href="{reverse("account_email")}" aria-current="page">Email</a>' in page
    assert page.count('aria-current="page"') == 1


def test_main_navigation_marks_the_console_and_the_profile(client) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    client.force_login(organizer)

    console = " ".join(client.get(reverse("console")).content.decode().split())
    profile = " ".join(
        client.get(reverse("members:profile", args=[organizer.pk])).content.decode().split()
    )

    assert f'<a href="{reverse("console")}" aria-current="page">Organize</a>' in console
    assert (
        f'<a href="{reverse("members:profile", args=[organizer.pk])}" aria-current="page">'
        "My profile</a>" in profile
    )


def test_the_header_says_what_waits_even_with_the_phone_menu_closed(client) -> None:
    from hemonc.community.services.messages import conversation_start
    from hemonc.community.services.notifications import notify

    ana = make_member(display_name="Ana Lopez")
    ben = make_member(display_name="Ben Okafor")
    conversation_start(actor=ana, recipients=[ben], body="Hello")
    notify(recipient=ben, kind="reply", text="A reply", url="/community/")
    notify(recipient=ben, kind="reply", text="Another", url="/community/")
    client.force_login(ben)

    page = " ".join(client.get(reverse("home")).content.decode().split())

    unread = '<span class="nav-count">{}<span class="visually-hidden"> unread</span></span>'
    # The request is a message and a notification too; the phone's menu button carries all.
    assert f"Menu {unread.format(4)} </button>" in page
    assert f"Messages {unread.format(1)}" in page
    assert f"Notifications</span> {unread.format(3)}" in page
    client.force_login(ana)
    assert "nav-count" not in client.get(reverse("home")).content.decode()


def test_the_reports_link_is_for_those_who_handle_cases(client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queue = f'href="{reverse("moderation:queue")}"'
    member = make_member(display_name="Ana Lopez")
    moderator = make_member(display_name="Mo Moderator", role=Role.MODERATOR)
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    admin = make_member(display_name="Sue Superuser")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    for user, shown in ((member, False), (moderator, True), (organizer, False), (admin, True)):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("community:spaces")).content.decode()
        assert (queue in page) is shown
        assert (queue in page) is user.has_perm("moderation.handle_case")
        assert not any("auth_permission" in query["sql"] for query in captured.captured_queries)
