"""A post of the publishing desk is reported by those who see it on the desk, through a case;
hidden, it cannot be sent for review, approved, scheduled or published until restored."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hemonc.core.errors import DomainError
from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.moderation import services
from hemonc.moderation.models import Case, Decision, Outcome, Reason
from hemonc.outreach.desk import services as desk
from hemonc.outreach.enums import DeskState
from hemonc.outreach.models import DeskPost, SocialAccount
from tests.factories import make_member

pytestmark = pytest.mark.django_db

IDENTIFIER = "Our patient Mrs. Alvarez, DOB 3/14/1961, is in remission after CAR-T."


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def organizer():  # type: ignore[no-untyped-def]
    return make_member(display_name="Olu Organizer", role=Role.ORGANIZER)


@pytest.fixture
def moderator():  # type: ignore[no-untyped-def]
    return make_member(display_name="Mo Moderator", role=Role.MODERATOR)


@pytest.fixture
def second_moderator():  # type: ignore[no-untyped-def]
    return make_member(display_name="Sam Second", role=Role.MODERATOR)


@pytest.fixture
def account() -> SocialAccount:
    return SocialAccount.objects.create(
        platform="bluesky",
        handle="hemoncnet.bsky.social",
        service="https://bluesky.example",
        secret="app-password",
        active=True,
        time_zone="UTC",
    )


@pytest.fixture
def draft(member, account):  # type: ignore[no-untyped-def]
    """A member's post, sent for review."""
    post = desk.post_create(actor=member, text="Join our myeloma session", accounts=[account])
    return desk.post_submit(post=post, actor=member)


def _report(reporter, post, reason=Reason.SPAM):  # type: ignore[no-untyped-def]
    return services.report_create(
        reporter=reporter, item_type="outreach.deskpost", item_id=str(post.pk), reason=reason
    )


def _page(user, post) -> str:  # type: ignore[no-untyped-def]
    return _client(user).get(reverse("outreach:desk_post", args=[post.pk])).content.decode()


def test_only_those_who_see_the_desk_post_report_it(draft, member, other_member, organizer):
    url = reverse("moderation:report", args=["outreach.deskpost", draft.pk])
    assert url in _page(organizer, draft)
    assert reverse("outreach:desk_approve", args=[draft.pk]) in _page(organizer, draft)
    assert url not in _page(member, draft)  # its author
    assert _client(other_member).get(url).status_code == 404
    with pytest.raises(DomainError, match="no longer exists"):
        _report(other_member, draft)
    assert "Report a post draft" in _client(organizer).get(url).content.decode()


def test_a_hidden_post_goes_no_further_until_an_appeal_restores_it(
    draft, member, organizer, moderator, second_moderator
):
    _report(organizer, draft)
    case = Case.objects.get()
    assert case.author_id == member.pk
    services.case_decide(case=case, actor=moderator, outcome=Outcome.HIDDEN, reason="Off-brand")
    with pytest.raises(DomainError, match="moderators hid this post"):
        desk.post_approve(post=draft, actor=organizer)
    page = _page(organizer, draft)
    assert "Hidden by moderators" in page and "Join our myeloma session" not in page
    assert reverse("outreach:desk_approve", args=[draft.pk]) not in page
    edit = _client(organizer).get(reverse("outreach:desk_edit", args=[draft.pk]))
    assert edit.status_code == 302 and "Join our myeloma" not in edit.content.decode()
    own = _page(member, draft)
    assert "Join our myeloma session" in own and "See why, and appeal" in own
    assert "Off-brand" in _client(member).get(reverse("moderation:notices")).content.decode()
    mine = _client(organizer).get(reverse("moderation:my_reports")).content.decode()
    assert "Reviewed: the moderators acted on it" in mine and "Off-brand" not in mine
    appeal = services.appeal_create(case=case, author=member, text="It is on-brand")
    services.appeal_decide(appeal=appeal, actor=second_moderator, upheld=False, answer="Agreed")
    approved = desk.post_approve(post=draft, actor=organizer)
    assert approved.state == DeskState.APPROVED


def test_hiding_a_scheduled_post_takes_it_off_the_schedule(draft, organizer, moderator):
    desk.post_approve(post=draft, actor=OPERATOR)
    desk.post_schedule(post=draft, actor=organizer, when=timezone.now() + timedelta(days=2))
    _report(organizer, draft)
    services.case_decide(
        case=Case.objects.get(), actor=moderator, outcome=Outcome.HIDDEN, reason="x"
    )
    post = DeskPost.objects.get(pk=draft.pk)
    assert post.state == DeskState.APPROVED and post.release_at is None
    assert not post.parts.exists()
    with pytest.raises(DomainError, match="moderators hid this post"):
        desk.post_schedule(post=post, actor=organizer)


def test_a_patient_data_report_hides_it_at_once_and_the_edit_sends_it_back_to_review(
    member, account, organizer, moderator, dummy_tasks
):
    post = desk.post_create(actor=member, text=IDENTIFIER, accounts=[account], phi_attested=True)
    desk.post_submit(post=post, actor=member)
    desk.post_approve(post=post, actor=OPERATOR)
    _report(organizer, post, reason=Reason.PATIENT_DATA)
    post.refresh_from_db()
    assert post.hidden and "Mrs. Alvarez" not in _page(organizer, post)
    case = Case.objects.get()
    detail = _client(moderator).get(reverse("moderation:case", args=[case.pk])).content.decode()
    assert "Mrs. Alvarez" in detail
    decision = services.case_decide(
        case=case,
        actor=moderator,
        outcome=Outcome.REDACTED,
        reason="A name and a date of birth.",
        text="A patient of ours is in remission after CAR-T.",
    )
    post = DeskPost.objects.get(pk=post.pk)
    assert not post.hidden and post.text.startswith("A patient of ours")
    # Its approval was for the old text: it is in review again.
    assert post.state == DeskState.IN_REVIEW and not post.approvals.exists()
    assert "A patient of ours" in _page(organizer, post)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert services.original_purge(decision_id=decision.pk)
    assert Decision.objects.get(pk=decision.pk).original == ""
