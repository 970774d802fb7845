"""The newsletter's mails: the sign-up confirmation reveals and quotes nothing the requester
chose, and an issue goes out as valid mail whatever its subject holds."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import zlib
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.newsletter import services
from hemonc.newsletter.enums import ConsentSource, SubscriberStatus
from hemonc.newsletter.importers import Row
from hemonc.newsletter.models import ConsentText, Issue, Subscriber
from tests.factories import make_member
from tests.mailcheck import ATTACK_LINK, FORMULA, PIXEL, assert_carried_as_text, parts
from tests.newsletter.conftest import make_subscriber

SIGNUP = {
    "email": "victim@example.org",
    "name": ATTACK_LINK,
    "stage": "resident",
    "specialty": "internal_medicine",
    "country": "MX",
    "institution": "Hospital del Valle",
    "gender": "female",
    "consent": "on",
}


def _confirm_path(message: Any) -> str:
    text, _ = parts(message)
    return urlsplit(re.search(r"https?://\S+/newsletter/confirm/\S+/", text).group(0)).path  # type: ignore[union-attr]


def _decodings(token: str) -> str:
    """Everything a reader of the link could decode from it (base64 pieces, compressed)."""
    found = [token]
    for piece in re.split(r"[:.]", token):
        for candidate in (piece.lstrip("."), piece):
            try:
                raw = base64.urlsafe_b64decode(candidate + "=" * (-len(candidate) % 4))
            except (binascii.Error, ValueError):
                continue
            found.append(raw.decode("latin-1"))
            with contextlib.suppress(zlib.error):
                found.append(zlib.decompress(raw).decode("latin-1"))
    return "\n".join(found)


@pytest.mark.django_db
def test_confirmation_link_is_opaque_and_the_mail_quotes_no_chosen_name(
    client: Any, mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:home"), SIGNUP, REMOTE_ADDR="198.51.100.4")

    (message,) = mailbox.wait_for(1)
    text, html = parts(message)
    path = _confirm_path(message)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    revealed = _decodings(token)
    for secret in ("198.51.100.4", "evil.example", "Hospital", "resident", "female", '"MX"'):
        assert secret not in revealed
    assert message["To"] == "victim@example.org"
    for part in (text, html, str(message["Subject"])):
        assert "evil.example" not in part and "CONFIRM HERE" not in part
    assert message["Auto-Submitted"] == "auto-generated"
    # Nothing the requester typed is on the address's record before it is confirmed.
    assert (Subscriber.objects.get().name, Subscriber.objects.get().institution) == ("", "")

    client.post(path, REMOTE_ADDR="198.51.100.9")

    subscriber = Subscriber.objects.get()
    assert subscriber.status == "subscribed"
    assert (subscriber.name, subscriber.country, subscriber.stage) == (
        ATTACK_LINK,
        "MX",
        "resident",
    )
    assert subscriber.consent_ip == "198.51.100.9"
    # A link works once.
    assert "expired or is not valid" in client.get(path).content.decode()


@pytest.mark.django_db
def test_a_stranger_signing_up_an_existing_reader_changes_nothing_until_confirmed(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_subscriber("victim@example.org", name="Vic Tim", institution="Lagos University")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:home"), SIGNUP)

    subscriber = Subscriber.objects.get()
    assert (subscriber.name, subscriber.institution) == ("Vic Tim", "Lagos University")


@pytest.mark.django_db
def test_a_link_mailed_before_links_became_opaque_still_confirms(client: Any) -> None:
    subscriber = make_subscriber("old@example.org", status="pending")
    consent = ConsentText.objects.get(version=1)
    token = signing.dumps(
        {"s": subscriber.pk, "v": consent.version, "a": {"stage": "fellow"}, "ip": None},
        salt="newsletter.confirm",
        compress=True,
    )

    client.post(reverse("newsletter:confirm", args=[token]), REMOTE_ADDR="198.51.100.9")

    subscriber.refresh_from_db()
    assert (subscriber.status, subscriber.stage) == ("subscribed", "fellow")


def _send(issue: Issue) -> Issue:
    issue.phi_attested_at = timezone.now()
    issue.save()
    issue = services.issue_start_sending(issue=issue, actor=OPERATOR)
    run = services.outbox_send(issue=issue)
    assert run.sent == 1
    issue.refresh_from_db()
    return issue


@pytest.mark.django_db
def test_issue_stored_with_a_line_break_in_its_subject_is_sent_and_finishes(mailbox: Any) -> None:
    make_subscriber("reader@example.org")
    issue = services.issue_create(subject="Pre-ASH", body="Hello.", actor=OPERATOR)
    # A row written before subjects were kept to one line.
    Issue.objects.filter(pk=issue.pk).update(subject="Pre-ASH\r\nBcc: victim@example.org")
    issue.refresh_from_db()

    issue = _send(issue)

    (message,) = mailbox.wait_for(1)
    assert message["Subject"] == "Pre-ASH Bcc: victim@example.org"
    assert message["Bcc"] is None
    services.issue_finish_if_done(issue=issue)
    issue.refresh_from_db()
    assert issue.status == "sent"


@pytest.mark.django_db
def test_issue_headers_read_back_at_the_server(mailbox: Any) -> None:
    make_subscriber("reader@example.org")
    subject = "news - " + "x" * 70 + " é 🎉 ASH25 « " + "x" * 70 + " ASH25 🎉"
    issue = _send(services.issue_create(subject=subject, body="Hello.", actor=OPERATOR))

    (message,) = mailbox.wait_for(1)
    raw = dict(message.raw_items())
    assert "?q??=" not in raw["Subject"]
    assert message["Subject"] == subject
    assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000", raw["Date"])
    assert message["List-Id"].startswith("Hem-Onc Network newsletter <newsletter.")
    assert message["Message-ID"].startswith(f"<{issue.pk}.")


@pytest.mark.django_db
@pytest.mark.parametrize("value", [ATTACK_LINK, PIXEL, FORMULA])
def test_issue_subject_and_preheader_are_text_in_the_mail(mailbox: Any, value: str) -> None:
    make_subscriber("reader@example.org")
    _send(
        services.issue_create(
            subject=value, preheader=value, body="Hello.", actor=OPERATOR, phi_attested=True
        )
    )

    (message,) = mailbox.wait_for(1)
    assert message["Subject"] == value
    assert_carried_as_text(value, message)


def test_issue_forms_and_services_keep_subjects_on_one_line(db: Any) -> None:
    issue = services.issue_create(
        subject="Pre-ASH\nspecial\u2028issue",
        preheader="Five\r\nsessions",
        body="B",
        actor=OPERATOR,
    )
    assert (issue.subject, issue.preheader) == ("Pre-ASH special issue", "Five sessions")

    issue = services.issue_update(issue=issue, actor=OPERATOR, subject="New\tsubject\n")
    assert issue.subject == "New subject"


@pytest.mark.django_db
def test_test_send_of_an_issue_carries_its_subject_as_text(
    mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    issue = services.issue_create(
        subject=ATTACK_LINK, preheader=PIXEL, body="Hello.", actor=OPERATOR
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.issue_send_test(issue=issue, actor=organizer, to="olu@example.org")

    (message,) = mailbox.wait_for(1)
    assert message["Subject"] == f"[Test] {ATTACK_LINK}"
    assert_carried_as_text(ATTACK_LINK, message)
    assert_carried_as_text(PIXEL, message)


@pytest.mark.django_db
def test_imported_names_and_institutions_are_kept_to_one_line() -> None:
    make_subscriber("known@example.org")
    rows = [
        Row(
            file="list.csv",
            line=line,
            email=email,
            status=SubscriberStatus.SUBSCRIBED,
            consent_source=ConsentSource.IMPORT,
            consented_at=timezone.now(),
            name="Rosa\r\nDiaz",
            institution="Hospital\ndel Valle",
        )
        for line, email in ((2, "new@example.org"), (3, "known@example.org"))
    ]

    services.subscribers_import(rows=rows, actor=OPERATOR)

    for subscriber in Subscriber.objects.all():
        assert (subscriber.name, subscriber.institution) == ("Rosa Diaz", "Hospital del Valle")
