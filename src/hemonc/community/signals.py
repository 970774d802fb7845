"""What the community does when a lower app acts: mentorship requests and mentorships open
the pair's conversation (mentorship cannot import the community, so it is told by signal).
And a discussion's page version, replaced by every save of what its page shows, whoever
saves it (services, moderation, the admin)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from hemonc.community.models import Discussion, Reaction, Reply, Space
from hemonc.events.models import LiveSession
from hemonc.mentorship.models import Mentorship, MentorshipRequest
from hemonc.taxonomy.models import Topic

# ---- spaces ----


def discussion_page_changed(**condition: Any) -> None:
    """A new `Discussion.version` for the discussion `condition` finds, in the caller's
    transaction: the cached pages of its replies are not read again once it commits. Random
    rather than counted, as `core.versions` explains."""
    Discussion.objects.filter(**condition).update(version=uuid.uuid4())


@receiver(post_save, sender=Discussion, dispatch_uid="community.discussion_saved")
def discussion_saved(sender: Any, instance: Discussion, raw: bool = False, **kwargs: Any) -> None:
    # A pin, a lock, a take-down, an edit: the replies' links and buttons follow the lock.
    if not raw:
        discussion_page_changed(pk=instance.pk)


@receiver(m2m_changed, sender=Discussion.tags.through, dispatch_uid="community.discussion_tags")
def discussion_tags_changed(
    instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if not reverse:  # a discussion's tags set, added to, taken from or cleared
        if action.startswith("post_"):
            discussion_page_changed(pk=instance.pk)
    elif action == "pre_clear":  # a topic taken off every discussion: named while they are
        tagged = Discussion.tags.through.objects.filter(topic_id=instance.pk)
        discussion_page_changed(pk__in=tagged.values("discussion_id"))
    elif action in ("post_add", "post_remove"):
        discussion_page_changed(pk__in=pk_set or ())


@receiver(post_save, sender=Topic, dispatch_uid="community.topic_saved")
@receiver(pre_delete, sender=Topic, dispatch_uid="community.topic_deleted")
def topic_changed(sender: Any, instance: Topic, raw: bool = False, **kwargs: Any) -> None:
    # A tag's name and address are on the pages of the discussions that carry it.
    if not raw:
        tagged = Discussion.tags.through.objects.filter(topic_id=instance.pk)
        discussion_page_changed(pk__in=tagged.values("discussion_id"))


@receiver(post_save, sender=Space, dispatch_uid="community.space_saved")
def space_changed(sender: Any, instance: Space, raw: bool = False, **kwargs: Any) -> None:
    if not raw:  # its name is on its discussions' pages
        discussion_page_changed(space_id=instance.pk)


@receiver(post_save, sender=LiveSession, dispatch_uid="community.live_session_saved")
@receiver(pre_delete, sender=LiveSession, dispatch_uid="community.live_session_deleted")
def live_session_changed(
    sender: Any, instance: LiveSession, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:  # a journal club's or a chat's page names its session and its time
        discussion_page_changed(session_id=instance.pk)


@receiver(post_save, sender=Reply, dispatch_uid="community.reply_saved")
@receiver(post_delete, sender=Reply, dispatch_uid="community.reply_deleted")
def reply_changed(sender: Any, instance: Reply, raw: bool = False, **kwargs: Any) -> None:
    # New, edited, taken down, put back (by a moderator or a moderation case) or deleted.
    if not raw:
        discussion_page_changed(pk=instance.discussion_id)


@receiver(post_save, sender=Reaction, dispatch_uid="community.reaction_saved")
@receiver(post_delete, sender=Reaction, dispatch_uid="community.reaction_deleted")
def reaction_changed(sender: Any, instance: Reaction, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    if instance.reply_id is None:
        discussion_page_changed(pk=instance.discussion_id)
    else:
        replied = Reply.objects.filter(pk=instance.reply_id).values("discussion_id")
        discussion_page_changed(pk__in=replied)


# ---- messages (+ digest) ----


@receiver(post_save, sender=MentorshipRequest, dispatch_uid="community.mentorship_request")
def mentorship_request_opens_conversation(
    sender: Any, instance: MentorshipRequest, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        from hemonc.community.services.messages import open_for_mentorship_request

        with transaction.atomic():
            open_for_mentorship_request(request_id=instance.pk)


@receiver(post_save, sender=Mentorship, dispatch_uid="community.mentorship")
def mentorship_opens_conversation(
    sender: Any, instance: Mentorship, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        from hemonc.community.services.messages import open_for_mentorship

        with transaction.atomic():
            open_for_mentorship(mentorship_id=instance.pk)
