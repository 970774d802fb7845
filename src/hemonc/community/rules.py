"""Permission predicates of the community (django-rules), checked by its services and views."""

from __future__ import annotations

from typing import Any

import rules

from hemonc.members.rules import is_member, is_moderator, is_organizer

# ---- spaces (+ notifications) ----


@rules.predicate
def can_see_space(user: Any, space: Any) -> bool:
    from hemonc.community.selectors import space_is_visible

    return space is not None and space_is_visible(user, space)


@rules.predicate
def is_author(user: Any, item: Any) -> bool:
    return bool(item is not None and user and item.author_id == user.pk)


rules.add_perm("community.read_notifications", is_member)
rules.add_perm("community.follow", is_member)
# On a Space: post a discussion in it.
rules.add_perm("community.post", is_member & can_see_space)
# On a Discussion or a Reply.
rules.add_perm("community.edit_post", is_member & (is_author | is_moderator | is_organizer))
rules.add_perm("community.moderate_posts", is_moderator | is_organizer)
rules.add_perm("community.manage_spaces", is_organizer)
rules.add_perm("community.verify_stage", is_organizer)
# ---- end spaces ----

# ---- opportunities (+ sponsorship) ----


@rules.predicate
def is_sponsor(user: Any) -> bool:
    """Faculty (stage attending) or a mentor."""
    from hemonc.community.selectors import user_is_sponsor

    return bool(user and user.is_authenticated and user_is_sponsor(user))


@rules.predicate
def is_nominee(user: Any, nomination: Any) -> bool:
    return bool(user and nomination is not None and user.pk == nomination.nominee_id)


@rules.predicate
def is_nominator(user: Any, nomination: Any) -> bool:
    return bool(user and nomination is not None and user.pk == nomination.nominator_id)


rules.add_perm("community.view_opportunities", is_member)
rules.add_perm("community.suggest_opportunity", is_member)
rules.add_perm("community.save_opportunity", is_member)
# Approve or reject suggestions, add and edit opportunities, see nominations per opportunity.
rules.add_perm("community.review_opportunities", is_organizer)
rules.add_perm("community.nominate", is_sponsor)
rules.add_perm("community.answer_nomination", is_nominee)
rules.add_perm("community.withdraw_nomination", is_nominator)
rules.add_perm("community.view_nominations", is_organizer)


# ---- messages (+ digest) ----


@rules.predicate
def takes_part(user: Any, conversation: Any) -> bool:
    """`user` is in the conversation (accepted it, or wrote first)."""
    from hemonc.community.models.messages import Participant, ParticipantStatus

    return bool(
        user
        and user.is_authenticated
        and conversation is not None
        and Participant.objects.filter(
            conversation=conversation, user_id=user.pk, status=ParticipantStatus.ACCEPTED
        ).exists()
    )


@rules.predicate
def is_asked(user: Any, conversation: Any) -> bool:
    """`user` was asked to join the conversation (a request waiting, or one they ignored)."""
    from hemonc.community.models.messages import Participant

    return bool(
        user
        and user.is_authenticated
        and conversation is not None
        and Participant.objects.filter(conversation=conversation, user_id=user.pk)
        .exclude(status="accepted")
        .exists()
    )


@rules.predicate
def sees_message(user: Any, message: Any) -> bool:
    """`user` reads the message's conversation (accepted, or asked to join)."""
    from hemonc.community.models.messages import Participant, ParticipantStatus

    return bool(
        user
        and user.is_authenticated
        and message is not None
        and Participant.objects.filter(
            conversation_id=message.conversation_id,
            user_id=user.pk,
            status__in=(ParticipantStatus.ACCEPTED, ParticipantStatus.REQUESTED),
        ).exists()
    )


rules.add_perm("community.start_conversation", is_member)
rules.add_perm("community.send_message", takes_part)
rules.add_perm("community.answer_request", is_asked)
rules.add_perm("community.read_conversation", takes_part | is_asked)
# Report a message to the moderators (the moderation app's report page checks it): a
# moderator then reads it and its context on the case, nothing else of the conversation.
rules.add_perm("community.report_message", sees_message)
rules.add_perm("community.edit_own_settings", is_member)
# Mail the worker sends to members (the weekly digest, unread messages): the operator only.
rules.add_perm("community.send_digest", rules.always_deny)
