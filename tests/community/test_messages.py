"""Direct messages: requests, blocks, privacy, unread counts, the mentorship link (reports:
tests/moderation/test_messages.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hemonc.community import selectors_messages as selectors
from hemonc.community.models.messages import (
    Conversation,
    Message,
    Participant,
    ParticipantStatus,
)
from hemonc.community.services import messages as services
from hemonc.core.errors import DomainError
from hemonc.members.models import User
from hemonc.members.services import block_create
from hemonc.mentorship import services as mentorship_services
from hemonc.mentorship.models import MentorshipRequest, Program, ProgramApplication
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(db) -> User:  # type: ignore[no-untyped-def]
    return make_member(display_name="Ana Lopez")


@pytest.fixture
def ben(db) -> User:  # type: ignore[no-untyped-def]
    return make_member(display_name="Ben Okafor")


@pytest.fixture
def cleo(db) -> User:  # type: ignore[no-untyped-def]
    return make_member(display_name="Cleo Park")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _status(conversation: Conversation, user: User) -> str:
    return Participant.objects.get(conversation=conversation, user=user).status


def _share_program(a: User, b: User) -> None:
    """A mentorship program both applied to: something they share (and no conversation yet,
    as a mentorship request would open)."""
    now = timezone.now()
    program = Program.objects.create(
        name=f"Program of {a.pk} and {b.pk}", applications_open_at=now,
        applications_close_at=now + timedelta(days=9), matching_date=(now + timedelta(days=10)).date(),
    )  # fmt: skip
    ProgramApplication.objects.create(program=program, user=a, role="mentee")
    ProgramApplication.objects.create(program=program, user=b, role="mentor")


# ---- requests: share something, or ask first ----


def test_conversation_start_with_a_stranger_is_a_request(ana, ben):
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="Hello Ben")
    assert _status(conversation, ana) == ParticipantStatus.ACCEPTED
    assert _status(conversation, ben) == ParticipantStatus.REQUESTED
    # Ben sees it among his requests, not his conversations; Ana sees it as pending.
    assert [
        line.conversation for line in selectors.conversation_lines(user=ben, status="requested")
    ] == [conversation]
    assert selectors.conversation_lines(user=ben) == []
    (line,) = selectors.conversation_lines(user=ana)
    assert line.pending


def test_conversation_start_with_a_shared_mentorship_goes_straight(ana, ben):
    _share_program(ana, ben)
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="Hello again")
    assert _status(conversation, ben) == ParticipantStatus.ACCEPTED
    assert not selectors.conversation_lines(user=ana)[0].pending


def test_conversation_start_with_a_shared_mentorship_request_goes_straight(ana, ben):
    MentorshipRequest.objects.create(mentee=ana, mentor=ben, note="May we talk?")
    conversation = services.conversation_start(actor=ben, recipients=[ana], body="Sure")
    assert _status(conversation, ana) == ParticipantStatus.ACCEPTED
    assert list(conversation.messages.values_list("body", flat=True)) == ["May we talk?", "Sure"]


def test_conversation_start_with_a_shared_program_only_goes_straight(ana, ben, organizer):
    now = timezone.now()
    program = Program.objects.create(
        name="Fellows", applications_open_at=now, applications_close_at=now + timedelta(days=9),
        matching_date=(now + timedelta(days=10)).date(), created_by=organizer,
    )  # fmt: skip
    ProgramApplication.objects.create(program=program, user=ana, role="mentee")
    ProgramApplication.objects.create(program=program, user=ben, role="mentor")
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="Hi")
    assert _status(conversation, ben) == ParticipantStatus.ACCEPTED


def test_the_sender_cannot_write_again_until_the_request_is_accepted(ana, ben):
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="Hello Ben")
    with pytest.raises(DomainError, match="waiting"):
        services.message_send(conversation=conversation, actor=ana, body="Hello??")
    services.conversation_accept(conversation=conversation, actor=ben)
    services.message_send(conversation=conversation, actor=ana, body="Thanks!")
    services.message_send(conversation=conversation, actor=ben, body="Welcome")
    assert conversation.messages.count() == 3


def test_ignoring_a_request_leaves_the_sender_seeing_it_pending(ana, ben):
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="Hello Ben")
    services.conversation_ignore(conversation=conversation, actor=ben)
    assert selectors.conversation_lines(user=ben, status="requested") == []
    assert selectors.conversation_lines(user=ana)[0].pending
    # Ben no longer reads it at all.
    assert _client(ben).get(conversation.get_absolute_url()).status_code == 404


def test_writing_to_the_same_member_again_continues_the_one_conversation(ana, ben):
    _share_program(ana, ben)
    first = services.conversation_start(actor=ana, recipients=[ben], body="One")
    second = services.conversation_start(actor=ben, recipients=[ana], body="Two")
    assert first == second
    assert list(first.messages.filter(kind="text").values_list("body", flat=True)) == ["One", "Two"]


def test_a_group_with_one_stranger_asks_only_the_stranger(ana, ben, cleo):
    _share_program(ana, ben)
    conversation = services.conversation_start(actor=ana, recipients=[ben, cleo], body="Hi both")
    assert _status(conversation, ben) == ParticipantStatus.ACCEPTED
    assert _status(conversation, cleo) == ParticipantStatus.REQUESTED
    services.message_send(conversation=conversation, actor=ben, body="Hi Ana")


# ---- blocks end conversations ----


def test_a_block_ends_the_conversation_both_ways(ana, ben):
    _share_program(ana, ben)
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="Hello")
    block_create(blocker=ben, blocked=ana)
    for writer in (ana, ben):
        with pytest.raises(DomainError, match="ended"):
            services.message_send(conversation=conversation, actor=writer, body="Still there?")
    page = _client(ana).get(conversation.get_absolute_url())
    assert b"This conversation has ended" in page.content
    assert b'name="body"' not in page.content


def test_a_blocked_member_cannot_start_a_conversation(ana, ben):
    block_create(blocker=ben, blocked=ana)
    with pytest.raises(DomainError, match="cannot send"):
        services.conversation_start(actor=ana, recipients=[ben], body="Hello")
    with pytest.raises(DomainError, match="cannot send"):
        services.conversation_start(actor=ben, recipients=[ana], body="Hello")
    assert not Conversation.objects.filter(pair_key__isnull=False, messages__body="Hello").exists()


def test_a_block_between_two_members_of_a_group_ends_it(ana, ben, cleo):
    _share_program(ana, ben)
    _share_program(ana, cleo)
    conversation = services.conversation_start(actor=ana, recipients=[ben, cleo], body="Hi")
    block_create(blocker=ben, blocked=cleo)
    with pytest.raises(DomainError, match="ended"):
        services.message_send(conversation=conversation, actor=ana, body="Hello?")


# ---- privacy ----


def test_an_organizer_gets_404_on_a_conversation(ana, ben, organizer):
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="Private words")
    client = _client(organizer)
    assert client.get(conversation.get_absolute_url()).status_code == 404
    assert (
        client.post(
            reverse("community:message_send", args=[conversation.pk]), {"body": "x"}
        ).status_code
        == 404
    )
    assert b"Private words" not in client.get(reverse("community:messages")).content


def test_messages_are_in_no_admin(ana, ben, organizer):
    from django.contrib import admin

    from hemonc.community.models import messages as models

    for model in (models.Conversation, models.Message, models.Participant):
        assert model not in admin.site._registry


def test_the_data_export_holds_the_members_own_messages_not_others(ana, ben):
    from hemonc.members.selectors import member_data_export

    _share_program(ana, ben)
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="Mine to export")
    services.message_send(conversation=conversation, actor=ben, body="Ben's own words")
    export = member_data_export(user=ana)
    bodies = [row["body"] for row in export["community"]["message"]]
    assert "Mine to export" in bodies
    assert "Ben's own words" not in bodies


# ---- unread counts ----


def test_unread_counts_in_the_header_and_the_list(ana, ben):
    _share_program(ana, ben)
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="One")
    services.message_send(conversation=conversation, actor=ana, body="Two")
    assert selectors.unread_total(user=ben) == 2
    assert selectors.unread_total(user=ana) == 0
    client = _client(ben)
    inbox = client.get(reverse("community:messages")).content.decode()
    assert '2<span class="visually-hidden"> unread</span>' in inbox
    client.get(conversation.get_absolute_url())
    assert selectors.unread_total(user=ben) == 0
    home = client.get(reverse("community:messages")).content.decode()
    assert "unread-badge" not in home


def test_the_header_count_leaves_out_what_the_list_leaves_out(ana, ben, cleo):
    """Own messages, those of a muted member and those already read raise no count; a
    request waiting counts, and so does a message whose sender's account is gone."""
    from hemonc.members.services import mute_create

    _share_program(ana, ben)
    group = services.conversation_start(actor=ana, recipients=[ben, cleo], body="Hi both")
    services.message_send(conversation=group, actor=ben, body="Hi Ana")
    # Cleo was asked (a request): she sees both, unread.
    assert selectors.unread_total(user=cleo) == 2
    client = _client(ana)
    client.get(group.get_absolute_url())  # Ana reads it
    services.message_send(conversation=group, actor=ben, body="Still there?")
    assert selectors.unread_total(user=ana) == 1
    mute_create(muter=ana, muted=ben)
    assert selectors.unread_total(user=User.objects.get(pk=ana.pk)) == 0
    Message.objects.filter(sender=ben).update(sender=None)  # as when an account is erased
    assert selectors.unread_total(user=User.objects.get(pk=ana.pk)) == 1
    for member in (ana, ben, cleo):
        fresh = User.objects.get(pk=member.pk)
        counted = sum(selectors.unread_by_conversation(user=fresh).values())
        assert selectors.unread_total(user=fresh) == counted


# ---- pages ----


def test_a_member_starts_a_conversation_from_the_page(ana, ben):
    client = _client(ana)
    response = client.post(
        reverse("community:conversation_new"),
        {"recipients": [ben.pk], "body": "Hello from the page"},
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == conversation.get_absolute_url()
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert "Pending" in page and "Hello from the page" in page
    asked = _client(ben)
    assert "Ana Lopez" in asked.get(reverse("community:message_requests")).content.decode()
    asked.post(reverse("community:conversation_accept", args=[conversation.pk]))
    response = asked.post(
        reverse("community:message_send", args=[conversation.pk]), {"body": "Hi Ana"}
    )
    assert response.status_code == 302
    assert "Hi Ana" in client.get(conversation.get_absolute_url()).content.decode()


def test_a_group_message_goes_through_the_phi_guard(ana, ben, cleo):
    _share_program(ana, ben)
    _share_program(ana, cleo)
    client = _client(ana)
    text = "Patient John Smith, MRN 12345678, seen on 03/14/2025"
    response = client.post(
        reverse("community:conversation_new"), {"recipients": [ben.pk, cleo.pk], "body": text}
    )
    assert response.status_code == 200
    assert "may identify a patient" in response.content.decode()
    assert not Conversation.objects.exists()
    with pytest.raises(DomainError, match="identify a patient"):
        services.conversation_start(actor=ana, recipients=[ben, cleo], body=text)
    # Attested, it goes, and the attestation is in the audit log.
    client.post(
        reverse("community:conversation_new"),
        {"recipients": [ben.pk, cleo.pk], "body": text, "phi_attest": "on"},
    )
    assert Conversation.objects.count() == 1
    from hemonc.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="phi.attest", target_type="community.message").exists()


def test_a_two_person_message_is_not_held_by_the_phi_guard(ana, ben):
    services.conversation_start(
        actor=ana, recipients=[ben], body="Patient John Smith, MRN 12345678"
    )
    assert Message.objects.count() == 1


# ---- mentorship ----


def test_a_mentorship_request_and_its_acceptance_open_the_conversation(ana, ben):
    mentor = make_member(display_name="Grace Mentor", stage="attending")
    from hemonc.mentorship.models import MentorOffer

    MentorOffer.objects.create(user=mentor, capacity=3)
    request = mentorship_services.request_create(
        mentee=ana, actor=ana, mentor=mentor, note="Would you mentor me on myeloma research?"
    )
    conversation = selectors.conversation_direct_with(user=ana, other=mentor)
    assert conversation is not None and conversation.mentorship_request_id == request.pk
    assert _status(conversation, mentor) == ParticipantStatus.ACCEPTED
    page = _client(mentor).get(conversation.get_absolute_url()).content.decode()
    assert "Would you mentor me on myeloma research?" in page
    mentorship = mentorship_services.request_accept(request=request, actor=mentor, message="Gladly")
    conversation.refresh_from_db()
    assert conversation.mentorship_id == mentorship.pk
    assert "Gladly" in _client(ana).get(conversation.get_absolute_url()).content.decode()
    # The mentorship's page links to the conversation.
    detail = _client(ana).get(mentorship.get_absolute_url()).content.decode()
    assert conversation.get_absolute_url() in detail


# ---- notifications ----


def test_a_request_and_its_acceptance_notify(ana, ben):
    from hemonc.community.models import Notification

    conversation = services.conversation_start(actor=ana, recipients=[ben], body="Hello")
    (asked,) = Notification.objects.filter(recipient=ben)
    assert asked.kind == "message" and "asks to send you a message" in asked.text
    assert asked.url == conversation.get_absolute_url()
    services.conversation_accept(conversation=conversation, actor=ben)
    (accepted,) = Notification.objects.filter(recipient=ana)
    assert accepted.kind == "request_accepted"


def test_members_sharing_an_invited_space_write_without_a_request(ana, ben):
    from hemonc.community.enums import SpaceVisibility
    from hemonc.community.models import Space, SpaceMember

    space = Space.objects.create(
        slug="tumor-board", name="Tumor board", visibility=SpaceVisibility.INVITED
    )
    SpaceMember.objects.create(space=space, user=ana)
    SpaceMember.objects.create(space=space, user=ben)
    conversation = services.conversation_start(actor=ana, recipients=[ben], body="Hi")
    assert _status(conversation, ben) == ParticipantStatus.ACCEPTED


def test_the_settings_page_and_the_profile_panel(ana):
    from hemonc.community.models import DigestSubscription

    client = _client(ana)
    panel = client.get(reverse("members:profile_edit")).content.decode()
    assert "Messages and the weekly digest" in panel and "No weekly digest." in panel
    client.post(
        reverse("community:message_settings"), {"mail_when_unread": "on", "digest_weekly": "on"}
    )
    assert DigestSubscription.objects.get(user=ana).weekly
    assert services.mail_when_unread(ana.pk)
    assert (
        "You get the weekly digest." in client.get(reverse("members:profile_edit")).content.decode()
    )
