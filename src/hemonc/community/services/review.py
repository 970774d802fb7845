"""A new account's post after its review (docs/moderation.md, "New accounts"): approved, it is
published as of now and what it would have told anyone is told then, once; turned down, it
stays unseen. Steps of the moderation app's services (they run in its transaction)."""

from __future__ import annotations

from django.utils import timezone

from hemonc.community.enums import ReviewState
from hemonc.community.models import Discussion, Message, Participant, Reply
from hemonc.community.services.messages import _notify_new, message_deliver
from hemonc.community.services.spaces import discussion_deliver, reply_deliver
from hemonc.core.errors import DomainError

Post = Discussion | Reply | Message


def _waiting(post: Post) -> Post:
    locked = type(post).objects.select_for_update().filter(pk=post.pk).first()
    if locked is None or locked.review_state != ReviewState.WAITING:
        raise DomainError("This was reviewed already.")
    return locked


def post_publish(post: Post) -> Post:
    """Publish a post that waited: it takes its place as of now (the top of its space, the
    end of its discussion or conversation), and mentions, replies and messages are told."""
    post = _waiting(post)
    now = timezone.now()
    post.review_state = ReviewState.APPROVED
    post.created_at = now
    if isinstance(post, Discussion):
        post.last_activity_at = now
        post.save(update_fields=["review_state", "created_at", "last_activity_at"])
        discussion_deliver(post)
    elif isinstance(post, Reply):
        post.save(update_fields=["review_state", "created_at"])
        reply_deliver(post)
    else:
        post.save(update_fields=["review_state", "created_at"])
        conversation = post.conversation
        first = conversation.last_message_at is None
        message_deliver(conversation, message=post)
        sender = post.sender
        if first and sender is not None:
            # The conversation's first message: those in it hear of it now.
            people = [
                participant.user
                for participant in Participant.objects.filter(conversation=conversation)
                .exclude(user=sender)
                .select_related("user__profile")
            ]
            _notify_new(conversation=conversation, actor=sender, people=people)
    return post


def post_reject(post: Post) -> Post:
    """Turn a post that waited down: nobody but moderators sees it, and it does not count."""
    post = _waiting(post)
    post.review_state = ReviewState.REJECTED
    post.save(update_fields=["review_state"])
    return post
