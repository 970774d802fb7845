"""Spaces and their discussions: replies, reactions, edits, follows, verified stages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from hemonc.community.enums import DiscussionKind, ReactionKind, ReviewState, SpaceVisibility
from hemonc.core.models import TimeStampedModel
from hemonc.events.models import LiveSession
from hemonc.mentorship.models import Program
from hemonc.taxonomy.enums import Stage
from hemonc.taxonomy.models import Topic

USER = settings.AUTH_USER_MODEL


class Space(TimeStampedModel):
    """A room of discussions. Who may see it decides whether it exists for them at all
    (`community.selectors.spaces_visible_to`)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=2000, help_text="Markdown.")
    visibility = models.CharField(
        max_length=12, choices=SpaceVisibility.choices, default=SpaceVisibility.MEMBERS
    )
    program = models.ForeignKey(
        Program,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="spaces",
        help_text="For a program space: its members are the program's applicants and pairs.",
    )
    verified_stage_only = models.BooleanField(
        default=False,
        help_text="Trainees only: admit only members whose stage organizers have verified.",
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community:space", args=[self.slug])


class SpaceMember(models.Model):
    """An invitation to an invited-members space (the member is in it from then on)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="space_memberships")
    invited_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="community_space_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.space}"


class StageVerification(models.Model):
    """The training stage organizers have checked; trainee-only spaces trust it over the
    stage a member gives on their profile."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="stage_verification")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    verified_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_stage_display()}"


class Discussion(TimeStampedModel):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="discussions")
    author = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="discussions"
    )
    kind = models.CharField(
        max_length=16, choices=DiscussionKind.choices, default=DiscussionKind.DISCUSSION
    )
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20000, help_text="Markdown.")
    # The body rendered (core.markdown) when written, and the members it mentions by the
    # name written (@[Name] -> user id), resolved then among those who could be mentioned.
    body_html = models.TextField(blank=True, editable=False)
    mentions = models.JSONField(default=dict, blank=True, editable=False)
    tags = models.ManyToManyField(Topic, blank=True, related_name="discussions")
    # A journal club's or a chat's live session, and the paper a journal club reads.
    session = models.ForeignKey(
        LiveSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="discussions"
    )
    paper_doi = models.CharField(max_length=200, blank=True)
    paper_title = models.CharField(max_length=300, blank=True)
    paper_journal = models.CharField(max_length=200, blank=True)
    paper_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # A chat: replies show live during the hour from this time.
    starts_at = models.DateTimeField(null=True, blank=True)
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    # Taken down (moderation): gone for everyone but moderators and organizers.
    hidden = models.BooleanField(default=False)
    # A new account's post waiting for a moderator (docs/moderation.md, "New accounts"):
    # shown to its author and moderators only until approved; none when never held.
    review_state = models.CharField(
        max_length=8, choices=ReviewState.choices, null=True, blank=True, default=None
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(db_index=True)
    reply_count = models.PositiveIntegerField(default=0)
    # What full-text search reads (title, body, tags); kept by the services.
    search_document = models.TextField(blank=True, editable=False)
    # A token replaced with every change its page of replies shows (community.signals: a
    # reply, a reaction, a pin, a lock...): the key of that page's cache (views.spaces).
    # Null until the first change (nullable, SQLite adds the column in place: rebuilding the
    # table would drop the search's triggers).
    version = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-pinned", "-last_activity_at", "-id"]
        indexes = [
            models.Index(fields=["space", "-pinned", "-last_activity_at"]),
            models.Index(
                fields=["created_at"],
                condition=Q(review_state=ReviewState.WAITING),
                name="community_discussion_waiting",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:discussion", args=[self.space.slug, self.pk])

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.paper_doi}" if self.paper_doi else ""


class Reply(models.Model):
    """A reply; it may quote one other reply of the discussion (one level, never a tree)."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="discussion_replies"
    )
    body = models.TextField(max_length=10000, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    mentions = models.JSONField(default=dict, blank=True, editable=False)
    quote = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden = models.BooleanField(default=False)
    # A new account's post waiting for a moderator (docs/moderation.md, "New accounts"):
    # shown to its author and moderators only until approved; none when never held.
    review_state = models.CharField(
        max_length=8, choices=ReviewState.choices, null=True, blank=True, default=None
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["discussion", "created_at", "id"]),
            models.Index(
                fields=["created_at"],
                condition=Q(review_state=ReviewState.WAITING),
                name="community_reply_waiting",
            ),
        ]
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"Reply #{self.pk} to {self.discussion_id}"


class Revision(models.Model):
    """What a discussion or a reply said before an edit; moderators read the history."""

    discussion = models.ForeignKey(
        Discussion, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    edited_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discussion__isnull=True) ^ Q(reply__isnull=True),
                name="community_revision_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"Revision #{self.pk}"


class Reaction(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="discussion_reactions")
    discussion = models.ForeignKey(
        Discussion, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions"
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=12, choices=ReactionKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(discussion__isnull=True) ^ Q(reply__isnull=True),
                name="community_reaction_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "discussion", "kind"],
                condition=Q(reply__isnull=True),
                name="community_reaction_discussion_once",
            ),
            models.UniqueConstraint(
                fields=["user", "reply", "kind"],
                condition=Q(discussion__isnull=True),
                name="community_reaction_reply_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id}"


class Follow(models.Model):
    """A member follows a space, a topic tag or a discussion (exactly one): replies to a
    followed discussion notify them, and the weekly digest is built from what they follow."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="community_follows")
    space = models.ForeignKey(
        Space, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="community_follows"
    )
    discussion = models.ForeignKey(
        Discussion, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(space__isnull=False, topic__isnull=True, discussion__isnull=True)
                    | Q(space__isnull=True, topic__isnull=False, discussion__isnull=True)
                    | Q(space__isnull=True, topic__isnull=True, discussion__isnull=False)
                ),
                name="community_follow_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "space"], condition=Q(space__isnull=False),
                name="community_follow_space_once",
            ),
            models.UniqueConstraint(
                fields=["user", "topic"], condition=Q(topic__isnull=False),
                name="community_follow_topic_once",
            ),
            models.UniqueConstraint(
                fields=["user", "discussion"], condition=Q(discussion__isnull=False),
                name="community_follow_discussion_once",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.space_id or self.topic_id or self.discussion_id}"
