"""Sign-in and account mail limits: per account and real client address, shared by processes."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse

from hemonc import settings as production
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
ATTACKER = "203.0.113.66"
MEMBER_HOME = "198.51.100.7"


@pytest.fixture
def limits(settings):  # type: ignore[no-untyped-def]
    """The production sign-in limits, behind one reverse proxy that every visitor comes through."""
    settings.ACCOUNT_RATE_LIMITS = production.ACCOUNT_RATE_LIMITS
    settings.TRUSTED_PROXIES = [PROXY]
    return settings


def _sign_in(client, email: str, password: str, *, via: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=via,
    )


def test_failed_sign_ins_from_elsewhere_do_not_lock_out_a_member_behind_a_proxy(
    client, member, limits
):
    others = [make_member(display_name=f"Other {n}") for n in range(3)]
    for attempt in range(14):
        target = member if attempt % 2 else others[attempt % 3]
        _sign_in(client, target.email, "wrong-password", via=ATTACKER)

    response = _sign_in(client, member.email, PASSWORD, via=MEMBER_HOME)

    assert "Too many failed login attempts" not in response.content.decode()
    assert client.session["_auth_user_id"] == str(member.pk)


def test_failed_sign_ins_are_still_limited_per_client_and_per_account(client, member, limits):
    others = [make_member(display_name=f"Other {n}") for n in range(3)]
    for attempt in range(10):
        _sign_in(client, others[attempt % 3].email, "wrong-password", via=ATTACKER)
    from_attacker = _sign_in(client, member.email, PASSWORD, via=ATTACKER)
    assert "Too many failed login attempts" in from_attacker.content.decode()

    for _ in range(5):
        _sign_in(client, member.email, "wrong-password", via="192.0.2.50")
    guessing = _sign_in(client, member.email, PASSWORD, via="192.0.2.50")
    assert "Too many failed login attempts" in guessing.content.decode()
    assert "_auth_user_id" not in client.session


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(client, member, settings):
    settings.ACCOUNT_RATE_LIMITS = production.ACCOUNT_RATE_LIMITS
    settings.TRUSTED_PROXIES = []
    for attempt in range(10):
        client.post(
            reverse("account_login"),
            {"login": f"nobody{attempt}@example.org", "password": "x"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}",  # made up by the client
        )

    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )

    assert "Too many failed login attempts" in response.content.decode()


def test_password_reset_mails_stay_within_the_limit_across_processes(
    client, member, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_RATE_LIMITS = production.ACCOUNT_RATE_LIMITS
    settings.TRUSTED_PROXIES = [PROXY]
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                    "LOCATION": "test_limits_cache"},
    }  # fmt: skip
    call_command("createcachetable", verbosity=0)
    for n in range(8):
        del caches["default"]  # each request meets a fresh cache client, as in another process
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("account_reset_password"),
                {"email": member.email},
                REMOTE_ADDR=PROXY,
                HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
            )

    assert len([m for m in mail.outbox if m.to == [member.email]]) == 3
