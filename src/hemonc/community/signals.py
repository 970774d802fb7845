"""What the community does when a lower app acts: mentorship requests and mentorships open
the pair's conversation (mentorship cannot import the community, so it is told by signal)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from hemonc.mentorship.models import Mentorship, MentorshipRequest

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
