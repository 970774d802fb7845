"""Publishing what is due, the same in the worker and in `hemonc outreach publish-due`.

Nothing is ever posted twice:

1. When a post is scheduled its platform posts are written as rows (`DeskPart`: one per
   account and thread position), each with its idempotency key, before anything is sent.
   The key never changes.
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
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.outreach.desk.platforms import (
    Adapter,
    Connection,
    Image,
    Part,
    PermanentError,
    Ref,
    TemporaryError,
    adapter_for,
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
        self.rows: dict[int, SocialAccount] = {}

    def account(self, account_id: int) -> SocialAccount:
        """The account, read (and its secret decrypted) once per pass."""
        if account_id not in self.rows:
            self.rows[account_id] = SocialAccount.objects.get(pk=account_id)
        return self.rows[account_id]

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
# Leasing threads


def _due(now: datetime) -> Q:
    return (
        Q(state=PartState.PENDING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        & Q(post__state=DeskState.SCHEDULED)
        & Q(post__release_at__lte=now)
    )


def claim(
    *, owner: str, now: datetime, post_ids: list[int] | None, limit: int
) -> list[tuple[int, int]]:
    """Lease up to `limit` due parts to `owner`, in thread order, committed. Returns the
    (part, post) pairs asked for: the parts actually leased carry `owner`.

    One SELECT and two UPDATEs in plain SQL (the worker runs this once per post): PostgreSQL
    locks the candidate rows and skips those another worker is claiming (FOR UPDATE SKIP
    LOCKED); SQLite takes its one write lock when the transaction begins (IMMEDIATE). The
    UPDATE checks again that each part is due and free.
    """
    quote = connection.ops.quote_name
    parts, posts = quote(DeskPart._meta.db_table), quote(DeskPost._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    at = adapt(now)
    free = (
        "p.state = %s AND (p.next_attempt_at IS NULL OR p.next_attempt_at <= %s) "
        "AND (p.lease_until IS NULL OR p.lease_until < %s)"
    )
    params: list[Any] = [PartState.PENDING.value, at, at, DeskState.SCHEDULED.value, at]
    only = ""
    if post_ids is not None:
        if not post_ids:
            return []
        only = f" AND p.post_id IN ({', '.join(['%s'] * len(post_ids))})"
        params.extend(post_ids)
    lock = " FOR UPDATE OF p SKIP LOCKED" if connection.features.has_select_for_update_of else ""
    select = (
        f"SELECT p.id, p.post_id FROM {parts} p JOIN {posts} d ON d.id = p.post_id "  # noqa: S608
        f"WHERE {free} AND d.state = %s AND d.release_at <= %s{only} "
        f"ORDER BY p.post_id, p.account_id, p.position LIMIT {int(limit)}{lock}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(select, params)
        rows = [(int(part_id), int(post_id)) for part_id, post_id in cursor.fetchall()]
        if not rows:
            return []
        marks = ", ".join(["%s"] * len(rows))
        cursor.execute(
            f"UPDATE {parts} SET lease_owner = %s, lease_until = %s "  # noqa: S608
            f"WHERE id IN ({marks}) AND {free.replace('p.', '')}",
            [owner, adapt(now + lease_duration()), *(part for part, _ in rows), *params[:3]],
        )
        started = sorted({post for _, post in rows})
        cursor.execute(
            f"UPDATE {posts} SET started_at = %s WHERE started_at IS NULL "  # noqa: S608
            f"AND id IN ({', '.join(['%s'] * len(started))})",
            [at, *started],
        )
    return rows


class _Marks:
    """The two writes of every platform post, as prepared SQL on one cursor for the whole
    pass (each its own commit): the attempt begun, and the platform's answer recorded with
    the outreach post the analytics join. Both apply only while `owner` holds the part."""

    def __init__(self, cursor: Any, owner: str) -> None:
        quote = connection.ops.quote_name
        parts, posts = quote(DeskPart._meta.db_table), quote(Post._meta.db_table)
        self.cursor = cursor
        self.owner = owner
        self.adapt = connection.ops.adapt_datetimefield_value
        self.pending = PartState.PENDING.value
        self.begin_sql = (
            f"UPDATE {parts} SET attempts = attempts + 1, lease_until = %s "  # noqa: S608
            "WHERE id = %s AND lease_owner = %s AND state = %s AND lease_until > %s"
        )
        returning = " RETURNING id" if connection.features.can_return_columns_from_insert else ""
        self.insert_sql = (
            f"INSERT INTO {posts} (key, platform, post_id, account_id, url, published_at, "  # noqa: S608
            "month, text, source_format, source_file) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, "
            f"%s, ''){returning}"
        )
        self.record_sql = (
            f"UPDATE {parts} SET state = %s, remote_id = %s, remote_cid = %s, url = %s, "  # noqa: S608
            "published_at = %s, published_post_id = %s, lease_owner = '', lease_until = NULL, "
            "last_error = '' WHERE id = %s AND lease_owner = %s"
        )
        self.returning = bool(returning)

    def begin(self, part: DeskPart) -> bool:
        """Count the attempt about to start and renew the lease."""
        now = _now()
        self.cursor.execute(
            self.begin_sql,
            [
                self.adapt(now + lease_duration()),
                part.pk,
                self.owner,
                self.pending,
                self.adapt(now),
            ],
        )
        return bool(self.cursor.rowcount)

    def record(self, part: DeskPart, account: SocialAccount, ref: Ref) -> bool:
        """The part is on the platform: its reference and its analytics row, committed."""
        now = _now()
        post_id = _post_id(account, ref)[:255]
        key = f"{account.platform}:{post_id}"[:270]
        try:
            with transaction.atomic():
                self.cursor.execute(
                    self.insert_sql,
                    [
                        key,
                        account.platform,
                        post_id,
                        account.pk,
                        ref.url[:300],
                        self.adapt(now),
                        connection.ops.adapt_datefield_value(date(now.year, now.month, 1)),
                        part.text,
                        SourceFormat.DESK.value,
                    ],
                )
                analytics_id = self.cursor.fetchone()[0] if self.returning else None
                if analytics_id is None:
                    analytics_id = self.cursor.lastrowid
                done = self._mark(part, ref, now, analytics_id)
                if not done:
                    transaction.set_rollback(True)
        except IntegrityError:
            # Known already (an export imported meanwhile): link the row that is there.
            with transaction.atomic():
                analytics_id = Post.objects.get(key=key).pk
                done = self._mark(part, ref, now, analytics_id)
        if done:
            part.state, part.remote_id, part.remote_cid, part.url = (
                PartState.PUBLISHED, ref.id, ref.cid, ref.url,
            )  # fmt: skip
        return done

    def _mark(self, part: DeskPart, ref: Ref, now: datetime, analytics_id: int) -> bool:
        self.cursor.execute(
            self.record_sql,
            [
                PartState.PUBLISHED.value,
                ref.id[:300],
                ref.cid[:120],
                ref.url[:300],
                self.adapt(now),
                analytics_id,
                part.pk,
                self.owner,
            ],
        )
        return bool(self.cursor.rowcount)


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
    marks: _Marks,
) -> None:
    """Send the leased parts of one thread (all its parts, in order) one after the other.
    The parts this leaves no longer held are taken out of `leased`."""
    account = accounts.account(thread[0].account_id)
    adapter = accounts.get(account)
    langs = [lang for lang in thread[0].post.langs.split(",") if lang] or ["en"]
    label = Platform(account.platform).value
    for index, part in enumerate(thread):
        if part.state == PartState.PUBLISHED or part.pk not in leased:
            continue
        waiting = [p for p in thread[index:] if p.pk in leased]
        gone = [p.pk for p in waiting]
        root = _ref(thread[0]) if index else None
        parent = _ref(thread[index - 1]) if index else None
        if index and (root is None or parent is None):
            _release(gone, owner)  # an earlier part is not out yet
            leased.difference_update(gone)
            return
        pictures = []
        if part.position == 1 and getattr(part, "has_images", True):
            for image in _images(part.post_id, images):
                problem = image_problem(account.platform, image)
                if problem:
                    _fail(waiting, owner, problem)
                    leased.difference_update(gone)
                    run.failed.append(Outcome(label, account.handle, 1, part.count, error=problem))
                    return
                pictures.append(Image(data=bytes(image.data), mime=image.mime, alt=image.alt))
        outgoing = Part(
            text=part.text, key=part.key, images=pictures, langs=langs, root=root, parent=parent
        )
        tried_before = part.attempts > 0
        if not marks.begin(part):
            leased.difference_update(gone)
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
            leased.difference_update(gone)
            if part.attempts >= max_attempts():
                message = f"{error.message} (gave up after {part.attempts} attempts)"
                _fail(waiting, owner, message)
                run.failed.append(
                    Outcome(label, account.handle, part.position, part.count, error=message)
                )
                return
            when = _now() + retry_delay(part.attempts, error.retry_after)
            with transaction.atomic():
                DeskPart.objects.filter(pk=part.pk, lease_owner=owner).update(
                    last_error=error.message[:2000]
                )
                _release(gone, owner, next_attempt_at=when)
                _rest(part).update(next_attempt_at=when)  # the thread waits for this part
            run.retried += 1
            run.later(when)
            return
        except PermanentError as error:
            accounts.keep_state(account)
            _fail(waiting, owner, error.message)
            leased.difference_update(gone)
            run.failed.append(
                Outcome(label, account.handle, part.position, part.count, error=error.message)
            )
            return
        accounts.keep_state(account)
        leased.discard(part.pk)
        if not marks.record(part, account, ref):
            leased.difference_update(gone)
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
            .order_by("account_id", "position")
            .values_list(
                "state",
                "last_error",
                "position",
                "count",
                "account__platform",
                "account__handle",
                "published_at",
            )
        )
        if not parts or any(state == PartState.PENDING for state, *_ in parts):
            continue
        failed = [part for part in parts if part[0] == PartState.FAILED]
        now = _now()
        if failed:
            changes: dict[str, Any] = {
                "state": DeskState.FAILED,
                "last_error": "\n".join(
                    f"{Platform(platform).label} @{handle} {position}/{count}: {error}"
                    for _, error, position, count, platform, handle, _ in failed
                    if not error.startswith("Not sent:")
                ),
            }
        else:
            changes = {
                "state": DeskState.PUBLISHED,
                "published_at": max(part[6] for part in parts if part[6]),
                "last_error": "",
            }
        with transaction.atomic():
            if not DeskPost.objects.filter(pk=post_id, state=DeskState.SCHEDULED).update(
                updated_at=now, **changes
            ):
                continue
            audit(
                actor=None,
                action="outreach.desk_failed" if failed else "outreach.desk_published",
                target=DeskPost(pk=post_id),
                changes={"parts": len(parts), "failed": len(failed)},
            )


def next_due(
    post_ids: list[int] | None = None, *, since: datetime | None = None
) -> datetime | None:
    """When work of the posts due by `since` (default now) may next be done: the earliest
    waiting part's next attempt or the end of another worker's lease, or the end of a
    post's undo window."""
    now = _now()
    since = since or now
    waiting = DeskPart.objects.filter(
        state=PartState.PENDING, post__state=DeskState.SCHEDULED, post__scheduled_at__lte=since
    )
    if post_ids is not None:
        waiting = waiting.filter(post_id__in=post_ids)
    found = waiting.aggregate(
        at=Min("next_attempt_at"),
        lease=Min("lease_until"),
        release=Min("post__release_at"),
        free=Min(
            "id",
            filter=Q(
                next_attempt_at__isnull=True, lease_until__isnull=True, post__release_at__lte=now
            ),
        ),
    )
    if found["free"] is not None:
        return now
    moments = [m for m in (found["at"], found["lease"]) if m is not None]
    if found["release"] is not None and found["release"] > now:
        moments.append(found["release"])
    return min(moments) if moments else None


def waiting_parts() -> list[DeskPart]:
    """The parts of started posts still waiting (to be retried later)."""
    return list(
        DeskPart.objects.filter(
            state=PartState.PENDING,
            post__state=DeskState.SCHEDULED,
            post__release_at__lte=_now(),
        )
        .select_related("account")
        .order_by("post_id", "account_id", "position")
    )


# ---------------------------------------------------------------------------------------------
# The pass


def publish_due(
    *, post_ids: list[int] | None = None, owner: str | None = None, wait_seconds: float = 0
) -> PublishRun:
    """Publish every due part of the posts whose release time came, thread by thread.

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
    started = _now()
    with connection.cursor() as cursor:
        marks = _Marks(cursor, owner)
        while True:
            while rows := claim(owner=owner, now=_now(), post_ids=post_ids, limit=CLAIM_BATCH):
                held: set[int] | None = None
                try:
                    held = _publish_leased(
                        rows, owner=owner, accounts=accounts, run=run, images=images, marks=marks
                    )
                finally:
                    # Anything still leased to this pass (an error mid-thread) goes back.
                    if held is None:
                        _release([part for part, _ in rows], owner)
                    elif held:
                        _release(sorted(held), owner)
                if len(rows) < CLAIM_BATCH:
                    break
            finish_posts(run.posts)
            if not wait_seconds:
                break  # the worker: a task enqueued for `run.retry_at` comes back
            following = next_due(post_ids, since=started)
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


def _publish_leased(
    rows: list[tuple[int, int]],
    *,
    owner: str,
    accounts: _Accounts,
    run: PublishRun,
    images: dict[int, list[DeskImage]],
    marks: _Marks,
) -> set[int]:
    """Publish the threads of the parts `rows` (part, post) leased to `owner`, each in order.
    Returns the parts still leased (none unless something went wrong)."""
    threads: dict[tuple[int, int], list[DeskPart]] = defaultdict(list)
    posts = sorted({post_id for _, post_id in rows})
    ids = [part_id for part_id, _ in rows]
    has_images = Exists(DeskImage.objects.filter(post_id=OuterRef("post_id")))
    for part in (
        DeskPart.objects.filter(post_id__in=posts)
        .select_related("post")
        .annotate(has_images=has_images)
        .order_by("post_id", "account_id", "position")
    ):
        threads[(part.post_id, part.account_id)].append(part)
    asked = set(ids)
    leased = {
        part.pk
        for thread in threads.values()
        for part in thread
        if part.pk in asked and part.lease_owner == owner and part.state == PartState.PENDING
    }
    for key in sorted(threads):
        thread = threads[key]
        if not any(part.pk in leased for part in thread):
            continue
        run.posts.add(key[0])
        _publish_thread(
            thread, leased, owner=owner, accounts=accounts, run=run, images=images, marks=marks
        )
    return leased
