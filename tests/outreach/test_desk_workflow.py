"""The desk's workflow: draft → in review → approved → scheduled, who may take each step, the
PHI guard and the case attestation, images, the undo window."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.outreach.desk import services
from hemonc.outreach.models import SocialAccount
from tests.factories import make_member
from tests.outreach.desk_support import approved, organizer

pytestmark = pytest.mark.django_db

CLEAN = "Our journal club on Thursday reads the ASCERTAIN trial. Join us! #hemetwitter"
PHI = "Case: 54-year-old woman, DOB 03/14/1962, MRN 12345678, presented with fatigue."
CASE = "Case: a woman in her fifties with fatigue and a low platelet count. What next? #MedEd"


@pytest.fixture
def accounts() -> list[SocialAccount]:
    return [
        services.account_save(
            platform="bluesky",
            handle="hemonc.bsky.social",
            service="https://bsky.example",
            secret="app-password",
            actor=OPERATOR,
        )[0],
        services.account_save(
            platform="mastodon",
            handle="@hemonc@mastodon.example",
            service="https://mastodon.example/",
            secret="token",
            actor=OPERATOR,
        )[0],
    ]


def test_a_member_writes_and_submits_but_only_an_organizer_approves(accounts: Any) -> None:
    author = make_member(display_name="Tess Trainee")
    post = services.post_create(actor=author, text=CLEAN, accounts=accounts, kind="journal_club")
    assert (post.state, post.author) == ("draft", author)

    post = services.post_submit(post=post, actor=author)
    assert post.state == "in_review"
    with pytest.raises(PermissionDenied, match="Only an organizer"):
        services.post_approve(post=post, actor=author)
    with pytest.raises(PermissionDenied):
        services.post_schedule(post=post, actor=author)

    post = services.post_approve(post=post, actor=organizer())
    assert post.state == "approved"
    assert [a.approver for a in post.approvals.all()] != [author]
    assert AuditEntry.objects.filter(action="outreach.desk_approve").count() == 1


def test_another_member_cannot_change_a_post_and_the_author_cannot_once_approved(
    accounts: Any,
) -> None:
    author = make_member(display_name="Tess Trainee")
    stranger = make_member(display_name="Sam Stranger")
    post = services.post_create(actor=author, text=CLEAN, accounts=accounts)
    with pytest.raises(PermissionDenied):
        services.post_update(post=post, actor=stranger, text="Mine now.")
    post = services.post_submit(post=post, actor=author)
    post = services.post_approve(post=post, actor=organizer())
    with pytest.raises(DomainError, match="Only an organizer"):
        services.post_update(post=post, actor=author, text=CLEAN + " Edited.")


def test_the_second_approver_setting_wants_an_organizer_who_is_not_the_author(
    accounts: Any, settings: Any
) -> None:
    settings.OUTREACH_SECOND_APPROVER = True
    author = organizer("Olu Author")
    post = services.post_create(actor=author, text=CLEAN, accounts=accounts)
    post = services.post_submit(post=post, actor=author)

    with pytest.raises(DomainError, match="second organizer"):
        services.post_approve(post=post, actor=author)
    assert post.approvals.count() == 0

    post = services.post_approve(post=post, actor=organizer("Ngozi Second"))
    assert post.state == "approved"

    settings.OUTREACH_SECOND_APPROVER = False
    own = services.post_submit(
        post=services.post_create(actor=author, text=CLEAN, accounts=accounts), actor=author
    )
    assert services.post_approve(post=own, actor=author).state == "approved"


@pytest.mark.parametrize("scheduled", [False, True])
def test_editing_an_approved_or_scheduled_post_sends_it_back_to_review(
    accounts: Any, scheduled: bool
) -> None:
    post = approved(CLEAN, accounts)
    if scheduled:
        post = services.post_schedule(
            post=post, actor=OPERATOR, when=timezone.now() + timedelta(days=1)
        )
    boss = organizer()

    post = services.post_update(post=post, actor=boss, text=CLEAN + " Room 4B.")

    assert (post.state, post.scheduled_at, post.release_at) == ("in_review", None, None)
    assert post.approvals.count() == 0
    assert services.post_update(post=post, actor=boss, text=CLEAN + " Room 4B.").state == (
        "in_review"
    )  # nothing changed, nothing happens
    assert services.post_approve(post=post, actor=boss).state == "approved"


def test_a_text_that_may_identify_a_patient_needs_the_attestation(accounts: Any) -> None:
    author = organizer()
    with pytest.raises(DomainError, match="may identify a patient"):
        services.post_create(actor=author, text=PHI, accounts=accounts)

    post = services.post_create(actor=author, text=PHI, accounts=accounts, phi_attested=True)

    assert post.phi_attested_by == author
    [entry] = AuditEntry.objects.filter(action="phi.attest")
    assert {f["kind"] for f in entry.changes["findings"]} == {"date", "mrn"}
    assert "03/14/1962" not in str(entry.changes)
    # Fixed: the attestation is no longer needed, and no longer kept.
    post = services.post_update(post=post, actor=author, text=CLEAN)
    assert post.phi_attested_at is None


def test_a_case_post_always_needs_the_attestation(accounts: Any) -> None:
    author = organizer()
    with pytest.raises(DomainError, match="case post needs the attestation"):
        services.post_create(actor=author, text=CASE, accounts=accounts, kind="case")

    post = services.post_create(
        actor=author, text=CASE, accounts=accounts, kind="case", phi_attested=True
    )
    assert post.phi_attested_at is not None
    with pytest.raises(DomainError, match="case post needs the attestation"):
        services.post_update(post=post, actor=author, text=CASE + " Answers tomorrow.")
    # An announcement that becomes a case post is asked too.
    other = services.post_create(actor=author, text=CLEAN, accounts=accounts)
    with pytest.raises(DomainError, match="case post needs the attestation"):
        services.post_update(post=other, actor=author, kind="case")


def test_the_kind_asks_for_its_details(accounts: Any) -> None:
    author = organizer()
    coverage = services.post_create(
        actor=author, text="Day 1 at #ASH25: plenary next.", accounts=accounts, kind="live_coverage"
    )
    with pytest.raises(DomainError, match="conference tag"):
        services.post_submit(post=coverage, actor=author)
    services.post_update(post=coverage, actor=author, conference_tag="#ASH25")
    coverage.refresh_from_db()
    assert coverage.conference_tag == "ASH25"
    assert services.post_submit(post=coverage, actor=author).state == "in_review"

    session = services.post_create(
        actor=author, text="Live tonight!", accounts=accounts, kind="session"
    )
    with pytest.raises(DomainError, match="live session"):
        services.post_submit(post=session, actor=author)


def test_a_word_longer_than_a_post_is_named(accounts: Any) -> None:
    author = organizer()
    word = "a" * 320
    post = services.post_create(actor=author, text=f"Look: {word}", accounts=accounts)
    with pytest.raises(DomainError, match="Bluesky") as error:
        services.post_submit(post=post, actor=author)
    assert "aaaa" in str(error.value)


def test_images_need_alt_text_and_a_size_every_platform_takes(accounts: Any) -> None:
    author = organizer()
    post = services.post_create(actor=author, text=CLEAN, accounts=accounts)
    with pytest.raises(DomainError, match="alt text"):
        services.image_add(post=post, actor=author, data=b"\x89PNG", mime="image/png", alt=" ")
    with pytest.raises(DomainError, match=r"Bluesky takes images of at most 1\.0 MB"):
        services.image_add(
            post=post,
            actor=author,
            data=b"\xff" * 1_200_000,
            mime="image/jpeg",
            alt="A blood smear",
            name="smear.jpg",
        )
    with pytest.raises(DomainError, match="JPEG, PNG"):
        services.image_add(post=post, actor=author, data=b"%PDF", mime="application/pdf", alt="x")
    image = services.image_add(
        post=post,
        actor=author,
        data=b"\x89PNG" * 10,
        mime="image/png",
        alt="A blood smear",
        phi_attested=True,
    )
    assert (image.position, image.alt) == (1, "A blood smear")


def test_scheduling_now_can_be_undone_for_the_undo_window(accounts: Any) -> None:
    post = approved(CLEAN, accounts)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post = services.post_schedule(post=post, actor=OPERATOR)
    assert post.state == "scheduled"
    assert post.release_at == start + timedelta(seconds=60)

    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        post = services.post_cancel(post=post, actor=OPERATOR)
    assert (post.state, post.scheduled_at) == ("approved", None)

    with time_machine.travel(start, tick=False):
        post = services.post_schedule(post=post, actor=OPERATOR)
    with (
        time_machine.travel(start + timedelta(seconds=61), tick=False),
        pytest.raises(DomainError, match="Too late"),
    ):
        services.post_cancel(post=post, actor=OPERATOR)


def test_a_time_in_the_past_is_refused_and_a_later_time_is_kept(accounts: Any) -> None:
    post = approved(CLEAN, accounts)
    with pytest.raises(DomainError, match="future"):
        services.post_schedule(post=post, actor=OPERATOR, when=timezone.now() - timedelta(hours=1))
    later = timezone.now() + timedelta(days=3)
    post = services.post_schedule(post=post, actor=OPERATOR, when=later)
    assert post.scheduled_at == post.release_at == later


def test_an_account_without_credentials_cannot_be_scheduled(accounts: Any) -> None:
    imported = SocialAccount.objects.create(platform="x", handle="ExampleNet")
    post = approved(CLEAN, [*accounts, imported])
    with pytest.raises(DomainError, match="cannot publish from @ExampleNet"):
        services.post_schedule(post=post, actor=OPERATOR)


def test_account_save_adds_then_updates_and_keeps_the_secret_encrypted(accounts: Any) -> None:
    from django.db import connection

    account, created = services.account_save(
        platform="bluesky",
        handle="@HemOnc.bsky.social",
        service="https://pds.example",
        secret="new-password",
        actor=OPERATOR,
        time_zone="America/New_York",
    )
    assert not created
    assert (account.pk, account.service, account.time_zone) == (
        accounts[0].pk,
        "https://pds.example",
        "America/New_York",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM outreach_socialaccount WHERE id = %s", [account.pk])
        [raw] = cursor.fetchone()
    assert "new-password" not in raw
    assert SocialAccount.objects.get(pk=account.pk).secret == "new-password"
    with pytest.raises(DomainError, match="time zone"):
        services.account_save(
            platform="x",
            handle="hemonc",
            service="https://api.x.com",
            secret="t",
            actor=OPERATOR,
            time_zone="Mars/Olympus",
        )


def test_an_image_needs_the_attestation_from_every_caller_as_in_the_form(accounts: Any) -> None:
    author = organizer()
    post = services.post_create(actor=author, text=CLEAN, accounts=accounts)
    png = b"\x89PNG\r\n\x1a\n" * 10

    with pytest.raises(DomainError, match="A post with images needs the attestation"):
        services.image_add(post=post, actor=author, data=png, mime="image/png", alt="A smear")
    assert post.images.count() == 0

    services.image_add(
        post=post, actor=author, data=png, mime="image/png", alt="A smear", phi_attested=True
    )
    post.refresh_from_db()
    assert post.phi_attested_at is not None and post.phi_attested_by == author
    # A changed text of a post with images is attested again, as a case post's is.
    with pytest.raises(DomainError, match="A post with images needs the attestation"):
        services.post_update(post=post, actor=author, text=CLEAN + " Room 4.")
    services.post_update(post=post, actor=author, text=CLEAN + " Room 4.", phi_attested=True)
    post.refresh_from_db()
    assert post.phi_attested_at is not None
    assert not services.phi_pending(post)
    # Attested images taken out of the record (an admin, a script) hold the post back.
    type(post).objects.filter(pk=post.pk).update(phi_attested_at=None)
    post.refresh_from_db()
    assert services.phi_pending(post)
    services.post_submit(post=post, actor=author)
    with pytest.raises(DomainError, match="nobody attested"):
        services.post_approve(post=post, actor=OPERATOR)
