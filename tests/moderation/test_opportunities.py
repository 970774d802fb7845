"""An opportunity on the board is reported through a case; hidden, it leaves the board, the
archive, saved lists, the nomination form, digests and reminders until restored."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hemonc.community import selectors
from hemonc.community.digest_content import OpportunitySource
from hemonc.community.models import Opportunity
from hemonc.community.services import opportunities as opportunity_services
from hemonc.core.errors import DomainError
from hemonc.members.enums import Role
from hemonc.moderation import services
from hemonc.moderation.models import Case, Decision, Outcome, Reason
from tests.factories import make_member

pytestmark = pytest.mark.django_db

IDENTIFIER = "Ask Mrs. Alvarez (DOB 3/14/1961, MRN 4471023) how it went for her."


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def moderator():  # type: ignore[no-untyped-def]
    return make_member(display_name="Mo Moderator", role=Role.MODERATOR)


@pytest.fixture
def second_moderator():  # type: ignore[no-untyped-def]
    return make_member(display_name="Sam Second", role=Role.MODERATOR)


@pytest.fixture
def opportunity(member):  # type: ignore[no-untyped-def]
    """Suggested by `member`, approved by an organizer: on the board."""
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    suggestion = opportunity_services.opportunity_suggest(
        actor=member,
        title="Leukemia research grant",
        kind="funding",
        organization="Northern Lights Fund",
        deadline=timezone.now() + timedelta(days=30),
        time_zone="UTC",
        url="https://example.org/grant",
        summary="Two years of funding for fellows.",
        how_to_apply=IDENTIFIER,
        phi_attested=True,
    )
    return opportunity_services.opportunity_approve(opportunity=suggestion, actor=organizer)


def _report(reporter, opportunity, reason=Reason.SPAM):  # type: ignore[no-untyped-def]
    return services.report_create(
        reporter=reporter,
        item_type="community.opportunity",
        item_id=str(opportunity.pk),
        reason=reason,
    )


def _on_board(user, opportunity) -> bool:  # type: ignore[no-untyped-def]
    board = _client(user).get(reverse("community:opportunities")).content.decode()
    return opportunity.get_absolute_url() in board


def test_the_opportunity_and_its_card_have_a_report_link_for_others_only(
    opportunity, member, other_member
):
    url = reverse("moderation:report", args=["community.opportunity", opportunity.pk])
    assert url in _client(other_member).get(opportunity.get_absolute_url()).content.decode()
    board = _client(other_member).get(reverse("community:opportunities")).content.decode()
    assert url in board
    assert url not in _client(member).get(opportunity.get_absolute_url()).content.decode()
    assert "Report an opportunity" in _client(other_member).get(url).content.decode()


def test_a_hidden_opportunity_leaves_the_board_until_an_appeal_restores_it(
    opportunity, member, other_member, moderator, second_moderator
):
    opportunity_services.opportunity_save(
        opportunity=opportunity, user=other_member, actor=other_member
    )
    _report(other_member, opportunity)
    case = Case.objects.get()
    assert case.author_id == member.pk
    services.case_decide(case=case, actor=moderator, outcome=Outcome.HIDDEN, reason="An advert")
    opportunity.refresh_from_db()
    assert opportunity.hidden
    assert not _on_board(other_member, opportunity)
    assert client_status(other_member, opportunity.get_absolute_url()) == 404
    assert opportunity not in selectors.opportunities_saved(user=other_member)
    assert opportunity not in selectors.opportunities_open()
    with pytest.raises(DomainError, match="not on the board"):
        opportunity_services.opportunity_save(
            opportunity=opportunity, user=moderator, actor=moderator
        )
    # The author reads why on the page and on their notices; the reporter, the outcome.
    page = _client(member).get(opportunity.get_absolute_url()).content.decode()
    assert "The moderators hid this opportunity" in page
    assert "An advert" in _client(member).get(reverse("moderation:notices")).content.decode()
    mine = _client(other_member).get(reverse("moderation:my_reports")).content.decode()
    assert "Reviewed: the moderators acted on it" in mine and "An advert" not in mine
    appeal = services.appeal_create(case=case, author=member, text="A real grant")
    services.appeal_decide(appeal=appeal, actor=second_moderator, upheld=False, answer="Yes")
    assert _on_board(other_member, opportunity)


def test_a_hidden_opportunity_is_in_no_digest_and_no_reminder(opportunity, other_member, moderator):
    opportunity_services.opportunity_save(
        opportunity=opportunity, user=other_member, actor=other_member
    )
    _report(other_member, opportunity)
    services.case_decide(
        case=Case.objects.get(), actor=moderator, outcome=Outcome.HIDDEN, reason="x"
    )
    source = OpportunitySource()
    now = timezone.now()
    source.prepare(since=now - timedelta(days=7), until=now)
    assert source.rows == []
    opportunity.refresh_from_db()
    run = opportunity_services.opportunity_send_reminders(
        opportunity=opportunity,
        kind="day",
        deadline=opportunity.deadline,
        now=opportunity.deadline - timedelta(hours=20),
    )
    assert (run.sent, run.skipped_reason) == (0, "not on the board")


def test_a_patient_data_report_hides_it_then_the_edit_brings_it_back(
    opportunity, other_member, moderator, dummy_tasks
):
    _report(other_member, opportunity, reason=Reason.PATIENT_DATA)
    opportunity.refresh_from_db()
    assert opportunity.hidden and not _on_board(other_member, opportunity)
    case = Case.objects.get()
    detail = _client(moderator).get(reverse("moderation:case", args=[case.pk])).content.decode()
    assert "MRN 4471023" in detail
    text = "Two years of funding for fellows.\n\nApply with a CV and a letter."
    decision = services.case_decide(
        case=case, actor=moderator, outcome=Outcome.REDACTED, reason="A patient", text=text
    )
    opportunity = Opportunity.objects.get(pk=opportunity.pk)
    assert not opportunity.hidden and _on_board(other_member, opportunity)
    assert opportunity.summary == "Two years of funding for fellows."
    assert opportunity.how_to_apply == "Apply with a CV and a letter."
    page = _client(other_member).get(opportunity.get_absolute_url()).content.decode()
    assert "Mrs. Alvarez" not in page and "Apply with a CV" in page
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert services.original_purge(decision_id=decision.pk)
    assert Decision.objects.get(pk=decision.pk).original == ""


def client_status(user, url: str) -> int:  # type: ignore[no-untyped-def]
    return _client(user).get(url).status_code
