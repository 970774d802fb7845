"""Direct messages: conversations between two or a few members, and their messages.

A conversation's messages are private to its participants: no organizer page, no admin, and
a moderator reads a message only through a participant's report (the moderation app's case
about it, which shows the message and the few around it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from hemonc.community.enums import ReviewState

USER = settings.AUTH_USER_MODEL

# A conversation holds at most this many members (the sender and up to seven others).
MAX_PARTICIPANTS = 8
MESSAGE_MAX_LENGTH = 5000


class ParticipantStatus(models.TextChoices):
    ACCEPTED = "accepted", "In the conversation"
    # A member who shares no space, program or mentorship with the one who wrote first:
    # the conversation waits in their requests until they accept it (or ignore it).
    REQUESTED = "requested", "Asked to join"
    IGNORED = "ignored", "Ignored the request"


class MessageKind(models.TextChoices):
    TEXT = "text", "Message"
    # Written by the platform for a member (a mentorship request's note, its answer).
    MENTORSHIP_REQUEST = "mentorship_request", "Mentorship request"
    MENTORSHIP_ACCEPTED = "mentorship_accepted", "Mentorship accepted"


class Conversation(models.Model):
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The pair's direct conversation ("<low id>:<high id>"), so two members have one; empty
    # for a group.
    pair_key = models.CharField(max_length=41, blank=True, default="")
    # The mentorship this conversation grew from, when one did (requests open it).
    mentorship_request = models.ForeignKey(
        "mentorship.MentorshipRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mentorship = models.ForeignKey(
        "mentorship.Mentorship", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pair_key"], condition=~Q(pair_key=""), name="community_conversation_pair"
            )
        ]

    def __str__(self) -> str:
        return f"Conversation #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("community:conversation", args=[self.pk])

    @property
    def is_group(self) -> bool:
        return not self.pair_key


def pair_key(a: int, b: int) -> str:
    low, high = sorted((a, b))
    return f"{low}:{high}"


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="conversations_joined")
    status = models.CharField(
        max_length=10, choices=ParticipantStatus.choices, default=ParticipantStatus.ACCEPTED
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    # Messages after this are unread for the member.
    last_read_at = models.DateTimeField(null=True, blank=True)
    # When the member was last mailed about messages waiting unread (once per waiting batch).
    unread_mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["conversation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="community_participant_unique"
            )
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"Member #{self.user_id} in conversation #{self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="messages_sent"
    )
    kind = models.CharField(max_length=20, choices=MessageKind.choices, default=MessageKind.TEXT)
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    # A new account's post waiting for a moderator (docs/moderation.md, "New accounts"):
    # shown to its author and moderators only until approved; none when never held.
    review_state = models.CharField(
        max_length=8, choices=ReviewState.choices, null=True, blank=True, default=None
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Hidden by the moderators: the other participants see "hidden by moderators" in its
    # place; its sender still reads it, marked so.
    hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            models.Index(
                fields=["created_at"],
                condition=Q(review_state=ReviewState.WAITING),
                name="community_message_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"Message #{self.pk} in conversation #{self.conversation_id}"


class MessageSettings(models.Model):
    """A member's choices about messages (no row: the defaults)."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="message_settings")
    mail_when_unread = models.BooleanField(
        default=True,
        verbose_name="Mail me when a message waits unread for more than an hour",
    )

    class Meta:
        verbose_name_plural = "message settings"

    def __str__(self) -> str:
        return f"Message settings of member #{self.user_id}"
