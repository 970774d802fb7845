"""What the desk's pages read: posts by state, a post's platform posts, an account's queue,
the posts that wait for an organizer's approval."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, When

from hemonc.outreach.desk.services import second_approver_required
from hemonc.outreach.enums import DeskState, PartState
from hemonc.outreach.models import DeskApproval, DeskPart, DeskPost, QueueSlot, SocialAccount

# The desk's tabs, in the order of the workflow (failed first: it needs someone).
TABS = (
    DeskState.FAILED,
    DeskState.IN_REVIEW,
    DeskState.DRAFT,
    DeskState.APPROVED,
    DeskState.SCHEDULED,
    DeskState.PUBLISHED,
)
PAGE = 50


def _visible(viewer: Any) -> QuerySet[DeskPost]:
    """Organizers see every post; a member, their own."""
    posts = DeskPost.objects.all()
    if not viewer.has_perm("outreach.desk_approve"):
        posts = posts.filter(author_id=viewer.pk)
    return posts


def desk_posts(*, viewer: Any, state: str) -> QuerySet[DeskPost]:
    """The posts of one state the viewer may see: the next to go out first for scheduled
    posts, the latest first for the others."""
    order = ["release_at", "id"] if state == DeskState.SCHEDULED else ["-updated_at", "-id"]
    if state == DeskState.PUBLISHED:
        order = ["-published_at", "-id"]
    return (
        _visible(viewer)
        .filter(state=state)
        .select_related("author__profile", "session")
        .prefetch_related("accounts", "approvals__approver__profile")
        .annotate(image_count=Count("images", distinct=True))
        .order_by(*order)
    )


def desk_state_counts(*, viewer: Any) -> dict[str, int]:
    rows = _visible(viewer).order_by().values("state").annotate(n=Count("id"))
    counts = {row["state"]: row["n"] for row in rows}
    return {state: counts.get(state, 0) for state in TABS}


def desk_post_for(*, viewer: Any, pk: int) -> DeskPost | None:
    post = (
        _visible(viewer)
        .select_related("author__profile", "session", "queue_account", "phi_attested_by__profile")
        .prefetch_related(
            "accounts",
            "topics",
            Prefetch("approvals", DeskApproval.objects.select_related("approver__profile")),
        )
        .filter(pk=pk)
        .first()
    )
    return post


@dataclass
class AccountParts:
    """One account's platform posts of a desk post, in thread order."""

    account: SocialAccount
    parts: list[DeskPart] = field(default_factory=list)

    @property
    def failed(self) -> list[DeskPart]:
        return [part for part in self.parts if part.state == PartState.FAILED]

    @property
    def published(self) -> bool:
        return bool(self.parts) and all(p.state == PartState.PUBLISHED for p in self.parts)

    @property
    def first_url(self) -> str:
        return next((part.url for part in self.parts if part.url), "")


def post_parts(*, post: DeskPost) -> list[AccountParts]:
    """The post's platform posts by account (accounts without any yet listed empty)."""
    by_account: dict[int, AccountParts] = {
        account.pk: AccountParts(account) for account in post.accounts.all()
    }
    for part in post.parts.select_related("account").order_by("account", "position"):
        by_account.setdefault(part.account_id, AccountParts(part.account)).parts.append(part)
    return sorted(by_account.values(), key=lambda a: (a.account.platform, a.account.handle))


def desk_needs(*, user: Any, limit: int = 10) -> dict[str, list[DeskPost]]:
    """What waits for `user` on the desk, in one query (Needs you): posts in review they may
    approve and have not approved yet ("to_approve"; with a second approver required, not
    their own), and posts a platform refused ("failed", for those who may retry them); none
    the moderators hid (nothing can be done to those until they restore them)."""
    approver = user.has_perm("outreach.desk_approve")
    retrier = user.has_perm("outreach.desk_schedule")
    states = [s for s, ok in ((DeskState.IN_REVIEW, approver), (DeskState.FAILED, retrier)) if ok]
    if not states:
        return {"to_approve": [], "failed": []}
    posts: list[DeskPost] = list(
        DeskPost.objects.filter(state__in=states, hidden=False)
        .annotate(
            approved_by_user=Exists(
                DeskApproval.objects.filter(post=OuterRef("pk"), approver_id=user.pk)
            ),
            failed_first=Case(When(state=DeskState.FAILED, then=0), default=1),
        )
        .select_related("author__profile")
        .order_by("failed_first", "submitted_at", "id")[: limit * 5]
    )
    own_wait = second_approver_required()
    return {
        "to_approve": [
            post
            for post in posts
            if post.state == DeskState.IN_REVIEW
            and not getattr(post, "approved_by_user", False)
            and not (own_wait and post.author_id == user.pk)
        ][:limit],
        "failed": [post for post in posts if post.state == DeskState.FAILED][:limit],
    }


def awaiting_approval(*, user: Any, limit: int = 10) -> list[DeskPost]:
    """Posts in review that `user` may approve and has not approved yet."""
    return desk_needs(user=user, limit=limit)["to_approve"]


def failed_posts(*, user: Any, limit: int = 10) -> list[DeskPost]:
    return desk_needs(user=user, limit=limit)["failed"]


@dataclass
class QueueEntry:
    post: DeskPost
    when: datetime
    movable: bool  # in this account's queue (its time is a slot): it can change places


def account_queue(*, account: SocialAccount) -> list[QueueEntry]:
    """The account's scheduled posts, next first: those in its queue (movable) and those
    scheduled at a time of their own."""
    posts = (
        DeskPost.objects.filter(state=DeskState.SCHEDULED, accounts=account)
        .select_related("author__profile")
        .order_by("scheduled_at", "id")
    )
    return [
        QueueEntry(
            post,
            post.scheduled_at or post.release_at,  # type: ignore[arg-type]
            post.queue_account_id == account.pk and post.started_at is None,
        )
        for post in posts
        if post.scheduled_at or post.release_at
    ]


def account_slots(*, account: SocialAccount) -> list[QueueSlot]:
    return list(account.slots.order_by("weekday", "time"))


def desk_accounts_with_queues() -> QuerySet[SocialAccount]:
    return (
        SocialAccount.objects.filter(active=True)
        .annotate(
            queued_count=Count(
                "desk_posts", filter=Q(desk_posts__state=DeskState.SCHEDULED), distinct=True
            ),
            slot_count=Count("slots", distinct=True),
        )
        .order_by("platform", "handle")
    )


def published_history(*, viewer: Any) -> QuerySet[DeskPost]:
    return desk_posts(viewer=viewer, state=DeskState.PUBLISHED).prefetch_related(
        Prefetch(
            "parts",
            DeskPart.objects.select_related("account").order_by("account", "position"),
        )
    )


def parts_by_account(post: DeskPost) -> dict[SocialAccount, list[DeskPart]]:
    grouped: dict[SocialAccount, list[DeskPart]] = defaultdict(list)
    for part in post.parts.all():
        grouped[part.account].append(part)
    return dict(grouped)
