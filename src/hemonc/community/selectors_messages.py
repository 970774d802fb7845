"""Reads about direct messages: a member's conversations, requests, unread counts, and the
few messages around one a participant reported.

Every read starts from the member: a conversation exists for them only when they take part in
it (organizers included), so pages answer 404 for anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet

from hemonc.community import review
from hemonc.community.models.messages import (
    Conversation,
    Message,
    Participant,
    ParticipantStatus,
)
from hemonc.community.review import PUBLISHED
from hemonc.members.models import Block, User
from hemonc.members.selectors import user_ids_hidden_from
from hemonc.mentorship.enums import RequestStatus
from hemonc.mentorship.models import Mentorship, MentorshipRequest, ProgramApplication

# Participants who see a conversation's messages: the accepted ones and those asked to join.
SEEING = (ParticipantStatus.ACCEPTED, ParticipantStatus.REQUESTED)
# Messages a moderator reads around a reported one, before and after it.
REPORT_CONTEXT = 5


def members_share_mentoring(a: User, b: User) -> bool:
    """A mentorship (any), a request waiting or accepted, or a program both applied to."""
    pair = Q(mentor=a, mentee=b) | Q(mentor=b, mentee=a)
    if Mentorship.objects.filter(pair).exists():
        return True
    asked = MentorshipRequest.objects.filter(
        pair, status__in=(RequestStatus.PENDING, RequestStatus.ACCEPTED)
    )
    if asked.exists():
        return True
    return ProgramApplication.objects.filter(
        user=a, program__in=ProgramApplication.objects.filter(user=b).values("program")
    ).exists()


def members_share_context(a: User, b: User) -> bool:
    """Do `a` and `b` share a space, a program or a mentorship? Then a message goes straight
    through; otherwise it is a request the other accepts first."""
    if members_share_mentoring(a, b):
        return True
    return _share_space(a, b)


def _share_space(a: User, b: User) -> bool:
    from hemonc.community.selectors import users_share_space

    return users_share_space(a, b)


def blocked_between(user_ids: list[int]) -> bool:
    """Has any of these members blocked another of them?"""
    return Block.objects.filter(blocker_id__in=user_ids, blocked_id__in=user_ids).exists()


def participant_for(*, conversation: Conversation, user: User) -> Participant | None:
    return Participant.objects.filter(conversation=conversation, user=user).first()


def conversation_for_member(*, user: User, pk: int) -> Conversation | None:
    """The conversation, if `user` takes part in it (accepted or asked): else None."""
    return (
        Conversation.objects.filter(pk=pk, participants__user=user, participants__status__in=SEEING)
        # One whose every message waits for review is its writer's alone.
        .filter(Q(last_message_at__isnull=False) | Q(created_by=user))
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("user__profile"))
        )
        .first()
    )


def conversation_pending(*, conversation: Conversation, user: User) -> bool:
    """Is every other member of the conversation still asked to join (a request `user` made
    that nobody accepted yet, or that was ignored: the writer sees both as waiting)?"""
    return not (
        Participant.objects.filter(conversation=conversation, status=ParticipantStatus.ACCEPTED)
        .exclude(user=user)
        .exists()
    )


def conversation_direct_with(*, user: User, other: User) -> Conversation | None:
    from hemonc.community.models.messages import pair_key

    return Conversation.objects.filter(pair_key=pair_key(user.pk, other.pk)).first()


@dataclass
class ConversationLine:
    """One line of a member's list of conversations."""

    conversation: Conversation
    others: list[User]
    status: str  # the member's own: accepted or requested
    pending: bool  # every other member is still asked to join (the member wrote first)
    ended: bool  # a block between two participants ended it
    unread: int
    last: Message | None = None
    names: str = field(default="")


def _ended_ids(conversation_ids: list[int]) -> set[int]:
    """Of these conversations, those with a block between two of their participants."""
    if not conversation_ids:
        return set()
    members: dict[int, set[int]] = {}
    for conversation_id, user_id in Participant.objects.filter(
        conversation_id__in=conversation_ids
    ).values_list("conversation_id", "user_id"):
        members.setdefault(conversation_id, set()).add(user_id)
    everyone = set().union(*members.values())
    blocks = list(
        Block.objects.filter(blocker_id__in=everyone, blocked_id__in=everyone).values_list(
            "blocker_id", "blocked_id"
        )
    )
    return {
        conversation_id
        for conversation_id, ids in members.items()
        if any(blocker in ids and blocked in ids for blocker, blocked in blocks)
    }


def conversation_is_ended(conversation: Conversation) -> bool:
    return bool(_ended_ids([conversation.pk]))


def _unread_filter(user: User) -> Q:
    return Q(
        conversation__participants__user=user,
        conversation__participants__status__in=SEEING,
    ) & (
        Q(conversation__participants__last_read_at__isnull=True)
        | Q(created_at__gt=F("conversation__participants__last_read_at"))
    )


def _unread_messages(user: User) -> QuerySet[Message]:
    hidden = user_ids_hidden_from(viewer=user) or frozenset()
    return (
        Message.objects.filter(_unread_filter(user), hidden=False)
        .filter(PUBLISHED)
        .exclude(sender=user)
        .exclude(sender_id__in=hidden)
    )


# The header's count, asked on every page a member opens: written out, as the ORM took
# twenty times longer to build it than the database to answer (an indexed look-up of the
# member's few conversations). The same rows as `_unread_messages`.
_UNREAD_SQL = (
    f"SELECT COUNT(*) FROM {Message._meta.db_table} m "  # noqa: S608
    f"JOIN {Participant._meta.db_table} p ON p.conversation_id = m.conversation_id "
    "WHERE p.user_id = %s AND p.status IN (%s, %s) "
    "AND (p.last_read_at IS NULL OR m.created_at > p.last_read_at) "
    "AND m.hidden = %s AND (m.review_state IS NULL OR m.review_state = %s) "
    "AND (m.sender_id IS NULL OR m.sender_id NOT IN ({senders}))"
)


def unread_total(*, user: User) -> int:
    """Messages waiting unread for `user` across their conversations and requests (senders
    they blocked or muted, or who blocked them, messages the moderators hid and messages
    waiting for review raise no count)."""
    senders = [user.pk, *sorted(user_ids_hidden_from(viewer=user) or ())]
    sql = _UNREAD_SQL.format(senders=", ".join(["%s"] * len(senders)))
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                user.pk,
                *(status.value for status in SEEING),
                False,
                review.ReviewState.APPROVED.value,
                *senders,
            ],
        )
        (count,) = cursor.fetchone()
    return int(count)


def unread_by_conversation(*, user: User) -> dict[int, int]:
    counts: dict[int, int] = {}
    for conversation_id in _unread_messages(user).values_list("conversation_id", flat=True):
        counts[conversation_id] = counts.get(conversation_id, 0) + 1
    return counts


def conversation_lines(
    *, user: User, status: str = ParticipantStatus.ACCEPTED
) -> list[ConversationLine]:
    """The member's conversations (or, with REQUESTED, the requests waiting for them), the
    latest first, with who is in each, the last message and the unread count."""
    conversations = list(
        Conversation.objects.filter(participants__user=user, participants__status=status)
        # One whose every message waits for review is its writer's alone.
        .filter(Q(last_message_at__isnull=False) | Q(created_by=user))
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("user__profile"))
        )
        .order_by("-last_message_at", "-id")[:200]
    )
    ids = [c.pk for c in conversations]
    ended = _ended_ids(ids)
    unread = unread_by_conversation(user=user)
    last: dict[int, Message] = {}
    latest = (
        Message.objects.filter(conversation_id__in=ids)
        .filter(review.visible_q(user, author_field="sender_id"))
        .order_by("conversation_id", "-created_at", "-id")
        .select_related("sender__profile")
    )
    for message in latest:
        last.setdefault(message.conversation_id, message)
    hidden = user_ids_hidden_from(viewer=user) or frozenset()
    lines = []
    for conversation in conversations:
        others = [p for p in conversation.participants.all() if p.user_id != user.pk]
        if status == ParticipantStatus.REQUESTED and any(p.user_id in hidden for p in others):
            continue  # a request from someone blocked or muted is not shown
        lines.append(
            ConversationLine(
                conversation=conversation,
                others=[p.user for p in others],
                status=status,
                pending=all(p.status != ParticipantStatus.ACCEPTED for p in others),
                ended=conversation.pk in ended,
                unread=unread.get(conversation.pk, 0),
                last=last.get(conversation.pk),
                names=", ".join(str(p.user) for p in others),
            )
        )
    return lines


def request_count(*, user: User) -> int:
    return len(conversation_lines(user=user, status=ParticipantStatus.REQUESTED))


def conversation_messages(*, conversation: Conversation, user: User) -> QuerySet[Message]:
    """The messages `user` reads: not those of others waiting for review."""
    return (
        conversation.messages.filter(review.visible_q(user, author_field="sender_id"))
        .select_related("sender__profile")
        .order_by("created_at", "id")
    )


def messages_around(*, message: Message, around: int = REPORT_CONTEXT) -> list[Message]:
    """The message and the few before and after it in its own conversation, nothing else:
    what a moderator reads of a reported message."""
    same = Message.objects.filter(
        PUBLISHED, conversation_id=message.conversation_id
    ).select_related("sender__profile")
    before = list(
        same.filter(
            Q(created_at__lt=message.created_at)
            | Q(created_at=message.created_at, id__lt=message.pk)
        ).order_by("-created_at", "-id")[:around]
    )
    after = list(
        same.filter(
            Q(created_at__gt=message.created_at)
            | Q(created_at=message.created_at, id__gt=message.pk)
        ).order_by("created_at", "id")[:around]
    )
    return [*reversed(before), message, *after]


def has_unread_since(*, participant: Participant, since: datetime) -> bool:
    return (
        Message.objects.filter(
            PUBLISHED, conversation_id=participant.conversation_id, created_at__gt=since
        )
        .exclude(sender_id=participant.user_id)
        .exists()
    )
