"""Direct messages: start a conversation (or a request), write, accept, ignore, read.

What no service here does: audit each message. The audit log is read by organizers; a row per
message would tell them who writes to whom and when, which is the conversation's own business.
Requests answered, settings and attestations over the PHI guard are audited. A participant
reports a message through the moderation app, like every other item.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from hemonc.community import review, tasks
from hemonc.community import selectors_messages as selectors
from hemonc.community.enums import NotificationKind, ReviewState
from hemonc.community.models.messages import (
    MAX_PARTICIPANTS,
    Conversation,
    Message,
    MessageKind,
    MessageSettings,
    Participant,
    ParticipantStatus,
    pair_key,
)
from hemonc.community.services.notifications import notify
from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import Operator, require
from hemonc.core.phi_guard import phi_check, phi_record, scan_texts
from hemonc.core.ratelimit import Limit, limit_consume
from hemonc.core.tasks import enqueue_later, enqueue_on_commit, send_email_task
from hemonc.core.text import text_as_html
from hemonc.members.models import User

# A message waits this long unread before its recipient is mailed about it.
UNREAD_MAIL_AFTER = timedelta(hours=1)
# Conversations a member may start with people they share nothing with, per day.
REQUEST_LIMIT = Limit(
    name="community.message-request",
    count=20,
    seconds=24 * 3600,
    message="You asked many members today. Please wait until tomorrow to ask more.",
)
MESSAGE_LIMIT = Limit(
    name="community.message",
    count=60,
    seconds=600,
    message="You sent many messages just now. Please wait a few minutes.",
)
CANNOT_MESSAGE = "You cannot send this member a message."
ENDED = "This conversation has ended: no new messages."
WAITING = "Your request is waiting for an answer: you can write again once it is accepted."


def _clean_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise DomainError("The message is empty.")
    return text


def _guard(*, actor: User, recipients: int, body: str, attested: bool) -> None:
    """The PHI guard, for messages to more than one person (a group conversation)."""
    if recipients > 1:
        phi_check(actor=actor, target=None, texts={"body": body}, attested=attested)


def _record_attestation(*, actor: User, recipients: int, message: Message, body: str) -> None:
    if recipients > 1 and (found := scan_texts({"body": body})):
        phi_record(actor=actor, target=message, found=found)


def _post(
    conversation: Conversation,
    *,
    sender: User | None,
    body: str,
    kind: str,
    mail: bool = True,
    held: bool = False,
) -> Message:
    """Store a message and what follows from it: the conversation's time, the sender's own
    read marker, and a mail an hour later to each other participant it starts a wait for.
    A message `held` for review (a new account's) stays the sender's alone until approved:
    then `message_deliver` does the rest."""
    message = Message.objects.create(
        conversation=conversation,
        sender=sender,
        body=body,
        kind=kind,
        review_state=ReviewState.WAITING if held else None,
    )
    if sender is not None:
        Participant.objects.filter(conversation=conversation, user=sender).update(
            last_read_at=message.created_at
        )
    if not held:
        message_deliver(conversation, message=message, mail=mail)
    return message


def message_deliver(conversation: Conversation, *, message: Message, mail: bool = True) -> None:
    """A message published: the conversation moves up, and each other participant it starts a
    wait for gets a mail an hour later (unless they read it by then)."""
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    conversation.last_message_at = message.created_at
    others = Participant.objects.filter(conversation=conversation).exclude(
        status=ParticipantStatus.IGNORED
    )
    if message.sender_id is not None:
        others = others.exclude(user_id=message.sender_id)
    if not mail:
        return
    for participant in others:
        # The first message of a wait: an hour later, its mail (unless read by then).
        earlier = Message.objects.filter(review.PUBLISHED, conversation=conversation)
        earlier = earlier.exclude(pk=message.pk).exclude(sender_id=participant.user_id)
        if participant.last_read_at is not None:
            earlier = earlier.filter(created_at__gt=participant.last_read_at)
        if not earlier.exists():
            _enqueue_unread_mail(participant.pk)


def _enqueue_unread_mail(participant_id: int) -> None:
    enqueue_later(
        tasks.mail_unread_messages_task,
        timezone.now() + UNREAD_MAIL_AFTER,
        participant_id=participant_id,
    )


def _check_recipients(actor: User, recipients: Sequence[User]) -> list[User]:
    unique = {user.pk: user for user in recipients if user.pk != actor.pk}
    people = list(unique.values())
    if not people:
        raise DomainError("Choose at least one member to write to.")
    if len(people) + 1 > MAX_PARTICIPANTS:
        raise DomainError(f"A conversation holds at most {MAX_PARTICIPANTS} members.")
    if any(not user.is_active for user in people):
        raise DomainError(CANNOT_MESSAGE)
    if selectors.blocked_between([actor.pk, *unique]):
        raise DomainError(CANNOT_MESSAGE)
    return people


@transaction.atomic(durable=True)
def conversation_start(
    *, actor: User, recipients: Sequence[User], body: str, attested: bool = False
) -> Conversation:
    """Write to one or a few members. Each who shares a space, a program or a mentorship with
    `actor` is in the conversation at once; any other gets it as a request to accept first.
    Two members have one direct conversation: writing again continues it."""
    require(actor, "community.start_conversation")
    body = _clean_body(body)
    people = _check_recipients(actor, recipients)
    _guard(actor=actor, recipients=len(people), body=body, attested=attested)
    limit_consume(MESSAGE_LIMIT, actor.pk)
    held = review.holds(actor, recipients=people)
    if len(people) == 1:
        existing = (
            Conversation.objects.select_for_update()
            .filter(pair_key=pair_key(actor.pk, people[0].pk))
            .first()
        )
        if existing is not None:
            _continue(existing, actor=actor, body=body, held=held)
            return existing
    direct = {user.pk: selectors.members_share_context(actor, user) for user in people}
    if not all(direct.values()):
        limit_consume(REQUEST_LIMIT, actor.pk)
    conversation = Conversation.objects.create(
        created_by=actor, pair_key=pair_key(actor.pk, people[0].pk) if len(people) == 1 else ""
    )
    Participant.objects.create(conversation=conversation, user=actor)
    Participant.objects.bulk_create(
        Participant(
            conversation=conversation,
            user=user,
            status=ParticipantStatus.ACCEPTED if direct[user.pk] else ParticipantStatus.REQUESTED,
        )
        for user in people
    )
    message = _post(conversation, sender=actor, body=body, kind=MessageKind.TEXT, held=held)
    _record_attestation(actor=actor, recipients=len(people), message=message, body=body)
    if not held:
        _notify_new(conversation=conversation, actor=actor, people=people)
    return conversation


def _continue(conversation: Conversation, *, actor: User, body: str, held: bool = False) -> Message:
    """A message in an existing conversation, after its rules: the writer takes part, no
    block ended it, and someone else has accepted it."""
    mine = selectors.participant_for(conversation=conversation, user=actor)
    if mine is None:
        raise DomainError(CANNOT_MESSAGE)
    if mine.status != ParticipantStatus.ACCEPTED:
        # Writing back to a request (or one ignored before) accepts it.
        mine.status = ParticipantStatus.ACCEPTED
        mine.save(update_fields=["status"])
    if selectors.conversation_is_ended(conversation):
        raise DomainError(ENDED)
    others = Participant.objects.filter(conversation=conversation).exclude(user=actor)
    if not others.filter(status=ParticipantStatus.ACCEPTED).exists():
        raise DomainError(WAITING)
    return _post(conversation, sender=actor, body=body, kind=MessageKind.TEXT, held=held)


@transaction.atomic(durable=True)
def message_send(
    *, conversation: Conversation, actor: User, body: str, attested: bool = False
) -> Message:
    """A message in a conversation the member takes part in."""
    require(actor, "community.send_message", conversation, message=CANNOT_MESSAGE)
    body = _clean_body(body)
    recipients = Participant.objects.filter(conversation=conversation).exclude(user=actor).count()
    _guard(actor=actor, recipients=recipients, body=body, attested=attested)
    limit_consume(MESSAGE_LIMIT, actor.pk)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    others = User.objects.filter(
        conversations_joined__conversation=conversation, is_active=True
    ).exclude(pk=actor.pk)
    held = review.holds(actor, recipients=others)
    message = _continue(conversation, actor=actor, body=body, held=held)
    _record_attestation(actor=actor, recipients=recipients, message=message, body=body)
    return message


@transaction.atomic(durable=True)
def conversation_accept(*, conversation: Conversation, actor: User) -> Participant:
    """The member asked to join accepts: the conversation moves to their list, and those in
    it hear so."""
    require(actor, "community.answer_request", conversation, message=CANNOT_MESSAGE)
    participant = Participant.objects.select_for_update().get(conversation=conversation, user=actor)
    if selectors.conversation_is_ended(conversation):
        raise DomainError(ENDED)
    participant.status = ParticipantStatus.ACCEPTED
    participant.save(update_fields=["status"])
    audit(actor=actor, action="community.request_accept", target=conversation)
    for other in Participant.objects.filter(
        conversation=conversation, status=ParticipantStatus.ACCEPTED
    ).exclude(user=actor):
        _notify_accepted(recipient=other.user, actor=actor, conversation=conversation)
    return participant


@transaction.atomic(durable=True)
def conversation_ignore(*, conversation: Conversation, actor: User) -> Participant:
    """The member asked to join ignores the request: it leaves their requests; the one who
    wrote still sees it waiting, and is not told."""
    require(actor, "community.answer_request", conversation, message=CANNOT_MESSAGE)
    participant = Participant.objects.select_for_update().get(conversation=conversation, user=actor)
    participant.status = ParticipantStatus.IGNORED
    participant.last_read_at = timezone.now()
    participant.save(update_fields=["status", "last_read_at"])
    audit(actor=actor, action="community.request_ignore", target=conversation)
    return participant


@transaction.atomic(durable=True)
def conversation_mark_read(*, conversation: Conversation, actor: User) -> None:
    """The member read the conversation up to now (opening its page)."""
    require(actor, "community.read_conversation", conversation)
    Participant.objects.filter(conversation=conversation, user=actor).update(
        last_read_at=timezone.now()
    )


@transaction.atomic(durable=True)
def message_settings_update(*, actor: User, mail_when_unread: bool) -> MessageSettings:
    require(actor, "community.edit_own_settings")
    row, _ = MessageSettings.objects.update_or_create(
        user=actor, defaults={"mail_when_unread": mail_when_unread}
    )
    audit(actor=actor, action="community.message_settings", target=row,
          changes={"mail_when_unread": mail_when_unread})  # fmt: skip
    return row


def mail_when_unread(user_id: int) -> bool:
    row = MessageSettings.objects.filter(user_id=user_id).only("mail_when_unread").first()
    return True if row is None else row.mail_when_unread


@transaction.atomic(durable=True)
def unread_mail_send(*, participant_id: int, actor: Operator) -> bool:
    """Mail a member whose messages waited unread for more than an hour, once per waiting
    batch (messages since they last read), if they want such mail. True when mailed."""
    require(actor, "community.send_digest")
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("user__profile", "conversation")
        .filter(pk=participant_id)
        .first()
    )
    if participant is None or participant.status == ParticipantStatus.IGNORED:
        return False
    user = participant.user
    if user.mail_stopped or not mail_when_unread(user.pk):
        return False
    hidden = _hidden_ids(user)
    waiting = (
        Message.objects.filter(
            review.PUBLISHED, conversation_id=participant.conversation_id, hidden=False
        )
        .exclude(sender_id=user.pk)
        .exclude(sender_id__in=hidden)
        .select_related("sender__profile")
        .order_by("created_at", "id")
    )
    if participant.last_read_at is not None:
        waiting = waiting.filter(created_at__gt=participant.last_read_at)
    messages = list(waiting)
    if not messages:
        return False
    first = messages[0]
    now = timezone.now()
    if first.created_at > now - UNREAD_MAIL_AFTER + timedelta(seconds=1):
        return False  # not waiting long enough yet (its own mail is queued)
    if (
        participant.unread_mailed_at is not None
        and participant.unread_mailed_at >= first.created_at
    ):
        return False  # this batch was mailed already
    if selectors.conversation_is_ended(participant.conversation):
        return False
    participant.unread_mailed_at = now
    participant.save(update_fields=["unread_mailed_at"])
    _send_unread_mail(user=user, participant=participant, messages=messages)
    return True


def _hidden_ids(user: User) -> frozenset[int]:
    from hemonc.members.selectors import user_ids_hidden_from

    return user_ids_hidden_from(viewer=user) or frozenset()


def _send_unread_mail(*, user: User, participant: Participant, messages: list[Message]) -> None:
    senders = list(dict.fromkeys(str(m.sender) for m in messages if m.sender_id))
    context = {
        "recipient": user,
        "senders": senders,
        "count": len(messages),
        "request": participant.status == ParticipantStatus.REQUESTED,
        "url": f"{settings.SITE_URL}{participant.conversation.get_absolute_url()}",
        "settings_url": f"{settings.SITE_URL}/community/messages/settings/",
    }
    subject = (
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
        + render_to_string("community/messages/email/unread_subject.txt", context).strip()
    )
    text = render_to_string("community/messages/email/unread.txt", context)
    html = render_to_string(
        "community/messages/email/unread.html", {"subject": subject, "body": text_as_html(text)}
    )
    enqueue_on_commit(
        send_email_task,
        subject=subject,
        body=text,
        html=html,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


# ---- notifications ----


def _notify_new(*, conversation: Conversation, actor: User, people: list[User]) -> None:
    """Those in a new conversation hear of it; those asked to join, of the request."""
    statuses = dict(
        Participant.objects.filter(conversation=conversation).values_list("user_id", "status")
    )
    for user in people:
        asked = statuses.get(user.pk) == ParticipantStatus.REQUESTED
        notify(
            recipient=user,
            kind=NotificationKind.MESSAGE,
            actor=actor,
            text=f"{actor} asks to send you a message" if asked else f"{actor} wrote to you",
            url=conversation.get_absolute_url(),
        )


def _notify_accepted(*, recipient: User, actor: User, conversation: Conversation) -> None:
    notify(
        recipient=recipient,
        kind=NotificationKind.REQUEST_ACCEPTED,
        actor=actor,
        text=f"{actor} accepted your message request",
        url=conversation.get_absolute_url(),
    )


# ---- mentorship: requests and mentorships open their conversation here ----


def _mentorship_pair_conversation(mentee: User, mentor: User) -> Conversation:
    """The pair's direct conversation, opened (both in it) if they had none."""
    conversation, created = Conversation.objects.select_for_update().get_or_create(
        pair_key=pair_key(mentee.pk, mentor.pk), defaults={"created_by": mentee}
    )
    if created:
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, user=mentee),
             Participant(conversation=conversation, user=mentor)]
        )  # fmt: skip
    else:
        # A mentorship is shared: a request between them waiting is now a conversation.
        Participant.objects.filter(conversation=conversation, user__in=[mentee, mentor]).update(
            status=ParticipantStatus.ACCEPTED
        )
    return conversation


def open_for_mentorship_request(*, request_id: int) -> Conversation | None:
    """A mentorship request opens the pair's conversation with its note (inside the request's
    own transaction: called by a signal)."""
    from hemonc.mentorship.models import MentorshipRequest

    request = MentorshipRequest.objects.select_related("mentee", "mentor").get(pk=request_id)
    if selectors.blocked_between([request.mentee_id, request.mentor_id]):
        return None
    conversation = _mentorship_pair_conversation(request.mentee, request.mentor)
    Conversation.objects.filter(pk=conversation.pk).update(mentorship_request=request)
    _post(
        conversation,
        sender=request.mentee,
        body=request.note or "",
        kind=MessageKind.MENTORSHIP_REQUEST,
        mail=False,
    )
    return conversation


def open_for_mentorship(*, mentorship_id: int) -> Conversation | None:
    """A mentorship begins (an accepted request, or a program's match): the pair's
    conversation says so, and the mentorship's page links to it."""
    from hemonc.mentorship.models import Mentorship

    mentorship = Mentorship.objects.select_related("mentee", "mentor", "request").get(
        pk=mentorship_id
    )
    if selectors.blocked_between([mentorship.mentee_id, mentorship.mentor_id]):
        return None
    conversation = _mentorship_pair_conversation(mentorship.mentee, mentorship.mentor)
    Conversation.objects.filter(pk=conversation.pk).update(mentorship=mentorship)
    answer = (mentorship.request.response if mentorship.request else "") or ""
    _post(
        conversation,
        sender=mentorship.mentor,
        body=answer,
        kind=MessageKind.MENTORSHIP_ACCEPTED,
        mail=False,
    )
    return conversation
