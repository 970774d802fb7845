"""Publishing what is due, the same in the worker and in `hemonc outreach publish-due`.

Nothing is ever posted twice, and nothing published is lost:

1. When a post is scheduled its platform posts are written as rows (`DeskPart`: one per
   account and thread position), each with its idempotency key, before anything is sent.
   The key never changes.
2. A worker leases the waiting parts of due threads, in order, with a conditional UPDATE
   (PostgreSQL first locks the candidate rows with SKIP LOCKED; SQLite has one writer): a
   part is leased to one worker at a time. The same UPDATE counts the attempt each leased part
   is about to get, and its commit is durable (PostgreSQL: `synchronous_commit` on for it,
   whatever the server's default) before any request: a part that may have reached a
   platform always has an attempt on record. Parts the worker then does not send (the thread
   stopped early: a failure, an earlier part not out yet) get their count back.
3. A part with an earlier attempt may have been stored although its answer was lost (a
   timeout, a dropped connection, a 5xx, a worker that died): it is first looked for on the
   platform (`Adapter.find`: Bluesky by the record key derived from the key, Mastodon by the
   Idempotency-Key and among the account's recent statuses, X among the account's recent
   posts) and only sent when it is not there.
4. A part is sent only while the worker's lease has at least half its length to run (the
   lease is renewed, durably, before a request when less is left), so a request (its
   timeouts are seconds) ends long before another worker could take the part. While a part
   is leased nothing else changes it: the services refuse to change, take back or delete a
   post any part of which is leased or was tried.
5. The platform's answers are recorded with the outreach posts the analytics join, a
   thread's at a time (at its end, or after a second for a slow platform), only where the
   worker still holds the part. That commit is asynchronous on PostgreSQL
   (`SET LOCAL synchronous_commit TO OFF`: it returns before its WAL reaches the disk): if the
   database crashes and loses it, or the worker dies before it, the parts it would have
   recorded are pending, leased until the lease ends, with their attempts on record (2.);
   the next holder looks each one up by its key (3.) and records it as found. So a lost
   record costs a look-up, never a second post and never a lost one. PostgreSQL loses only
   the latest commits in WAL order, never one before a durable commit that follows it.

Temporary failures wait (`retry_after`, else `OUTREACH_RETRY_SECONDS` doubling per attempt,
at most an hour) and the rest of the thread waits with them; after `OUTREACH_MAX_ATTEMPTS`
attempts, or at the platform's permanent refusal, the part fails with the platform's message
and so does the rest of its thread. Failures and retries are committed durably. A post whose
parts all ended is published or failed.
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
from django.db import connection, transaction
from django.db.models import Exists, F, Min, OuterRef, Q
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
    part: int = field(default=0, repr=False, compare=False)  # the DeskPart

    def line(self) -> str:
        """One line whatever the platform answered (its message may hold line breaks)."""
        if self.error:
            return (
                f"{self.platform} {self.handle} {self.position}/{self.count} failed: "
                f"{one_line(self.error)}"
            )
        return f"{self.platform} {self.handle} {self.position}/{self.count} {one_line(self.where)}"


def one_line(text: str, limit: int = 2000) -> str:
    """`text` with every run of white space (line breaks too) one space, at most `limit`."""
    return " ".join(str(text).split())[:limit]


def web_address(url: str) -> str:
    """A platform's web address of a post, kept only when it is one (http or https): the
    desk's pages link it."""
    return url if url.lower().startswith(("https://", "http://")) else ""


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


def _durable(cursor: Any, durable: bool) -> None:
    """PostgreSQL: this transaction's commit waits for its WAL to reach the disk (`durable`),
    or returns before (see the module's 5. for where that is safe). SQLite: nothing to set."""
    if connection.vendor == "postgresql":
        cursor.execute(f"SET LOCAL synchronous_commit TO {'ON' if durable else 'OFF'}")


def claim(
    *, owner: str, now: datetime, post_ids: list[int] | None, limit: int
) -> list[tuple[int, int]]:
    """Lease up to `limit` due parts to `owner`, in thread order, and count the attempt each
    is about to get, in one durable commit. Returns the (part, post) pairs asked for: the
    parts actually leased carry `owner` (and their lease ends `now` + the lease's length).

    One SELECT and two UPDATEs in plain SQL: PostgreSQL locks the candidate rows and skips
    those another worker is claiming (FOR UPDATE SKIP LOCKED); SQLite takes its one write lock
    when the transaction begins (IMMEDIATE). The UPDATE checks again that each part is due and
    free.
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
        _durable(cursor, True)
        cursor.execute(select, params)
        rows = [(int(part_id), int(post_id)) for part_id, post_id in cursor.fetchall()]
        if not rows:
            return []
        marks = ", ".join(["%s"] * len(rows))
        cursor.execute(
            f"UPDATE {parts} SET lease_owner = %s, lease_until = %s, "  # noqa: S608
            f"attempts = attempts + 1 WHERE id IN ({marks}) AND {free.replace('p.', '')}",
            [owner, adapt(now + lease_duration()), *(part for part, _ in rows), *params[:3]],
        )
        started = sorted({post for _, post in rows})
        cursor.execute(
            f"UPDATE {posts} SET started_at = %s WHERE started_at IS NULL "  # noqa: S608
            f"AND id IN ({', '.join(['%s'] * len(started))})",
            [at, *started],
        )
    return rows


@dataclass
class _Batch:
    """The parts one claim leased to `owner`: `leased`, each with an attempt counted and not
    sent yet; `sent`, those whose request started and whose row still waits for its answer
    (or for its failure) to be written. Whatever is left in either when the batch ends goes
    back: a `leased` part with its attempt, a `sent` one keeping it."""

    owner: str
    until: datetime  # when the lease of the parts not renewed since the claim ends
    leased: set[int] = field(default_factory=set)
    sent: set[int] = field(default_factory=set)

    def send(self, part: DeskPart) -> None:
        self.leased.discard(part.pk)
        self.sent.add(part.pk)

    def holds(self, part_ids: list[int]) -> bool:
        """Whether the lease of `part_ids` (leased, not sent) still has at least half its
        length to run; when less is left it is renewed first, durably, for every part of the
        batch not sent yet. Parts no longer held leave the batch."""
        now = _now()
        if self.until - now >= lease_duration() / 2:
            return True
        until = now + lease_duration()
        with transaction.atomic(), connection.cursor() as cursor:
            _durable(cursor, True)
            DeskPart.objects.filter(
                pk__in=sorted(self.leased),
                lease_owner=self.owner,
                state=PartState.PENDING,
                lease_until__gt=now,
            ).update(lease_until=until)
            kept = set(
                DeskPart.objects.filter(
                    pk__in=sorted(self.leased), lease_owner=self.owner, lease_until=until
                ).values_list("pk", flat=True)
            )
        self.leased &= kept
        self.until = until
        return all(pk in kept for pk in part_ids)

    def release(self, part_ids: list[int], **fields: Any) -> None:
        """Give `part_ids` back (with `fields` changed): those not sent with their attempt
        taken back, those sent keeping it."""
        unsent = [pk for pk in part_ids if pk in self.leased]
        _release(part_ids, self.owner, give_back=unsent, **fields)
        self.leased.difference_update(part_ids)
        self.sent.difference_update(part_ids)


def _release(
    part_ids: list[int], owner: str, *, give_back: list[int] | tuple[()] = (), **fields: Any
) -> int:
    """Give the parts `owner` holds back; those in `give_back` were leased (their attempt
    counted) but not sent: the count goes back too."""
    if not part_ids:
        return 0
    with transaction.atomic():
        if give_back:
            DeskPart.objects.filter(
                pk__in=give_back, lease_owner=owner, state=PartState.PENDING, attempts__gt=0
            ).update(attempts=F("attempts") - 1)
        return DeskPart.objects.filter(
            pk__in=part_ids, lease_owner=owner, state=PartState.PENDING
        ).update(lease_owner="", lease_until=None, **fields)


@dataclass
class _Answer:
    part: DeskPart
    account: SocialAccount
    ref: Ref
    at: datetime


class _Answers:
    """The platform's answers, written together (see `due`): each part with the outreach post
    the analytics join, only where `owner` still holds the part, in one asynchronous commit
    (see the module's 5.) of four statements whatever their number."""

    def __init__(self, owner: str) -> None:
        quote = connection.ops.quote_name
        self.parts, self.posts = quote(DeskPart._meta.db_table), quote(Post._meta.db_table)
        self.owner = owner
        self.held: list[_Answer] = []
        self.adapt = connection.ops.adapt_datetimefield_value
        self.lock = " FOR UPDATE" if connection.features.has_select_for_update else ""

    def hold(self, part: DeskPart, account: SocialAccount, ref: Ref) -> None:
        """The part is on the platform: the thread's next part answers it at once; its row
        is written with the others held (`write`)."""
        ref = Ref(id=ref.id, url=web_address(ref.url), cid=ref.cid)
        self.held.append(_Answer(part, account, ref, _now()))
        part.state, part.remote_id, part.remote_cid, part.url = (
            PartState.PUBLISHED, ref.id, ref.cid, ref.url,
        )  # fmt: skip

    def due(self) -> bool:
        """Answers are written once a second while a batch goes on (and when it ends), so a
        published post shows as such within about a second, and on a slow platform too."""
        return bool(self.held) and _now() - self.held[0].at >= timedelta(seconds=1)

    def write(self, batch: _Batch) -> list[DeskPart]:
        """Write the answers held, in one commit. Returns the parts the worker no longer held
        (their new holder finds them by their keys)."""
        held, self.held = self.held, []
        if not held:
            return []
        for answer in held:
            batch.sent.discard(answer.part.pk)
        ids = [answer.part.pk for answer in held]
        marks = ", ".join(["%s"] * len(held))
        with transaction.atomic(), connection.cursor() as cursor:
            _durable(cursor, False)
            cursor.execute(
                f"SELECT id FROM {self.parts} WHERE id IN ({marks}) "  # noqa: S608
                f"AND lease_owner = %s AND state = %s{self.lock}",
                [*ids, self.owner, PartState.PENDING.value],
            )
            mine = {int(part_id) for (part_id,) in cursor.fetchall()}
            kept = [answer for answer in held if answer.part.pk in mine]
            if kept:
                self._write(cursor, kept)
        lost = [answer.part for answer in held if answer.part.pk not in mine]
        for part in lost:
            part.state = PartState.PENDING
        return lost

    def _write(self, cursor: Any, answers: list[_Answer]) -> None:
        rows = []
        for answer in answers:
            account, ref, now = answer.account, answer.ref, answer.at
            post_id = _post_id(account, ref)[:255]
            rows.append(
                (
                    f"{account.platform}:{post_id}"[:270],
                    account.platform,
                    post_id,
                    account.pk,
                    ref.url[:300],
                    self.adapt(now),
                    connection.ops.adapt_datefield_value(date(now.year, now.month, 1)),
                    answer.part.text,
                    SourceFormat.DESK.value,
                )
            )
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, '')"] * len(rows))
        # A post an export imported meanwhile is known already: the part links that row.
        cursor.execute(
            f"INSERT INTO {self.posts} (key, platform, post_id, account_id, url, "  # noqa: S608
            f"published_at, month, text, source_format, source_file) VALUES {values} "
            "ON CONFLICT (key) DO NOTHING",
            [value for row in rows for value in row],
        )
        keys = [row[0] for row in rows]
        cursor.execute(
            f"SELECT key, id FROM {self.posts} "  # noqa: S608
            f"WHERE key IN ({', '.join(['%s'] * len(keys))})",
            keys,
        )
        analytics = {str(key): int(pk) for key, pk in cursor.fetchall()}
        changes = []
        for answer, row in zip(answers, rows, strict=True):
            ref = answer.ref
            changes.extend(
                [
                    answer.part.pk,
                    ref.id[:300],
                    ref.cid[:120],
                    ref.url[:300],
                    row[5],
                    analytics[row[0]],
                ]
            )
        first = "%s, %s, %s, %s, %s, %s"
        if connection.vendor == "postgresql":  # the first row types the VALUES list
            first = "%s::bigint, %s::text, %s::text, %s::text, %s::timestamptz, %s::bigint"
        rest = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * (len(answers) - 1))
        cursor.execute(
            f"UPDATE {self.parts} SET state = %s, remote_id = v.column2, "  # noqa: S608
            "remote_cid = v.column3, url = v.column4, published_at = v.column5, "
            "published_post_id = v.column6, lease_owner = '', lease_until = NULL, "
            f"last_error = '' FROM (VALUES ({first}){', ' + rest if rest else ''}) AS v "
            f"WHERE {self.parts}.id = v.column1 AND lease_owner = %s AND state = %s",
            [PartState.PUBLISHED.value, *changes, self.owner, PartState.PENDING.value],
        )


# ---------------------------------------------------------------------------------------------
# Publishing a thread


def _post_id(account: SocialAccount, ref: Ref) -> str:
    """The id the outreach analytics know the post by: Mastodon's archives name a post by its
    ActivityPub URI (the instance's /users/NAME/statuses/ID), the others by the platform id."""
    if account.platform == Platform.MASTODON and ref.id.isdigit():
        user = account.handle.split("@")[0]
        return f"{account.service.rstrip('/')}/users/{user}/statuses/{ref.id}"
    return ref.id


def _fail(parts: list[DeskPart], batch: _Batch, message: str) -> None:
    """The first of `parts` failed with `message`; the rest of its thread cannot follow it.
    The parts of the batch not sent get their attempt back."""
    first = parts[0]
    owner = batch.owner
    with transaction.atomic():
        unsent = [part.pk for part in parts if part.pk in batch.leased]
        if unsent:
            DeskPart.objects.filter(pk__in=unsent, lease_owner=owner, attempts__gt=0).update(
                attempts=F("attempts") - 1
            )
        DeskPart.objects.filter(pk=first.pk, lease_owner=owner).update(
            state=PartState.FAILED, last_error=message[:2000], lease_owner="", lease_until=None
        )
        _rest(first).update(
            state=PartState.FAILED,
            last_error=f"Not sent: post {first.position}/{first.count} failed.",
            lease_owner="",
            lease_until=None,
        )
    batch.leased.difference_update(part.pk for part in parts)
    batch.sent.difference_update(part.pk for part in parts)


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
    batch: _Batch,
    *,
    accounts: _Accounts,
    run: PublishRun,
    images: dict[int, list[DeskImage]],
    answers: _Answers,
) -> None:
    """Send the leased parts of one thread (all its parts, in order) one after the other.
    The parts this leaves no longer held are taken out of the batch."""
    account = accounts.account(thread[0].account_id)
    adapter = accounts.get(account)
    langs = [lang for lang in thread[0].post.langs.split(",") if lang] or ["en"]
    label = Platform(account.platform).value
    for index, part in enumerate(thread):
        if part.state == PartState.PUBLISHED or part.pk not in batch.leased:
            continue
        waiting = [p for p in thread[index:] if p.pk in batch.leased]
        gone = [p.pk for p in waiting]
        root = _ref(thread[0]) if index else None
        parent = _ref(thread[index - 1]) if index else None
        if index and (root is None or parent is None):
            batch.release(gone)  # an earlier part is not out yet
            return
        pictures = []
        if part.position == 1 and getattr(part, "has_images", True):
            for image in _images(part.post_id, images):
                problem = image_problem(account.platform, image)
                if problem:
                    _fail(waiting, batch, problem)
                    run.failed.append(Outcome(label, account.handle, 1, part.count, error=problem))
                    return
                pictures.append(Image(data=bytes(image.data), mime=image.mime, alt=image.alt))
        outgoing = Part(
            text=part.text, key=part.key, images=pictures, langs=langs, root=root, parent=parent
        )
        if not batch.holds(gone):
            batch.leased.difference_update(gone)
            return  # another worker holds the thread now
        tried_before = part.attempts > 1  # this attempt was counted when the part was leased
        batch.send(part)
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
                _fail(waiting, batch, message)
                run.failed.append(
                    Outcome(label, account.handle, part.position, part.count, error=message)
                )
                return
            when = _now() + retry_delay(part.attempts, error.retry_after)
            with transaction.atomic():
                DeskPart.objects.filter(pk=part.pk, lease_owner=batch.owner).update(
                    last_error=error.message[:2000]
                )
                batch.release(gone, next_attempt_at=when)
                _rest(part).update(next_attempt_at=when)  # the thread waits for this part
            run.retried += 1
            run.later(when)
            return
        except PermanentError as error:
            accounts.keep_state(account)
            _fail(waiting, batch, error.message)
            run.failed.append(
                Outcome(label, account.handle, part.position, part.count, error=error.message)
            )
            return
        accounts.keep_state(account)
        answers.hold(part, account, ref)
        ref = Ref(id=ref.id, url=web_address(ref.url), cid=ref.cid)
        run.published.append(
            Outcome(
                label, account.handle, part.position, part.count, ref.url or ref.id, part=part.pk
            )
        )
        if answers.due():
            _write_answers(answers, batch, run)


def _write_answers(answers: _Answers, batch: _Batch, run: PublishRun) -> None:
    """Write the answers held; a part the worker no longer held (its lease ran out meanwhile)
    is its new holder's to record, found by its key."""
    lost = {part.pk for part in answers.write(batch)}
    if lost:
        run.published = [outcome for outcome in run.published if outcome.part not in lost]


# ---------------------------------------------------------------------------------------------
# Finishing posts


def finish_posts(post_ids: set[int]) -> None:
    """A post every part of which ended is published, or failed with its parts' messages
    (the posts of one pass read together, and changed in one commit)."""
    threads: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for post_id, *part in (
        DeskPart.objects.filter(post_id__in=sorted(post_ids))
        .order_by("post_id", "account_id", "position")
        .values_list(
            "post_id",
            "state",
            "last_error",
            "position",
            "count",
            "account__platform",
            "account__handle",
            "published_at",
        )
        .iterator(chunk_size=2000)
    ):
        threads[post_id].append(tuple(part))
    now = _now()
    with transaction.atomic():
        for post_id in sorted(threads):
            parts = threads[post_id]
            if any(state == PartState.PENDING for state, *_ in parts):
                continue
            failed = [part for part in parts if part[0] == PartState.FAILED]
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
    answers = _Answers(owner)
    while True:
        while True:
            now = _now()
            rows = claim(owner=owner, now=now, post_ids=post_ids, limit=CLAIM_BATCH)
            if not rows:
                break
            batch = _Batch(owner, now + lease_duration(), leased={part for part, _ in rows})
            try:
                _publish_leased(
                    rows, batch, accounts=accounts, run=run, images=images, answers=answers
                )
            finally:
                # What is still held (an error mid-thread) goes back, answers written first.
                try:
                    _write_answers(answers, batch, run)
                finally:
                    _release(sorted(batch.leased), owner, give_back=sorted(batch.leased))
                    _release(sorted(batch.sent), owner)
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
    batch: _Batch,
    *,
    accounts: _Accounts,
    run: PublishRun,
    images: dict[int, list[DeskImage]],
    answers: _Answers,
) -> None:
    """Publish the threads of the parts `rows` (part, post) leased to the batch's owner, each
    in order (the answers are written each second, and by the caller when the batch ends)."""
    threads: dict[tuple[int, int], list[DeskPart]] = defaultdict(list)
    posts = sorted({post_id for _, post_id in rows})
    has_images = Exists(DeskImage.objects.filter(post_id=OuterRef("post_id")))
    for part in (
        DeskPart.objects.filter(post_id__in=posts)
        .select_related("post")
        .annotate(has_images=has_images)
        .order_by("post_id", "account_id", "position")
    ):
        threads[(part.post_id, part.account_id)].append(part)
    batch.leased = {
        part.pk
        for thread in threads.values()
        for part in thread
        if part.pk in batch.leased
        and part.lease_owner == batch.owner
        and part.state == PartState.PENDING
    }
    for key in sorted(threads):
        thread = threads[key]
        if not any(part.pk in batch.leased for part in thread):
            continue
        run.posts.add(key[0])
        _publish_thread(thread, batch, accounts=accounts, run=run, images=images, answers=answers)
        if answers.due():
            _write_answers(answers, batch, run)
