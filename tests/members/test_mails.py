"""Account mails: a sign-up confirmation quotes nothing the requester chose."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.mailcheck import ATTACK_LINK


@pytest.mark.django_db
def test_signup_confirmation_does_not_quote_the_chosen_name(
    client: Any, mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    form = {
        "email": "victim@example.org",
        "display_name": f"{ATTACK_LINK} call +1 555 0100",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), form)

    (message,) = mailbox.wait_for(1)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert message["To"] == "victim@example.org"
    assert "/accounts/confirm-email/" in body
    for part in (body, str(message["Subject"])):
        assert "evil.example" not in part and "555 0100" not in part
    assert message["Auto-Submitted"] == "auto-generated"


@pytest.mark.django_db
def test_account_mails_greet_from_the_network_by_name(
    client: Any, mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    form = {
        "email": "new.member@example.org",
        "display_name": "New Member",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), form)

    (message,) = mailbox.wait_for(1)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Hello from the Hem-Onc Network!")
    assert "Thank you for using the Hem-Onc Network!" in body
    assert "from !" not in body and "using !" not in body
