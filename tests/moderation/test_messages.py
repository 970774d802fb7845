"""A direct message is reported by a participant, through a case like every other item: the
moderators read it and the few around it, never the conversation; hiding it hides it from
the other participants."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hemonc.community.models import Message, Notification
from hemonc.community.selectors_messages import unread_total
from hemonc.community.services import messages as message_services
from hemonc.core.errors import DomainError
from hemonc.members.enums import Role
from hemonc.mentorship.models import Program, ProgramApplication
from hemonc.moderation import services
from hemonc.moderation.models import Case, Decision, Outcome, Reason
from tests.factories import make_member

pytestmark = pytest.mark.django_db

IDENTIFIER = "Mrs. Alvarez, DOB 3/14/1961, relapsed after R-CHOP x6."


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ana():  # type: ignore[no-untyped-def]
    return make_member(display_name="Ana Lopez", institution="North")


@pytest.fixture
def ben():  # type: ignore[no-untyped-def]
    return make_member(display_name="Ben Okafor")


@pytest.fixture
def cleo():  # type: ignore[no-untyped-def]
    return make_member(display_name="Cleo Nakamura")


@pytest.fixture
def moderator():  # type: ignore[no-untyped-def]
    return make_member(display_name="Mo Moderator", role=Role.MODERATOR, institution="South")


@pytest.fixture
def second_moderator():  # type: ignore[no-untyped-def]
    return make_member(display_name="Sam Second", role=Role.MODERATOR, institution="East")


@pytest.fixture
def conversation(ana, ben):  # type: ignore[no-untyped-def]
    """Ana and Ben (a program both applied to) wrote msg 0 to msg 14, turn about."""
    now = timezone.now()
    program = Program.objects.create(
        name="Spring",
        applications_open_at=now,
        applications_close_at=now + timedelta(days=9),
        matching_date=(now + timedelta(days=10)).date(),
    )
    ProgramApplication.objects.create(program=program, user=ana, role="mentee")
    ProgramApplication.objects.create(program=program, user=ben, role="mentor")
    conversation = message_services.conversation_start(actor=ana, recipients=[ben], body="msg 0")
    for number in range(1, 15):
        writer = ben if number % 2 == 0 else ana
        message_services.message_send(conversation=conversation, actor=writer, body=f"msg {number}")
    return conversation


def _message(body: str) -> Message:
    return Message.objects.get(body=body)


def _report_url(message: Message) -> str:
    return reverse("moderation:report", args=["community.message", message.pk])


def test_the_report_link_in_the_conversation_opens_the_moderation_report(conversation, ben):
    page = _client(ben).get(conversation.get_absolute_url()).content.decode()
    assert _report_url(_message("msg 7")) in page  # Ana's message
    assert _report_url(_message("msg 8")) not in page  # Ben's own
    assert "/community/messages/reports/" not in page


def test_only_a_participant_reports_a_message(conversation, ana, cleo, moderator):
    message = _message("msg 7")
    assert _client(cleo).get(_report_url(message)).status_code == 404
    assert _client(cleo).post(_report_url(message), {"reason": "spam"}).status_code == 404
    assert _client(moderator).get(_report_url(message)).status_code == 404
    with pytest.raises(DomainError, match="no longer exists"):
        services.report_create(
            reporter=cleo, item_type="community.message", item_id=str(message.pk), reason="spam"
        )
    with pytest.raises(DomainError, match="cannot report what you wrote"):
        services.report_create(
            reporter=ana, item_type="community.message", item_id=str(message.pk), reason="spam"
        )
    assert not Case.objects.exists()


def test_a_moderator_reads_the_message_and_its_context_only(conversation, ben, moderator):
    message = _message("msg 7")
    sent = _client(ben).post(_report_url(message), {"reason": "harassment", "note": "Rude"})
    assert sent["Location"] == f"{conversation.get_absolute_url()}#message-{message.pk}"
    case = Case.objects.get()
    assert (case.item_type, case.author_id) == ("community.message", message.sender_id)
    page = _client(moderator).get(reverse("moderation:case", args=[case.pk])).content.decode()
    shown = {f"msg {n}" for n in range(15) if f">msg {n}</p>" in page}
    assert shown == {f"msg {n}" for n in range(2, 13)}
    assert conversation.get_absolute_url() not in page
    # The conversation itself stays closed to the moderator.
    assert _client(moderator).get(conversation.get_absolute_url()).status_code == 404


def test_hiding_a_message_hides_it_from_the_others_until_an_appeal_restores_it(
    conversation, ana, ben, moderator, second_moderator
):
    message = _message("msg 7")
    services.report_create(
        reporter=ben, item_type="community.message", item_id=str(message.pk), reason="harassment"
    )
    case = services.case_claim(case=Case.objects.get(), actor=moderator)
    services.case_decide(case=case, actor=moderator, outcome=Outcome.HIDDEN, reason="Insults")
    for_ben = _client(ben).get(conversation.get_absolute_url()).content.decode()
    assert ">msg 7</p>" not in for_ben and "Hidden by moderators." in for_ben
    assert _report_url(message) not in for_ben
    for_ana = _client(ana).get(conversation.get_absolute_url()).content.decode()
    assert (
        ">msg 7</p>" in for_ana and "Hidden by moderators: the others no longer see it" in for_ana
    )
    # The reporter is told the outcome, the author why, and the author appeals once.
    (told_ben,) = Notification.objects.filter(recipient=ben, kind="moderation")
    assert told_ben.url == reverse("moderation:my_reports") and told_ben.actor is None
    (told_ana,) = Notification.objects.filter(recipient=ana, kind="moderation")
    assert told_ana.url == reverse("moderation:notices") and "Hidden" in told_ana.text
    assert "Mo Moderator" not in told_ana.text + told_ben.text
    mine = _client(ben).get(reverse("moderation:my_reports")).content.decode()
    assert "Reviewed: the moderators acted on it" in mine and "Insults" not in mine
    notices = _client(ana).get(reverse("moderation:notices")).content.decode()
    assert "Insults" in notices
    assert f"{conversation.get_absolute_url()}#message-{message.pk}" in notices
    appeal = services.appeal_create(case=case, author=ana, text="It was a joke between us")
    with pytest.raises(DomainError, match="once"):
        services.appeal_create(case=case, author=ana, text="Again")
    services.appeal_decide(appeal=appeal, actor=second_moderator, upheld=False, answer="Fair")
    assert Notification.objects.filter(recipient=ana, text__contains="appeal").exists()
    assert ">msg 7</p>" in _client(ben).get(conversation.get_absolute_url()).content.decode()


def test_a_hidden_message_raises_no_unread_count(conversation, ana, ben, moderator):
    _client(ben).get(conversation.get_absolute_url())  # read up to msg 14
    message_services.message_send(conversation=conversation, actor=ana, body=IDENTIFIER)
    assert unread_total(user=ben) == 1
    message = _message(IDENTIFIER)
    # Reported by Ben from the notification's page, before reading it: hidden at once.
    services.report_create(
        reporter=ben,
        item_type="community.message",
        item_id=str(message.pk),
        reason=Reason.PATIENT_DATA,
    )
    assert unread_total(user=ben) == 0


def test_a_patient_data_report_hides_the_message_then_the_edit_brings_it_back(
    conversation, ana, ben, moderator, dummy_tasks
):
    message = _message("msg 7")
    message.body = IDENTIFIER
    message.save()
    sent = _client(ben).post(_report_url(message), {"reason": Reason.PATIENT_DATA})
    assert sent["Location"].startswith(conversation.get_absolute_url())
    message.refresh_from_db()
    assert message.hidden
    assert "Mrs. Alvarez" not in _client(ben).get(conversation.get_absolute_url()).content.decode()
    case = Case.objects.get()
    assert case.patient_data and case.hidden_on_report
    decision = services.case_decide(
        case=case,
        actor=moderator,
        outcome=Outcome.REDACTED,
        reason="A name and a date of birth.",
        text="A patient relapsed after R-CHOP x6.",
    )
    page = _client(ben).get(conversation.get_absolute_url()).content.decode()
    assert "A patient relapsed after R-CHOP x6." in page and "Mrs. Alvarez" not in page
    assert decision.original == IDENTIFIER
    detail = _client(moderator).get(reverse("moderation:case", args=[case.pk])).content.decode()
    assert "Mrs. Alvarez" in detail  # kept for moderators, 30 days
    assert not services.original_purge(decision_id=decision.pk)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert services.original_purge(decision_id=decision.pk)
    assert Decision.objects.get(pk=decision.pk).original == ""
    detail = _client(moderator).get(reverse("moderation:case", args=[case.pk])).content.decode()
    assert "Mrs. Alvarez" not in detail
    mine = _client(ben).get(reverse("moderation:my_reports")).content.decode()
    assert "Reviewed: the item was edited" in mine


def test_a_suspension_for_a_message_stops_its_sender_writing(conversation, ana, ben, moderator):
    message = _message("msg 7")
    services.report_create(
        reporter=ben, item_type="community.message", item_id=str(message.pk), reason="harassment"
    )
    services.case_decide(
        case=Case.objects.get(), actor=moderator, outcome=Outcome.SUSPENDED, reason="x", days=3
    )
    answer = _client(ana).post(
        reverse("community:message_send", args=[conversation.pk]), {"body": "Again"}
    )
    assert answer["Location"] == reverse("moderation:notices")
    assert not Message.objects.filter(body="Again").exists()
