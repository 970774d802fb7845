"""Publishing what is due, the same in the worker and in `hemonc outreach publish-due`.

Nothing is ever posted twice:

1. When a scheduled post's release time comes, its platform posts are written as rows
   (`DeskPart`: one per account and thread position), each with its idempotency key, in one
   transaction, before anything is sent. The key never changes.
2. A worker leases the rest of a thread (the parts still waiting, in order) with a
   conditional UPDATE (PostgreSQL first locks the candidate rows with SKIP LOCKED; SQLite has
   one writer): a part is leased to one worker at a time.
3. Before each request the part's attempt is counted and its lease renewed, again only where
   the worker still holds it. A part with an earlier attempt may have been stored although
   its answer was lost (a timeout, a dropped connection, a 5xx, a worker that died): it is
   first looked for on the platform (`Adapter.find`: Bluesky by the record key derived from
   the key, Mastodon by the Idempotency-Key, X among the account's recent posts).
4. The platform's answer is recorded at once, only while the lease holds; a worker that lost
   its lease stops (the new holder finds the part by its key).

Temporary failures wait (`retry_after`, else `OUTREACH_RETRY_SECONDS` doubling per attempt,
at most an hour) and the rest of the thread waits with them; after `OUTREACH_MAX_ATTEMPTS`
attempts, or at the platform's permanent refusal, the part fails with the platform's message
and so does the rest of its thread. A post whose parts all ended is published or failed.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.outreach.desk.platforms import (
    Adapter,
    Connection,
    Image,
    Part,
    PermanentError,
    PublishError,
    Ref,
    TemporaryError,
    adapter_for,
    new_key,
)
from hemonc.outreach.desk.services import account_state, image_problem
from hemonc.outreach.enums import DeskState, PartState, Platform, SourceFormat
from hemonc.outreach.models import DeskImage, DeskPart, DeskPost, Post, SocialAccount

logger = logging.getLogger(__name__)

CLAIM_BATCH = 200  # parts leased per claim


def _now() -> datetime:
    return timezone.now()


def lease_duration() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "OUTREACH_LEASE_SECONDS", 600)))


def max_attempts() -> int:
    return int(getattr(settings, "OUTREACH_MAX_ATTEMPTS", 8))


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    """How long a part waits after its `attempts`-th attempt failed for a while: what the
    platform asked for, else the base delay doubling per attempt (at most an hour)."""
    base = float(getattr(settings, "OUTREACH_RETRY_SECONDS", 30))
    backoff = min(base * 2 ** max(attempts - 1, 0), 3600.0)
    return timedelta(seconds=max(backoff, retry_after or 0.0))


@dataclass(frozen=True)
class Outcome:
    """One platform post this run published or gave up on."""

    platform: str
    handle: str
    position: int
    count: int
    where: str = ""  # the web address, else the platform's id (Bluesky: at-uri)
    error: str = ""

    def line(self) -> str:
        if self.error:
            return (
                f"{self.platform} {self.handle} {self.position}/{self.count} failed: {self.error}"
            )
        return f"{self.platform} {self.handle} {self.position}/{self.count} {self.where}"


@dataclass
class PublishRun:
    published: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    retried: int = 0
    found: int = 0  # parts a lost answer had stored, found on the platform
    retry_at: datetime | None = None  # the earliest moment waiting parts are due again
    posts: set[int] = field(default_factory=set)  # posts this run worked on

    def later(self, when: datetime) -> None:
        self.retry_at = min(self.retry_at or when, when)


# ---------------------------------------------------------------------------------------------
# Adapters, one per account and run


class _Accounts:
    """The adapter of each account for one run; the session state it keeps is stored after
    each call that changed it."""

    def __init__(self) -> None:
        self.adapters: dict[int, tuple[Adapter, Connection, str]] = {}

    def get(self, account: SocialAccount) -> Adapter:
        held = self.adapters.get(account.pk)
        if held is None:
            state = account_state(account)
            conn = Connection(
                platform=account.platform,
                handle=account.handle,
                service=account.service,
                secret=account.secret,
                state=state,
                client_id=str(getattr(settings, "OUTREACH_X_CLIENT_ID", "") or ""),
                client_secret=str(getattr(settings, "OUTREACH_X_CLIENT_SECRET", "") or ""),
            )
            held = (adapter_for(conn), conn, json.dumps(state, sort_keys=True))
            self.adapters[account.pk] = held
        return held[0]

    def keep_state(self, account: SocialAccount) -> None:
        held = self.adapters.get(account.pk)
        if held is None:
            return
        adapter, conn, saved = held
        now = json.dumps(conn.state, sort_keys=True)
        if now != saved:
            account.state = now
            SocialAccount.objects.filter(pk=account.pk).update(state=now)
            self.adapters[account.pk] = (adapter, conn, now)


# ---------------------------------------------------------------------------------------------
# Starting a post: its parts and their keys


def _thread_texts(post: DeskPost, account: SocialAccount, accounts: _Accounts) -> list[str]:
    from hemonc.outreach.desk.text import split_thread

    limit: int | None = None
    if account.platform == Platform.MASTODON:
        try:
            limit = accounts.get(account).limit()
        except PublishError:
            limit = None  # the default 500
        finally:
            accounts.keep_state(account)
    return split_thread(account.platform, post.text, limit=limit)


def start_due(*, now: datetime, post_ids: list[int] | None, accounts: _Accounts) -> list[int]:
    """Write the parts of each scheduled post whose release time came (once: a post being
    started by another worker is skipped). Returns the posts started."""
    from hemonc.outreach.desk.text import ThreadError

    due = DeskPost.objects.filter(
        state=DeskState.SCHEDULED, release_at__lte=now, started_at__isnull=True
    )
    if post_ids is not None:
        due = due.filter(pk__in=post_ids)
    started = []
    for post in due.prefetch_related("accounts").order_by("release_at", "id"):
        texts: dict[int, list[str]] = {}
        problem = ""
        for account in post.accounts.all():
            try:
                texts[account.pk] = _thread_texts(post, account, accounts)
            except ThreadError as error:
                problem = f"{Platform(account.platform).label}: {error}"
                break
            except PublishError as error:
                problem = f"{account}: {error.message}"
                break
        with transaction.atomic():
            locked = (
                DeskPost.objects.select_for_update(skip_locked=True)
                .filter(pk=post.pk, state=DeskState.SCHEDULED, started_at__isnull=True)
                .filter(release_at__lte=now)
                .first()
            )
            if locked is None:
                continue
            if problem:
                locked.state = DeskState.FAILED
                locked.last_error = problem
                locked.save(update_fields=["state", "last_error", "updated_at"])
                audit(actor=None, action="outreach.desk_failed", target=locked)
                continue
            rows = [
                DeskPart(
                    post=locked,
                    account_id=account_id,
                    position=position,
                    count=len(parts),
                    text=text,
                    key=new_key(),
                )
                for account_id, parts in texts.items()
                for position, text in enumerate(parts, start=1)
            ]
            DeskPart.objects.bulk_create(rows)
            locked.started_at = now
            locked.save(update_fields=["started_at", "updated_at"])
        started.append(post.pk)
    return started


# ---------------------------------------------------------------------------------------------
# Leasing threads


def _due(now: datetime) -> Q:
    return (
        Q(state=PartState.PENDING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        & Q(post__state=DeskState.SCHEDULED)
        & Q(post__started_at__isnull=False)
    )


def claim(*, owner: str, now: datetime, post_ids: list[int] | None, limit: int) -> list[int]:
    """Lease up to about `limit` due parts to `owner`, whole threads (every waiting part of
    a post on an account), committed. Returns the parts leased."""
    with transaction.atomic():
        candidates = DeskPart.objects.select_for_update(skip_locked=True).filter(_due(now))
        if post_ids is not None:
            candidates = candidates.filter(post_id__in=post_ids)
        ids = list(
            candidates.order_by("post_id", "account_id", "position").values_list("id", flat=True)[
                :limit
            ]
        )
        if not ids:
            return []
        DeskPart.objects.filter(_due(now), pk__in=ids).update(
            lease_owner=owner, lease_until=now + lease_duration()
        )
    return list(
        DeskPart.objects.filter(pk__in=ids, lease_owner=owner, state=PartState.PENDING)
        .order_by("post_id", "account_id", "position")
        .values_list("id", flat=True)
    )


def _begin(part: DeskPart, owner: str) -> bool:
    """Count the attempt about to start and renew the lease, only while `owner` holds it."""
    now = _now()
    return bool(
        DeskPart.objects.filter(
            pk=part.pk, lease_owner=owner, state=PartState.PENDING, lease_until__gt=now
        ).update(attempts=part.attempts + 1, lease_until=now + lease_duration())
    )


def _release(part_ids: list[int], owner: str, **fields: Any) -> int:
    return DeskPart.objects.filter(
        pk__in=part_ids, lease_owner=owner, state=PartState.PENDING
    ).update(lease_owner="", lease_until=None, **fields)


# ---------------------------------------------------------------------------------------------
# Publishing a thread


def _post_id(account: SocialAccount, ref: Ref) -> str:
    """The id the outreach analytics know the post by: Mastodon's archives name a post by its
    ActivityPub URI (the instance's /users/NAME/statuses/ID), the others by the platform id."""
    if account.platform == Platform.MASTODON and ref.id.isdigit():
        user = account.handle.split("@")[0]
        return f"{account.service.rstrip('/')}/users/{user}/statuses/{ref.id}"
    return ref.id


def _record(part: DeskPart, account: SocialAccount, ref: Ref, owner: str) -> bool:
    """The part is on the platform: store its reference and its analytics row at once."""
    now = _now()
    post_id = _post_id(account, ref)[:255]
    key = f"{account.platform}:{post_id}"[:270]
    with transaction.atomic():
        analytics = Post.objects.filter(key=key).first()
        if analytics is None:
            analytics = Post.objects.create(
                key=key,
                platform=account.platform,
                post_id=post_id,
                account=account,
                url=ref.url[:300],
                published_at=now,
                month=date(now.year, now.month, 1),
                text=part.text,
                source_format=SourceFormat.DESK,
            )
        done = DeskPart.objects.filter(pk=part.pk, lease_owner=owner).update(
            state=PartState.PUBLISHED,
            remote_id=ref.id[:300],
            remote_cid=ref.cid[:120],
            url=ref.url[:300],
            published_at=now,
            published_post=analytics,
            lease_owner="",
            lease_until=None,
            last_error="",
        )
        if not done:
            transaction.set_rollback(True)
            return False
    part.state, part.remote_id, part.remote_cid, part.url = (
        PartState.PUBLISHED, ref.id, ref.cid, ref.url,
    )  # fmt: skip
    return True


def _fail(parts: list[DeskPart], owner: str, message: str) -> None:
    """The first of `parts` failed with `message`; the rest of its thread cannot follow it."""
    first = parts[0]
    DeskPart.objects.filter(pk=first.pk, lease_owner=owner).update(
        state=PartState.FAILED, last_error=message[:2000], lease_owner="", lease_until=None
    )
    _rest(first).update(
        state=PartState.FAILED,
        last_error=f"Not sent: post {first.position}/{first.count} failed.",
        lease_owner="",
        lease_until=None,
    )


def _rest(part: DeskPart) -> Any:
    """The waiting parts of `part`'s thread after it (leased or not)."""
    return DeskPart.objects.filter(
        post_id=part.post_id,
        account_id=part.account_id,
        position__gt=part.position,
        state=PartState.PENDING,
    )


def _ref(part: DeskPart) -> Ref | None:
    if part.state != PartState.PUBLISHED or not part.remote_id:
        return None
    return Ref(id=part.remote_id, url=part.url, cid=part.remote_cid)


def _images(post_id: int, cache: dict[int, list[DeskImage]]) -> list[DeskImage]:
    if post_id not in cache:
        cache[post_id] = list(DeskImage.objects.filter(post_id=post_id).order_by("position", "id"))
    return cache[post_id]


def _publish_thread(
    thread: list[DeskPart],
    leased: set[int],
    *,
    owner: str,
    accounts: _Accounts,
    run: PublishRun,
    images: dict[int, list[DeskImage]],
) -> None:
    """Send the leased parts of one thread (all its parts, in order) one after the other."""
    account = thread[0].account
    adapter = accounts.get(account)
    langs = [lang for lang in thread[0].post.langs.split(",") if lang] or ["en"]
    label = Platform(account.platform).value
    for index, part in enumerate(thread):
        if part.state == PartState.PUBLISHED or part.pk not in leased:
            continue
        waiting = [p for p in thread[index:] if p.pk in leased]
        root = _ref(thread[0]) if index else None
        parent = _ref(thread[index - 1]) if index else None
        if index and (root is None or parent is None):
            _release([p.pk for p in waiting], owner)  # an earlier part is not out yet
            return
        pictures = []
        if part.position == 1:
            for image in _images(part.post_id, images):
                problem = image_problem(account.platform, image)
                if problem:
                    _fail(waiting, owner, problem)
                    run.failed.append(Outcome(label, account.handle, 1, part.count, error=problem))
                    return
                pictures.append(Image(data=bytes(image.data), mime=image.mime, alt=image.alt))
        outgoing = Part(
            text=part.text, key=part.key, images=pictures, langs=langs, root=root, parent=parent
        )
        tried_before = part.attempts > 0
        if not _begin(part, owner):
            return  # another worker holds the thread now
        part.attempts += 1
        try:
            ref = adapter.find(outgoing) if tried_before else None
            if ref is not None:
                run.found += 1
            else:
                ref = adapter.publish(outgoing)
        except TemporaryError as error:
            accounts.keep_state(account)
            if part.attempts >= max_attempts():
                message = f"{error.message} (gave up after {part.attempts} attempts)"
                _fail(waiting, owner, message)
                run.failed.append(
                    Outcome(label, account.handle, part.position, part.count, error=message)
                )
                return
            when = _now() + retry_delay(part.attempts, error.retry_after)
            DeskPart.objects.filter(pk=part.pk, lease_owner=owner).update(
                last_error=error.message[:2000]
            )
            _release([p.pk for p in waiting], owner, next_attempt_at=when)
            _rest(part).update(next_attempt_at=when)  # the thread waits for this part
            run.retried += 1
            run.later(when)
            return
        except PermanentError as error:
            accounts.keep_state(account)
            _fail(waiting, owner, error.message)
            run.failed.append(
                Outcome(label, account.handle, part.position, part.count, error=error.message)
            )
            return
        accounts.keep_state(account)
        if not _record(part, account, ref, owner):
            return  # the lease ran out meanwhile: its new holder finds the part by its key
        run.published.append(
            Outcome(label, account.handle, part.position, part.count, where=ref.url or ref.id)
        )


# ---------------------------------------------------------------------------------------------
# Finishing posts


def finish_posts(post_ids: set[int]) -> None:
    """A post every part of which ended is published, or failed with its parts' messages."""
    for post_id in sorted(post_ids):
        parts = list(
            DeskPart.objects.filter(post_id=post_id)
            .select_related("account")
            .order_by("account_id", "position")
        )
        if not parts or any(p.state == PartState.PENDING for p in parts):
            continue
        failed = [p for p in parts if p.state == PartState.FAILED]
        with transaction.atomic():
            post = (
                DeskPost.objects.select_for_update()
                .filter(pk=post_id, state=DeskState.SCHEDULED)
                .first()
            )
            if post is None:
                continue
            if failed:
                post.state = DeskState.FAILED
                post.last_error = "\n".join(
                    f"{Platform(p.account.platform).label} @{p.account.handle} "
                    f"{p.position}/{p.count}: {p.last_error}"
                    for p in failed
                    if not p.last_error.startswith("Not sent:")
                )
            else:
                post.state = DeskState.PUBLISHED
                post.published_at = max(p.published_at for p in parts if p.published_at)
            post.save(update_fields=["state", "last_error", "published_at", "updated_at"])
            audit(
                actor=None,
                action="outreach.desk_failed" if failed else "outreach.desk_published",
                target=post,
                changes={"parts": len(parts), "failed": len(failed)},
            )


def next_due(post_ids: list[int] | None = None) -> datetime | None:
    """When the earliest waiting part of a started post is due again."""
    waiting = DeskPart.objects.filter(
        state=PartState.PENDING, post__state=DeskState.SCHEDULED, post__started_at__isnull=False
    )
    if post_ids is not None:
        waiting = waiting.filter(post_id__in=post_ids)
    found = waiting.aggregate(
        at=Min("next_attempt_at"),
        lease=Min("lease_until"),
        free=Min("id", filter=Q(next_attempt_at__isnull=True, lease_until__isnull=True)),
    )
    if found["free"] is not None:
        return _now()
    moments = [m for m in (found["at"], found["lease"]) if m is not None]
    return min(moments) if moments else None


def waiting_parts() -> list[DeskPart]:
    """The parts of started posts still waiting (to be retried later)."""
    return list(
        DeskPart.objects.filter(
            state=PartState.PENDING,
            post__state=DeskState.SCHEDULED,
            post__started_at__isnull=False,
        )
        .select_related("account")
        .order_by("post_id", "account_id", "position")
    )


# ---------------------------------------------------------------------------------------------
# The pass


def publish_due(
    *, post_ids: list[int] | None = None, owner: str | None = None, wait_seconds: float = 0
) -> PublishRun:
    """Start the posts whose time came and publish every due part, thread by thread.

    `post_ids` limits the pass to those posts (the worker's task); `wait_seconds` lets the
    pass wait for parts retried later (`publish-due`: temporary failures are retried within
    the run while their next attempt falls within that many seconds of its start).
    """
    owner = owner or uuid.uuid4().hex[:16]
    run = PublishRun()
    accounts = _Accounts()
    images: dict[int, list[DeskImage]] = {}
    deadline = time.monotonic() + wait_seconds
    seen: tuple[int, int, int] = (-1, -1, -1)
    while True:
        now = _now()
        run.posts.update(start_due(now=now, post_ids=post_ids, accounts=accounts))
        while ids := claim(owner=owner, now=_now(), post_ids=post_ids, limit=CLAIM_BATCH):
            leased = set(ids)
            by_thread: dict[tuple[int, int], list[DeskPart]] = defaultdict(list)
            threads = {
                (post_id, account_id)
                for post_id, account_id in DeskPart.objects.filter(pk__in=ids).values_list(
                    "post_id", "account_id"
                )
            }
            wanted = Q()
            for post_id, account_id in threads:
                wanted |= Q(post_id=post_id, account_id=account_id)
            for part in (
                DeskPart.objects.filter(wanted)
                .select_related("account", "post")
                .order_by("post_id", "account_id", "position")
            ):
                by_thread[(part.post_id, part.account_id)].append(part)
            try:
                for key in sorted(by_thread):
                    run.posts.add(key[0])
                    _publish_thread(
                        by_thread[key],
                        leased,
                        owner=owner,
                        accounts=accounts,
                        run=run,
                        images=images,
                    )
            finally:
                # Anything still leased to this pass (an error mid-thread) goes back.
                DeskPart.objects.filter(
                    pk__in=ids, lease_owner=owner, state=PartState.PENDING
                ).update(lease_owner="", lease_until=None)
        finish_posts(run.posts)
        following = next_due(post_ids)
        if following is None:
            run.retry_at = None
            break
        run.retry_at = following
        pause = (following - _now()).total_seconds()
        progress = (len(run.published), len(run.failed), run.retried)
        if time.monotonic() + max(pause, 0) > deadline or (pause <= 0 and progress == seen):
            break
        seen = progress
        if pause > 0:
            time.sleep(pause)
    return run
