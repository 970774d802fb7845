"""New-account review: a new member's first three discussions, replies and messages to people
outside their programs wait for a moderator; organizers vouch for a member to skip it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hemonc.community import selectors, selectors_messages
from hemonc.community.enums import NotificationKind, ReviewState, SpaceVisibility
from hemonc.community.models import (
    Discussion,
    Follow,
    Message,
    Notification,
    Participant,
    Reply,
    Space,
)
from hemonc.community.review import WAITING_NOTE, established_members, posts_counted
from hemonc.community.services import digest as digest_services
from hemonc.community.services import messages as message_services
from hemonc.community.services import spaces as space_services
from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.members.models import User
from hemonc.mentorship.models import Program, ProgramApplication
from hemonc.moderation import services
from hemonc.moderation.models import Case, Outcome, Vouch
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _review_on(settings):  # type: ignore[no-untyped-def]
    settings.MODERATION_NEW_ACCOUNT_REVIEW = 3


@dataclass
class Net:
    newbie: User
    host: User  # an established member, who started the discussion
    ben: User  # another established member
    moderator: User
    organizer: User
    space: Space
    discussion: Discussion


@pytest.fixture
def net(db) -> Net:  # type: ignore[no-untyped-def]
    newbie = make_member(display_name="Nell Newcomer")
    host = make_member(display_name="Hana Host")
    ben = make_member(display_name="Ben Okafor")
    moderator = make_member(display_name="Mo Moderator", role=Role.MODERATOR)
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    space = space_services.space_create(actor=OPERATOR, slug="general", name="General")
    with established_members():
        discussion = space_services.discussion_create(
            actor=host, space=space, title="Maintenance after transplant", body="Who gives it?"
        )
    return Net(newbie, host, ben, moderator, organizer, space, discussion)


def _reply(net: Net, body: str = "We do, for a year.", author: User | None = None) -> Reply:
    return space_services.reply_create(
        actor=author or net.newbie, discussion=net.discussion, body=body
    )


def _approve(net: Net, post) -> None:  # type: ignore[no-untyped-def]
    services.held_approve(actor=net.moderator, item_type=post._meta.label_lower, item_id=post.pk)


def _reject(net: Net, post, reason: str = "Off topic.") -> Case:  # type: ignore[no-untyped-def]
    return services.held_reject(
        actor=net.moderator, item_type=post._meta.label_lower, item_id=post.pk, reason=reason
    )


def _page(client, user: User, url: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


# ---- the threshold -------------------------------------------------------------------------


def test_the_first_three_posts_wait_and_count_once_approved(net):
    first, second = _reply(net, "One"), _reply(net, "Two")
    third = space_services.discussion_create(
        actor=net.newbie, space=net.space, title="Hello", body="New here."
    )
    assert {first.review_state, second.review_state, third.review_state} == {"waiting"}
    _approve(net, first)
    _approve(net, second)
    # Two approved: the next still waits.
    assert _reply(net, "Three").review_state == ReviewState.WAITING
    _approve(net, third)
    assert posts_counted(net.newbie, enough=3) == 3
    fourth = _reply(net, "Four")
    assert fourth.review_state is None
    assert Discussion.objects.get(pk=net.discussion.pk).reply_count == 3


def test_a_rejected_post_does_not_count(net):
    posts = [_reply(net, f"Reply {n}") for n in range(3)]
    _reject(net, posts[0])
    _approve(net, posts[1])
    _approve(net, posts[2])
    assert posts_counted(net.newbie, enough=3) == 2
    assert _reply(net, "Again").review_state == ReviewState.WAITING


def test_review_is_off_at_zero(net, settings):
    settings.MODERATION_NEW_ACCOUNT_REVIEW = 0
    assert _reply(net).review_state is None


def test_members_with_published_posts_before_review_began_do_not_wait(net, settings):
    settings.MODERATION_NEW_ACCOUNT_REVIEW = 0
    for n in range(3):
        _reply(net, f"Earlier {n}")
    settings.MODERATION_NEW_ACCOUNT_REVIEW = 3
    assert _reply(net, "Now").review_state is None


def test_organizers_and_moderators_never_wait(net):
    assert _reply(net, "From the organizer", author=net.organizer).review_state is None
    assert _reply(net, "From the moderator", author=net.moderator).review_state is None


# ---- vouching ------------------------------------------------------------------------------


def test_a_vouched_member_skips_review_until_the_vouch_is_taken_back(net):
    services.vouch_create(actor=net.organizer, user=net.newbie)
    assert _reply(net, "Vouched").review_state is None
    services.vouch_withdraw(actor=net.organizer, user=net.newbie)
    # One published reply counts; two more to go.
    assert _reply(net, "Not any more").review_state == ReviewState.WAITING
    actions = list(
        AuditEntry.objects.filter(target_id=str(net.newbie.pk), action__startswith="review.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["review.vouch", "review.unvouch"]


def test_only_organizers_vouch(net):
    with pytest.raises(PermissionDenied):
        services.vouch_create(actor=net.moderator, user=net.newbie)
    assert not Vouch.objects.exists()


def test_an_organizer_vouches_on_the_members_profile_and_takes_it_back(client, net):
    profile = reverse("members:profile", args=[net.newbie.pk])
    _status, html = _page(client, net.organizer, profile)
    assert "0 of Nell Newcomer's first 3 posts approved" in html
    assert f'action="{reverse("moderation:vouch", args=[net.newbie.pk])}"' in html
    client.post(reverse("moderation:vouch", args=[net.newbie.pk]))
    assert Vouch.objects.get(user=net.newbie).vouched_by == net.organizer
    _status, html = _page(client, net.organizer, profile)
    assert "Vouched for by Olu Organizer" in html
    client.post(reverse("moderation:vouch_withdraw", args=[net.newbie.pk]))
    assert not Vouch.objects.exists()
    # Members and moderators see no such panel, and cannot vouch.
    _status, html = _page(client, net.ben, profile)
    assert "New account review" not in html
    assert client.post(reverse("moderation:vouch", args=[net.newbie.pk])).status_code == 403
    assert not Vouch.objects.exists()


# ---- programs ------------------------------------------------------------------------------


def _program(*members: User) -> Program:
    now = timezone.now()
    program = Program.objects.create(
        name="Spring mentoring", applications_open_at=now - timedelta(days=30),
        applications_close_at=now - timedelta(days=1), matching_date=now.date(),
    )  # fmt: skip
    for member in members:
        ProgramApplication.objects.create(program=program, user=member, role="mentee")
    return program


def test_a_post_in_a_program_space_neither_waits_nor_counts(net):
    program = _program(net.newbie)
    cohort = space_services.space_create(
        actor=OPERATOR, slug="spring", name="Spring cohort",
        visibility=SpaceVisibility.PROGRAM, program=program,
    )  # fmt: skip
    for n in range(4):
        discussion = space_services.discussion_create(
            actor=net.newbie, space=cohort, title=f"Cohort {n}", body="Hello, cohort."
        )
        assert discussion.review_state is None
    assert posts_counted(net.newbie, enough=3) == 0
    assert _reply(net).review_state == ReviewState.WAITING


def test_messages_to_program_peers_neither_wait_nor_count(net):
    _program(net.newbie, net.ben)
    conversation = message_services.conversation_start(
        actor=net.newbie, recipients=[net.ben], body="Hello from the cohort"
    )
    assert conversation.messages.get().review_state is None
    assert posts_counted(net.newbie, enough=3) == 0
    stranger = message_services.conversation_start(
        actor=net.newbie, recipients=[net.host], body="Hello, stranger"
    )
    assert stranger.messages.get().review_state == ReviewState.WAITING
    # A group with someone outside the program waits too.
    group = message_services.conversation_start(
        actor=net.newbie, recipients=[net.ben, net.moderator], body="Hello, both"
    )
    assert group.messages.get().review_state == ReviewState.WAITING


# ---- approval delivers, once ---------------------------------------------------------------


def _notes(user: User, kind: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=kind).values_list("text", flat=True)
    )


def test_approval_delivers_mentions_and_reply_notifications_once(net):
    reply = _reply(net, "Agreed with @[Ben Okafor] here.")
    assert reply.mentions == {"ben okafor": net.ben.pk}
    assert _notes(net.ben, NotificationKind.MENTION) == []
    assert _notes(net.host, NotificationKind.REPLY) == []
    _approve(net, reply)
    assert _notes(net.ben, NotificationKind.MENTION) == [
        "Nell Newcomer mentioned you in a reply to “Maintenance after transplant”"
    ]
    assert _notes(net.host, NotificationKind.REPLY) == [
        "Nell Newcomer replied to “Maintenance after transplant”"
    ]
    with pytest.raises(DomainError, match="reviewed already"):
        _approve(net, reply)
    assert len(_notes(net.ben, NotificationKind.MENTION)) == 1
    assert len(_notes(net.host, NotificationKind.REPLY)) == 1
    assert AuditEntry.objects.filter(action="review.approve", target_id=str(reply.pk)).count() == 1


def test_an_edit_while_waiting_tells_nobody(net):
    reply = _reply(net, "Plain")
    space_services.reply_update(actor=net.newbie, reply=reply, body="Now with @[Ben Okafor]")
    assert _notes(net.ben, NotificationKind.MENTION) == []
    _approve(net, reply)
    assert len(_notes(net.ben, NotificationKind.MENTION)) == 1


def test_an_approved_discussion_tells_whom_it_mentions(net):
    discussion = space_services.discussion_create(
        actor=net.newbie, space=net.space, title="Hello", body="Hi @[Hana Host]!"
    )
    assert _notes(net.host, NotificationKind.MENTION) == []
    _approve(net, discussion)
    assert _notes(net.host, NotificationKind.MENTION) == ["Nell Newcomer mentioned you in “Hello”"]


def test_an_approved_message_reaches_its_recipient(net):
    conversation = message_services.conversation_start(
        actor=net.newbie, recipients=[net.host], body="May I ask about your trial?"
    )
    message = conversation.messages.get()
    assert _notes(net.host, NotificationKind.MESSAGE) == []
    assert selectors_messages.request_count(user=net.host) == 0
    _approve(net, message)
    assert _notes(net.host, NotificationKind.MESSAGE) == [
        "Nell Newcomer asks to send you a message"
    ]
    assert selectors_messages.request_count(user=net.host) == 1
    assert selectors_messages.unread_total(user=net.host) == 1


# ---- invisible to everyone else, one surface at a time -------------------------------------


@pytest.fixture
def held_discussion(net) -> Discussion:  # type: ignore[no-untyped-def]
    return space_services.discussion_create(
        actor=net.newbie, space=net.space, title="Zanubrutinib sequencing", body="Anyone?"
    )


def test_a_waiting_discussion_is_not_in_its_space_for_others(client, net, held_discussion):
    _status, html = _page(client, net.ben, net.space.get_absolute_url())
    assert "Zanubrutinib" not in html
    _status, html = _page(client, net.newbie, net.space.get_absolute_url())
    assert "Zanubrutinib" in html and "Waiting for review" in html


def test_a_waiting_discussion_is_not_counted_for_others(net, held_discussion):
    assert selectors.space_discussion_counts(net.ben, [net.space]) == {net.space.pk: 1}
    assert selectors.space_discussion_counts(net.newbie, [net.space]) == {net.space.pk: 2}


def test_a_waiting_discussion_is_not_found_by_search(net, held_discussion):
    assert not selectors.discussion_search(net.ben, "zanubrutinib").exists()
    assert list(selectors.discussion_search(net.newbie, "zanubrutinib")) == [held_discussion]


def test_a_waiting_discussion_page_is_missing_for_others(client, net, held_discussion):
    url = held_discussion.get_absolute_url()
    assert _page(client, net.ben, url)[0] == 404
    assert _page(client, net.organizer, url)[0] == 404
    status, html = _page(client, net.moderator, url)
    assert status == 200 and "Waiting for review" in html


def test_the_author_sees_their_post_marked_with_why(client, net, held_discussion):
    status, html = _page(client, net.newbie, held_discussion.get_absolute_url())
    assert status == 200
    assert "Waiting for review" in html
    assert WAITING_NOTE in html.replace("&#x27;", "'")


def test_the_author_is_told_on_posting(client, net):
    client.force_login(net.newbie)
    response = client.post(
        f"{net.discussion.get_absolute_url()}reply/", {"body": "Hello"}, follow=True
    )
    html = response.content.decode()
    assert "a moderator reads it before others see it" in html
    assert "Waiting for review" in html


def test_a_waiting_reply_is_not_on_the_discussion_page_for_others(client, net):
    _reply(net, "Quietly waiting here")
    _status, html = _page(client, net.ben, net.discussion.get_absolute_url())
    assert "Quietly waiting here" not in html
    assert Discussion.objects.get(pk=net.discussion.pk).reply_count == 0
    _status, html = _page(client, net.newbie, net.discussion.get_absolute_url())
    assert "Quietly waiting here" in html and "Waiting for review" in html
    _status, html = _page(client, net.moderator, net.discussion.get_absolute_url())
    assert "Quietly waiting here" in html


def test_a_waiting_post_mentions_and_notifies_nobody(net):
    Follow.objects.create(user=net.ben, discussion=net.discussion)
    _reply(net, "Hello @[Hana Host]")
    assert not Notification.objects.filter(recipient__in=[net.host, net.ben]).exists()
    assert selectors.notification_unread_count(net.host) == 0


def test_a_waiting_discussion_is_not_in_the_weekly_digest(net, held_discussion):
    Follow.objects.create(user=net.ben, space=net.space)
    week = digest_services.week_of(timezone.now())
    lines = [
        line.text
        for _, items in digest_services.digest_preview(user=net.ben, week=week)
        for line in items
    ]
    assert any("Maintenance after transplant" in text for text in lines)
    assert not any("Zanubrutinib" in text for text in lines)


def test_a_waiting_item_cannot_be_reported(client, net):
    reply = _reply(net)
    url = reverse("moderation:report", args=["community.reply", reply.pk])
    assert _page(client, net.ben, url)[0] == 404


@pytest.fixture
def held_message(net) -> Message:  # type: ignore[no-untyped-def]
    conversation = message_services.conversation_start(
        actor=net.newbie, recipients=[net.host], body="Secret hello"
    )
    return conversation.messages.get()


def test_a_waiting_message_raises_no_unread_count(net, held_message):
    assert selectors_messages.unread_total(user=net.host) == 0
    assert selectors_messages.unread_by_conversation(user=net.host) == {}


def test_a_waiting_message_is_in_no_list_of_the_recipient(net, held_message):
    assert selectors_messages.conversation_lines(user=net.host) == []
    assert selectors_messages.request_count(user=net.host) == 0
    lines = selectors_messages.conversation_lines(user=net.newbie) + (
        selectors_messages.conversation_lines(user=net.newbie, status="requested")
    )
    assert [line.last for line in lines] == [held_message]


def test_a_waiting_message_page_is_missing_for_the_recipient(client, net, held_message):
    url = held_message.conversation.get_absolute_url()
    assert _page(client, net.host, url)[0] == 404
    status, html = _page(client, net.newbie, url)
    assert status == 200 and "Secret hello" in html and "Waiting for review" in html


def test_a_waiting_message_is_never_mailed_about(net, held_message):
    Message.objects.filter(pk=held_message.pk).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    participant = Participant.objects.get(conversation=held_message.conversation, user=net.host)
    assert not message_services.unread_mail_send(participant_id=participant.pk, actor=OPERATOR)
    assert mail.outbox == []


def test_a_waiting_message_in_an_open_conversation_stays_unseen(client, net):
    _program(net.newbie, net.host)
    conversation = message_services.conversation_start(
        actor=net.newbie, recipients=[net.host], body="Within the program"
    )
    ProgramApplication.objects.filter(user=net.newbie).delete()
    later = message_services.message_send(
        conversation=conversation, actor=net.newbie, body="Now outside it"
    )
    assert later.review_state == ReviewState.WAITING
    _status, html = _page(client, net.host, conversation.get_absolute_url())
    assert "Within the program" in html and "Now outside it" not in html
    assert selectors_messages.conversation_lines(user=net.host)[0].last.body == "Within the program"


# ---- turned down ---------------------------------------------------------------------------


def test_a_rejected_post_stays_unseen_and_its_author_reads_why(client, net):
    reply = _reply(net, "Buy my course")
    case = _reject(net, reply, reason="Advertising <b>is</b> not allowed.")
    assert case.outcome == Outcome.REJECTED and not case.is_open
    assert Reply.objects.get(pk=reply.pk).review_state == ReviewState.REJECTED
    _status, html = _page(client, net.ben, net.discussion.get_absolute_url())
    assert "Buy my course" not in html
    _status, html = _page(client, net.newbie, net.discussion.get_absolute_url())
    assert "Buy my course" not in html
    assert _notes(net.newbie, NotificationKind.MODERATION) == [
        "Your reply was not published after review: read why"
    ]
    _status, html = _page(client, net.newbie, reverse("moderation:notices"))
    assert "Not published after review" in html
    assert "Advertising &lt;b&gt;is&lt;/b&gt; not allowed." in html
    assert reverse("moderation:appeal", args=[case.pk]) not in html
    with pytest.raises(DomainError):
        services.appeal_create(case=case, author=net.newbie, text="Please")
    assert AuditEntry.objects.filter(action="review.reject", target_id=str(reply.pk)).exists()


def test_a_rejection_needs_a_reason(net):
    reply = _reply(net)
    with pytest.raises(DomainError, match="reason"):
        _reject(net, reply, reason="  ")
    assert Reply.objects.get(pk=reply.pk).review_state == ReviewState.WAITING


# ---- the queue -----------------------------------------------------------------------------


def test_a_moderator_approves_from_the_queue(client, net):
    reply = _reply(net, "Held <script>alert(1)</script> text")
    _status, html = _page(client, net.moderator, reverse("moderation:queue"))
    assert "New accounts' posts waiting for review (1)" in html
    assert "Held &lt;script&gt;alert(1)&lt;/script&gt; text" in html
    _status, home = _page(client, net.moderator, reverse("home"))
    assert f"#held-reply-{reply.pk}" in home
    response = client.post(reverse("moderation:held_approve", args=["community.reply", reply.pk]))
    assert response.status_code == 302
    assert Reply.objects.get(pk=reply.pk).review_state == ReviewState.APPROVED
    _status, html = _page(client, net.ben, net.discussion.get_absolute_url())
    assert "Held &lt;script&gt;" in html


def test_a_moderator_rejects_from_the_queue_with_a_reason(client, net):
    reply = _reply(net)
    client.force_login(net.moderator)
    url = reverse("moderation:held_reject", args=["community.reply", reply.pk])
    client.post(url, {})
    assert Reply.objects.get(pk=reply.pk).review_state == ReviewState.WAITING
    client.post(url, {f"held-reply-{reply.pk}-reason": "Not about hematology."})
    assert Reply.objects.get(pk=reply.pk).review_state == ReviewState.REJECTED
    assert Case.objects.get(item_id=str(reply.pk)).decisions.get().reason == (
        "Not about hematology."
    )


def test_only_moderators_review(client, net):
    reply = _reply(net)
    for user in (net.ben, net.organizer, net.newbie):
        client.force_login(user)
        url = reverse("moderation:held_approve", args=["community.reply", reply.pk])
        assert client.post(url).status_code == 403
    client.force_login(net.moderator)
    bad = reverse("moderation:held_approve", args=["members.user", net.ben.pk])
    assert client.post(bad).status_code == 404
    assert Reply.objects.get(pk=reply.pk).review_state == ReviewState.WAITING


def test_needs_you_reads_what_waits_in_one_query(client, net):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(net.moderator)
    _reply(net, "The first")
    client.get(reverse("home"))  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        html = client.get(reverse("home")).content.decode()
    assert "New accounts' posts to review" in html
    for n in range(4):
        _reply(net, f"More {n}")
    with CaptureQueriesContext(connection) as five:
        html = client.get(reverse("home")).content.decode()
    assert html.count("#held-reply-") == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_a_waiting_reply_stays_its_authors_while_the_discussion_page_is_cached(client, net):
    url = net.discussion.get_absolute_url()
    for reader in (net.newbie, net.ben, net.moderator):
        assert _page(client, reader, url)[0] == 200  # every reader's page cached, alike

    reply = _reply(net, "We give it for two years.")

    assert "We give it for two years." not in _page(client, net.ben, url)[1]
    own = _page(client, net.newbie, url)[1]
    assert "We give it for two years." in own and "Waiting for review" in own
    assert "We give it for two years." in _page(client, net.moderator, url)[1]
    assert "We give it for two years." not in _page(client, net.host, url)[1]
    assert "We give it for two years." not in _page(client, net.ben, url)[1]

    _approve(net, reply)

    shown = _page(client, net.ben, url)[1]
    assert "We give it for two years." in shown and "Waiting for review" not in shown


def test_an_organizer_never_gets_the_moderators_cached_page_with_what_waits(client, net):
    url = net.discussion.get_absolute_url()
    _reply(net, "Held until a moderator reads it.")
    assert "Held until a moderator reads it." in _page(client, net.moderator, url)[1]
    assert "Held until a moderator reads it." not in _page(client, net.organizer, url)[1]
