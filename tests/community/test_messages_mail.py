"""Mail about messages waiting unread: after an hour, once per wait, by the worker, if wanted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hemonc.community.models.messages import Message, Participant
from hemonc.community.services import messages as services
from hemonc.community.tasks import mail_unread_messages_task
from hemonc.core.permissions import OPERATOR
from hemonc.members.models import User
from hemonc.members.services import block_create
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Mail queued on commit goes out (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def ana(db) -> User:  # type: ignore[no-untyped-def]
    return make_member(display_name="Ana Lopez")


@pytest.fixture
def ben(db) -> User:  # type: ignore[no-untyped-def]
    return make_member(display_name="Ben Okafor")


def _age(conversation, minutes: int) -> None:  # type: ignore[no-untyped-def]
    """Make the conversation's messages `minutes` older (the clock moves on)."""
    for message in Message.objects.filter(conversation=conversation):
        Message.objects.filter(pk=message.pk).update(
            created_at=message.created_at - timedelta(minutes=minutes)
        )
    for participant in Participant.objects.filter(conversation=conversation):
        Participant.objects.filter(pk=participant.pk).update(
            last_read_at=participant.last_read_at
            and participant.last_read_at - timedelta(minutes=minutes),
            unread_mailed_at=participant.unread_mailed_at
            and participant.unread_mailed_at - timedelta(minutes=minutes),
        )


def _ben(conversation, ben) -> Participant:  # type: ignore[no-untyped-def]
    return Participant.objects.get(conversation=conversation, user=ben)


def test_a_message_waiting_an_hour_is_mailed_once_over_smtp(ana, ben, mailbox, sent):
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="Private words")
    participant = _ben(conversation, ben)
    # Not yet an hour: nothing.
    assert not services.unread_mail_send(participant_id=participant.pk, actor=OPERATOR)
    _age(conversation, 61)
    with sent():
        mail_unread_messages_task.enqueue(participant_id=participant.pk)
    (mail,) = mailbox.wait_for(1)
    assert mail["To"] == ben.email
    assert "Ana Lopez" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert conversation.get_absolute_url() in text
    assert "Private words" not in text  # the message itself stays on the site
    # The same wait is never mailed twice.
    assert not services.unread_mail_send(participant_id=participant.pk, actor=OPERATOR)
    assert len(mailbox.messages) == 1


def test_a_new_wait_after_reading_is_mailed_again(ana, ben, mailbox, sent):
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="One")
    services.conversation_accept(conversation=conversation, actor=ben)
    participant = _ben(conversation, ben)
    _age(conversation, 61)
    with sent():
        assert services.unread_mail_send(participant_id=participant.pk, actor=OPERATOR)
    services.conversation_mark_read(conversation=conversation, actor=ben)
    _age(conversation, 5)
    services.message_send(conversation=conversation, actor=ana, body="Two")
    _age(conversation, 61)
    with sent():
        assert services.unread_mail_send(participant_id=participant.pk, actor=OPERATOR)
    assert len(mailbox.wait_for(2)) == 2


def test_a_message_read_within_the_hour_is_not_mailed(ana, ben, mailbox):
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="One")
    _age(conversation, 30)
    client = Client()
    client.force_login(ben)
    client.get(conversation.get_absolute_url())
    _age(conversation, 40)
    assert not services.unread_mail_send(participant_id=_ben(conversation, ben).pk, actor=OPERATOR)
    assert mailbox.messages == []


def test_the_member_can_turn_the_mail_off(ana, ben, mailbox):
    client = Client()
    client.force_login(ben)
    client.post(reverse("community:message_settings"), {})
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="One")
    _age(conversation, 61)
    assert not services.unread_mail_send(participant_id=_ben(conversation, ben).pk, actor=OPERATOR)
    assert mailbox.messages == []


def test_a_blocked_senders_messages_are_not_mailed(ana, ben, mailbox):
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="One")
    block_create(blocker=ben, blocked=ana)
    _age(conversation, 61)
    assert not services.unread_mail_send(participant_id=_ben(conversation, ben).pk, actor=OPERATOR)


def test_sending_queues_the_mail_for_an_hour_later_once_per_wait(ana, ben, dummy_tasks, sent):
    with sent():
        conversation = services.conversation_start(actor=ana, recipients=[ben], body="One")
        services.conversation_accept(conversation=conversation, actor=ben)
        services.message_send(conversation=conversation, actor=ana, body="Two")
    queued = [r for r in dummy_tasks.results if r.task.name == "mail_unread_messages_task"]
    # One for Ben's wait (the second message joins it); none for Ana, who wrote.
    assert len(queued) == 1
    assert queued[0].kwargs == {"participant_id": _ben(conversation, ben).pk}
    assert queued[0].task.run_after >= timezone.now() + timedelta(minutes=59)


def test_a_hostile_name_stays_one_line_in_the_subject(ben, mailbox, sent):
    eve = make_member(display_name="Eve\r\nBcc: all@evil.example <script>")
    conversation = services.conversation_start(actor=eve, recipients=[ben], body="Hi")
    _age(conversation, 61)
    with sent():
        services.unread_mail_send(participant_id=_ben(conversation, ben).pk, actor=OPERATOR)
    (mail,) = mailbox.wait_for(1)
    assert mail["Bcc"] is None
    assert "\n" not in mail["Subject"]
    assert "<script>" not in mail.get_body(("html",)).get_content()
