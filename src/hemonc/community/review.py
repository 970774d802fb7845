"""New accounts: their first few discussions, replies and messages to people outside their
programs wait for a moderator (docs/moderation.md, "New accounts").

`MODERATION_NEW_ACCOUNT_REVIEW` (settings) is how many; 0 turns review off. Organizers,
moderators and members an organizer vouched for never wait. What a member writes in a
program's space, or to someone who shares a program or a mentorship with them, neither
waits nor counts. A post that waited counts once approved; one turned down does not.

Who is vouched for is the moderation app's to say, and it sits above this one: it answers
through `vouched_for(user) -> bool` on its AppConfig.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Q

from hemonc.community.enums import ReviewState, SpaceVisibility
from hemonc.mentorship.models import Mentorship, ProgramApplication

# Published: never held, or approved.
PUBLISHED = Q(review_state__isnull=True) | Q(review_state=ReviewState.APPROVED)
# What the author reads beside a post of theirs that waits.
WAITING_NOTE = (
    "The first posts and messages of a new account are read by a moderator before others "
    "see them: nobody else sees this one until it is approved."
)

# What the author is told when what they just wrote waits.
HELD_SAYING = (
    "Thank you: as with the first posts of every new account, a moderator reads it before "
    "others see it. You will find it marked “Waiting for review” until then."
)

_established: ContextVar[bool] = ContextVar("community_review_established", default=False)


@contextmanager
def established_members() -> Iterator[None]:
    """Within it, nobody's posts wait: the demo's members are an established network."""
    token = _established.set(True)
    try:
        yield
    finally:
        _established.reset(token)


def review_count() -> int:
    """How many posts of a new account wait for review (0: none)."""
    return max(0, int(getattr(settings, "MODERATION_NEW_ACCOUNT_REVIEW", 0) or 0))


def visible_q(user: Any, *, author_field: str = "author_id") -> Q:
    """What `user` is shown of these rows: the published ones, and their own that wait."""
    own = Q(**{author_field: getattr(user, "pk", None), "review_state": ReviewState.WAITING})
    return PUBLISHED | own


def is_vouched(user: Any) -> bool:
    for config in apps.get_app_configs():
        if (vouched := getattr(config, "vouched_for", None)) is not None and vouched(user):
            return True
    return False


def skips_review(user: Any) -> bool:
    """Organizers, moderators and members vouched for never wait (nor anyone while the
    setting is 0)."""
    if review_count() == 0 or _established.get():
        return True
    return bool(user.is_organizer or user.is_moderator or is_vouched(user))


def programs_of(user_id: int) -> set[int]:
    """The programs a member belongs to: applied to, or paired in."""
    applied = ProgramApplication.objects.filter(user_id=user_id).values_list(
        "program_id", flat=True
    )
    paired = (
        Mentorship.objects.filter(Q(mentor_id=user_id) | Q(mentee_id=user_id))
        .filter(program__isnull=False)
        .values_list("program_id", flat=True)
    )
    return set(applied) | set(paired)


def shares_program(author: Any, others: Iterable[Any]) -> bool:
    """Does every one of `others` share a program or a mentorship (a pair, a request) with
    `author`? Then messages to them neither wait nor count."""
    from hemonc.community.selectors_messages import members_share_mentoring

    others = list(others)
    if not others:
        return True
    mine = programs_of(author.pk)
    return all(
        bool(mine & programs_of(other.pk)) or members_share_mentoring(author, other)
        for other in others
    )


def posts_counted(user: Any, *, enough: int) -> int:
    """How many of `user`'s posts count toward the review (at most `enough`): those approved
    after waiting, and the discussions and replies published outside program spaces without
    waiting (written before review began, or while it was off or they were vouched for)."""
    from hemonc.community.models import Discussion, Message, Reply

    approved = Q(review_state=ReviewState.APPROVED)
    never_held = Q(review_state__isnull=True)
    counted = len(
        Discussion.objects.filter(author_id=user.pk, hidden=False)
        .filter(approved | (never_held & ~Q(space__visibility=SpaceVisibility.PROGRAM)))
        .values_list("pk", flat=True)[:enough]
    )
    if counted < enough:
        in_program = Q(discussion__space__visibility=SpaceVisibility.PROGRAM)
        counted += len(
            Reply.objects.filter(author_id=user.pk, hidden=False)
            .filter(approved | (never_held & ~in_program))
            .values_list("pk", flat=True)[: enough - counted]
        )
    if counted < enough:
        counted += len(
            Message.objects.filter(
                sender_id=user.pk, review_state=ReviewState.APPROVED
            ).values_list("pk", flat=True)[: enough - counted]
        )
    return counted


def holds(author: Any, *, space: Any = None, recipients: Iterable[Any] | None = None) -> bool:
    """Does what `author` writes now wait for review? In `space` (a discussion or a reply),
    or to `recipients` (a message)."""
    if author is None or skips_review(author):
        return False
    if space is not None and space.visibility == SpaceVisibility.PROGRAM:
        return False
    enough = review_count()
    if posts_counted(author, enough=enough) >= enough:
        return False
    return recipients is None or not shares_program(author, recipients)


def is_waiting(post: Any) -> bool:
    return bool(post is not None and post.review_state == ReviewState.WAITING)
