"""Writes of the publishing desk: accounts, posts through their workflow, the queue.

draft → in_review → approved → scheduled → published | failed. Any member may write a post
and send it for review; organizers approve it (with `OUTREACH_SECOND_APPROVER`, an organizer
who is not its author), schedule it at a time or in an account's next free queue slot, take
it back within the undo window, and retry it when it failed. Changing an approved or
scheduled post sends it back to review. Publishing itself is in `desk.publishing`.

Nothing leaves before `release_at`: the later of the time chosen and the moment it was
scheduled plus the undo window (`OUTREACH_UNDO_SECONDS`, 60 s), so "now" can be undone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypedDict, Unpack
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import Operator, require
from hemonc.core.phi_guard import phi_check, phi_record, scan_texts
from hemonc.core.tasks import enqueue_later
from hemonc.core.timezones import is_time_zone
from hemonc.events.models import LiveSession
from hemonc.members.models import User
from hemonc.outreach.enums import DeskKind, DeskState, PartState, Platform
from hemonc.outreach.models import (
    DeskApproval,
    DeskImage,
    DeskPart,
    DeskPost,
    QueueSlot,
    SocialAccount,
)
from hemonc.taxonomy.models import Topic

Actor = User | Operator

# Images: what each platform accepts (bytes, alt-text characters, images per post).
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
IMAGE_BYTES = {
    Platform.BLUESKY: 1_000_000,
    Platform.MASTODON: 16 * 1024 * 1024,
    Platform.X: 5 * 1024 * 1024,
}
ALT_LENGTH = {Platform.BLUESKY: 2000, Platform.MASTODON: 1500, Platform.X: 1000}
MAX_IMAGES = 4

# A post changes while nothing of it left: the parts not yet on a platform are written anew.
EDITABLE = {
    DeskState.DRAFT,
    DeskState.IN_REVIEW,
    DeskState.APPROVED,
    DeskState.SCHEDULED,
    DeskState.FAILED,
}
CASE_ATTESTATION = (
    "A case post needs the attestation that it holds no patient identifiers and that consent "
    "was obtained."
)
IMAGE_ATTESTATION = (
    "A post with images needs the attestation that they hold no patient identifiers and that "
    "consent was obtained (a photograph can identify a patient the text check cannot see)."
)
# How many weeks ahead "add to queue" looks for a free slot.
QUEUE_WEEKS = 26


def _now() -> datetime:
    return timezone.now()


def undo_window() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "OUTREACH_UNDO_SECONDS", 60)))


def second_approver_required() -> bool:
    return bool(getattr(settings, "OUTREACH_SECOND_APPROVER", False))


def _member(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


# ---------------------------------------------------------------------------------------------
# Accounts


def _normalize_handle(handle: str) -> str:
    return handle.strip().removeprefix("@")


def account_state(account: SocialAccount) -> dict[str, Any]:
    """The adapter's session state stored with the account (empty when none or unreadable)."""
    try:
        state = json.loads(account.state or "{}")
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


@transaction.atomic(durable=True)
def account_save(
    *,
    platform: str,
    handle: str,
    service: str,
    secret: str,
    actor: Actor,
    time_zone: str | None = None,
) -> tuple[SocialAccount, bool]:
    """Add the account the desk publishes from, or update its service and secret (a new
    secret forgets the adapter's session). Returns the account and whether it is new."""
    require(actor, "outreach.manage")
    if platform not in Platform.values:
        raise DomainError(f"{platform!r} is not a platform ({', '.join(Platform.values)}).")
    handle = _normalize_handle(handle)
    if not handle or len(handle) > 120 or not handle.isprintable() or " " in handle:
        raise DomainError(f"{handle[:60]!r} is not an account handle.")
    service = service.strip().rstrip("/")
    if not service.startswith(("https://", "http://")) or len(service) > 300:
        raise DomainError(f"{service[:80]!r} is not a service address (https://...).")
    if not secret.strip():
        raise DomainError("The account needs its secret (an app password or access token).")
    if time_zone is not None and not is_time_zone(time_zone):
        raise DomainError(f"{time_zone!r} is not an IANA time zone (e.g. America/New_York).")
    account = (
        SocialAccount.objects.select_for_update()
        .filter(platform=platform, handle__iexact=handle)
        .first()
    )
    created = account is None
    if account is None:
        account = SocialAccount(platform=platform, handle=handle)
    changed_secret = account.secret != secret.strip()
    account.service = service
    account.secret = secret.strip()
    if changed_secret or created:
        account.state = ""
    if time_zone is not None:
        account.time_zone = time_zone
    account.active = True
    account.save()
    audit(
        actor=actor,
        action="outreach.desk_account_add" if created else "outreach.desk_account_update",
        target=account,
        changes={"service": service, "secret_changed": changed_secret},
    )
    return account, created


@transaction.atomic(durable=True)
def account_update(
    *,
    account: SocialAccount,
    actor: Actor,
    time_zone: str | None = None,
    active: bool | None = None,
) -> SocialAccount:
    """Change an account's queue time zone, or stop (start) publishing from it."""
    require(actor, "outreach.manage", account)
    if time_zone is not None:
        if not is_time_zone(time_zone):
            raise DomainError(f"{time_zone!r} is not an IANA time zone (e.g. America/New_York).")
        account.time_zone = time_zone
    if active is not None:
        if active and not (account.service and account.secret):
            raise DomainError("Add the account's service and secret first (account-add).")
        account.active = active
    account.save(update_fields=["time_zone", "active", "updated_at"])
    audit(actor=actor, action="outreach.desk_account_update", target=account)
    return account


@transaction.atomic(durable=True)
def queue_slots_set(
    *, account: SocialAccount, actor: Actor, slots: Iterable[tuple[int, time]]
) -> list[QueueSlot]:
    """Replace the account's weekly slots: (weekday 0 = Monday, local time) pairs, in the
    account's time zone. Posts already queued keep their times."""
    require(actor, "outreach.manage", account)
    wanted = sorted({(int(day), moment.replace(second=0, microsecond=0)) for day, moment in slots})
    for day, _ in wanted:
        if not 0 <= day <= 6:
            raise DomainError(f"{day} is not a weekday (0 = Monday … 6 = Sunday).")
    QueueSlot.objects.filter(account=account).delete()
    made = QueueSlot.objects.bulk_create(
        [QueueSlot(account=account, weekday=day, time=moment) for day, moment in wanted]
    )
    audit(
        actor=actor,
        action="outreach.desk_slots",
        target=account,
        changes={"slots": [f"{day} {moment:%H:%M}" for day, moment in wanted]},
    )
    return made


# ---------------------------------------------------------------------------------------------
# Writing


class PostChanges(TypedDict, total=False):
    """The fields of a desk post its author or an organizer may change (all optional)."""

    text: str
    kind: str
    accounts: Sequence[SocialAccount]
    topics: Sequence[Topic]
    session: LiveSession | None
    conference_tag: str
    langs: str


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PostChanges.__annotations__)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "text" in fields:
        fields["text"] = str(fields["text"] or "").replace("\r\n", "\n").strip()
        if not fields["text"]:
            raise DomainError("A post needs its text.")
    if "kind" in fields and fields["kind"] not in DeskKind.values:
        raise DomainError(f"{fields['kind']!r} is not a kind of post.")
    if "conference_tag" in fields:
        fields["conference_tag"] = str(fields["conference_tag"] or "").strip().lstrip("#")
    if "langs" in fields:
        langs = [lang.strip() for lang in str(fields["langs"] or "").split(",") if lang.strip()]
        fields["langs"] = ",".join(langs[:3]) or "en"
    if "accounts" in fields:
        accounts = list(dict.fromkeys(fields["accounts"]))
        if not accounts:
            raise DomainError("Choose at least one account to post from.")
        fields["accounts"] = accounts
    return fields


def _check_kind(post: DeskPost) -> None:
    if post.kind == DeskKind.LIVE_COVERAGE and not post.conference_tag:
        raise DomainError("Live coverage needs its conference tag (e.g. ASH25).")
    if post.kind == DeskKind.SESSION and post.session_id is None:
        raise DomainError("A session announcement needs the live session it announces.")


def _needs_attestation(post: DeskPost) -> str:
    """Why the post always needs its author's attestation ("" when only findings would):
    a case post (consent), a post with images (photographs the text check cannot see)."""
    if post.kind == DeskKind.CASE:
        return CASE_ATTESTATION
    if post.pk and post.images.exists():
        return IMAGE_ATTESTATION
    return ""


def _attest(post: DeskPost, *, actor: Actor, texts: dict[str, str], attested: bool) -> None:
    """The PHI guard on the texts about to be stored: findings need the attestation, and a
    case post or a post with images always needs it (consent). The attestation is audited
    and kept on the post."""
    always = _needs_attestation(post)
    if always and "text" in texts and not attested:
        raise DomainError(always)
    found = phi_check(actor=actor, target=None, texts=texts, attested=attested)
    if found or (always and "text" in texts):
        phi_record(actor=actor, target=post, found=found)
        post.phi_attested_by = _member(actor)
        post.phi_attested_at = _now()
    elif "text" in texts:
        post.phi_attested_by, post.phi_attested_at = None, None
    post.save(update_fields=["phi_attested_by", "phi_attested_at"])


def phi_pending(post: DeskPost) -> bool:
    """The post may not leave as it is: a finding nobody attested, or a case post without
    the attestation."""
    if post.phi_attested_at is not None:
        return False
    return bool(_needs_attestation(post)) or bool(scan_texts({"text": post.text}))


@transaction.atomic(durable=True)
def post_create(
    *,
    actor: Actor,
    text: str,
    accounts: Sequence[SocialAccount],
    kind: str = DeskKind.ANNOUNCEMENT,
    topics: Sequence[Topic] = (),
    session: LiveSession | None = None,
    conference_tag: str = "",
    langs: str = "en",
    phi_attested: bool = False,
) -> DeskPost:
    """A draft. A text the PHI guard flags, and any case post, is stored only with
    `phi_attested` (the author's attestation, audited with the findings it overrode)."""
    require(actor, "outreach.desk_write")
    fields = _clean(
        {
            "text": text,
            "kind": kind,
            "accounts": accounts,
            "topics": topics,
            "session": session,
            "conference_tag": conference_tag,
            "langs": langs,
        }
    )
    post = DeskPost(
        text=fields["text"],
        kind=fields["kind"],
        session=session,
        conference_tag=fields["conference_tag"],
        langs=fields["langs"],
        author=_member(actor),
    )
    if post.kind == DeskKind.CASE and not phi_attested:
        raise DomainError(CASE_ATTESTATION)
    phi_check(actor=actor, target=None, texts={"text": post.text}, attested=phi_attested)
    post.save()
    post.accounts.set(fields["accounts"])
    post.topics.set(fields["topics"])
    audit(actor=actor, action="outreach.desk_create", target=post, changes={"kind": post.kind})
    _attest(post, actor=actor, texts={"text": post.text}, attested=phi_attested)
    return post


@transaction.atomic(durable=True)
def post_update(
    *, post: DeskPost, actor: Actor, phi_attested: bool = False, **fields: Unpack[PostChanges]
) -> DeskPost:
    """Change a post nothing of which was published yet. An approved or scheduled post goes
    back to review (its approvals no longer count); a failed one too. A changed text is
    checked by the PHI guard again (and a case post needs the attestation again)."""
    post = DeskPost.objects.select_for_update().get(pk=post.pk)
    require(actor, "outreach.desk_edit", post)
    if post.state not in EDITABLE:
        raise DomainError("A published post can no longer be changed.")
    _not_hidden(post)
    _check_untried(post)
    is_organizer = actor.has_perm("outreach.desk_approve")
    if post.state != DeskState.DRAFT and post.state != DeskState.IN_REVIEW and not is_organizer:
        raise DomainError("Only an organizer may change a post once it was approved.")
    values = _clean(dict(fields))
    accounts = values.pop("accounts", None)
    topics = values.pop("topics", None)
    changed = [name for name, value in values.items() if getattr(post, name) != value]
    if accounts is not None and set(accounts) != set(post.accounts.all()):
        changed.append("accounts")
    if topics is not None and set(topics) != set(post.topics.all()):
        changed.append("topics")
    for name, value in values.items():
        setattr(post, name, value)
    texts = {"text": post.text} if "text" in changed or "kind" in changed else {}
    if texts and not phi_attested and (always := _needs_attestation(post)):
        raise DomainError(always)
    phi_check(actor=actor, target=None, texts=texts, attested=phi_attested)
    if not changed:
        return post
    if post.state != DeskState.DRAFT:
        _back_to_review(post)
    post.save()
    if accounts is not None:
        post.accounts.set(accounts)
    if topics is not None:
        post.topics.set(topics)
    audit(actor=actor, action="outreach.desk_update", target=post, changes={"fields": changed})
    if texts:
        _attest(post, actor=actor, texts=texts, attested=phi_attested)
    return post


def post_moderate(post: DeskPost, *, hidden: bool | None = None, text: str | None = None) -> None:
    """What the moderators do to a post (a step of their services, in their transaction).

    Hidden, it cannot be sent for review, approved, scheduled or retried until restored; a
    scheduled one nothing of which left goes back to approved, with no time. A text they edit
    sends a post past its draft back to review (its approvals were for the old text)."""
    fields = []
    if hidden is not None:
        post.hidden = hidden
        fields.append("hidden")
        if hidden and post.state == DeskState.SCHEDULED and post.started_at is None:
            post.parts.exclude(state=PartState.PUBLISHED).delete()
            post.state = DeskState.APPROVED
            post.scheduled_at = post.release_at = None
            post.queue_account = None
            fields += ["state", "scheduled_at", "release_at", "queue_account"]
    if text is not None and text != post.text:
        post.text = text
        if post.state != DeskState.DRAFT and post.started_at is None:
            _back_to_review(post)
            post.save()
            return
        fields.append("text")
    if fields:
        post.save(update_fields=[*fields, "updated_at"])


def _not_hidden(post: DeskPost) -> None:
    if post.hidden:
        raise DomainError(
            "The moderators hid this post: it cannot go further until they restore it."
        )


TRIED = (
    "Part of this post was sent and may be on a platform already (its answer may have been "
    "lost), so its text can no longer change: retry it (what is there is found, not sent "
    "twice), or write a new post."
)


def _check_untried(post: DeskPost) -> None:
    """A post changes only while nothing of it may have left: no part published, being sent
    (leased) or tried. A tried part keeps its row and key, looked for on the platform before
    it is sent again (`post_retry`); rewriting it could post it twice."""
    parts = list(post.parts.select_for_update().values_list("state", "attempts", "lease_owner"))
    if any(state == PartState.PUBLISHED for state, _, _ in parts):
        raise DomainError(
            "Part of this post is on a platform already: retry it, or write a new post."
        )
    if any(owner for _, _, owner in parts):
        raise DomainError("This post is being published.")
    if any(attempts for _, attempts, _ in parts):
        raise DomainError(TRIED)


def post_tried(post: DeskPost) -> bool:
    """Something of the post may have left: a part published, being sent or tried."""
    return post.parts.filter(
        Q(state=PartState.PUBLISHED) | Q(attempts__gt=0) | ~Q(lease_owner="")
    ).exists()


def _back_to_review(post: DeskPost) -> None:
    post.state = DeskState.IN_REVIEW
    post.approvals.all().delete()
    post.approved_at = None
    post.scheduled_at = post.release_at = post.started_at = None
    post.queue_account = None
    post.last_error = ""
    post.parts.exclude(state=PartState.PUBLISHED).delete()


@transaction.atomic(durable=True)
def image_add(
    *,
    post: DeskPost,
    actor: Actor,
    data: bytes,
    mime: str,
    alt: str,
    name: str = "",
    phi_attested: bool = False,
) -> DeskImage:
    """Attach an image to the post's first platform post. Its alt text is required; its size
    and alt text must suit every platform the post goes to. As in the form, an image needs
    `phi_attested` (no patient identifiers, consent obtained), audited and kept on the post;
    its alt text goes through the PHI guard too."""
    post = DeskPost.objects.select_for_update().get(pk=post.pk)
    require(actor, "outreach.desk_edit", post)
    if post.state not in EDITABLE:
        raise DomainError("A published post can no longer be changed.")
    _not_hidden(post)
    _check_untried(post)
    alt = (alt or "").strip()
    if not alt:
        raise DomainError("Describe the image (its alt text) for those who cannot see it.")
    if mime not in IMAGE_TYPES:
        raise DomainError("An image must be a JPEG, PNG, GIF or WebP file.")
    if post.images.count() >= MAX_IMAGES:
        raise DomainError(f"A post has at most {MAX_IMAGES} images.")
    image = DeskImage(post=post, data=data, mime=mime, alt=alt, name=name[:200])
    image.position = post.images.count() + 1
    for platform in {account.platform for account in post.accounts.all()}:
        problem = image_problem(platform, image)
        if problem:
            raise DomainError(problem)
    if not phi_attested:
        raise DomainError(IMAGE_ATTESTATION)
    found = phi_check(actor=actor, target=None, texts={"alt": alt}, attested=phi_attested)
    image.save()
    phi_record(actor=actor, target=post, found=found)
    post.phi_attested_by = _member(actor)
    post.phi_attested_at = _now()
    post.save(update_fields=["phi_attested_by", "phi_attested_at"])
    if post.state not in {DeskState.DRAFT, DeskState.IN_REVIEW}:
        _back_to_review(post)
        post.save()
    audit(actor=actor, action="outreach.desk_image_add", target=post)
    return image


@transaction.atomic(durable=True)
def image_remove(*, image: DeskImage, actor: Actor) -> None:
    post = DeskPost.objects.select_for_update().get(pk=image.post_id)
    require(actor, "outreach.desk_edit", post)
    if post.state not in EDITABLE:
        raise DomainError("A published post can no longer be changed.")
    _not_hidden(post)
    _check_untried(post)
    image.delete()
    if post.state not in {DeskState.DRAFT, DeskState.IN_REVIEW}:
        _back_to_review(post)
        post.save()
    audit(actor=actor, action="outreach.desk_image_remove", target=post)


def image_problem(platform: str, image: DeskImage) -> str:
    """Why `platform` would refuse the image ("" when it takes it)."""
    label = Platform(platform).label
    limit = IMAGE_BYTES.get(Platform(platform), 0)
    if limit and image.size > limit:
        return (
            f"{image.name or 'An image'} is {image.size / 1_000_000:.1f} MB; {label} takes "
            f"images of at most {limit / 1_000_000:.1f} MB."
        )
    alt_limit = ALT_LENGTH.get(Platform(platform), 0)
    if alt_limit and len(image.alt) > alt_limit:
        return f"The alt text of {image.name or 'an image'} is longer than {label}'s {alt_limit}."
    return ""


# ---------------------------------------------------------------------------------------------
# Review and approval


def _check_ready(post: DeskPost) -> None:
    """What must hold before a post is approved or scheduled: its kind's details, the text
    splits into a thread on every platform it goes to, its images suit them."""
    from hemonc.outreach.desk.text import ThreadError, split_thread

    _not_hidden(post)
    _check_kind(post)
    accounts = list(post.accounts.all())
    if not accounts:
        raise DomainError("Choose at least one account to post from.")
    for platform in sorted({account.platform for account in accounts}):
        try:
            split_thread(platform, post.text)
        except ThreadError as error:
            raise DomainError(f"{Platform(platform).label}: {error}") from None
        for image in post.images.all():
            problem = image_problem(platform, image)
            if problem:
                raise DomainError(problem)


@transaction.atomic(durable=True)
def post_submit(*, post: DeskPost, actor: Actor) -> DeskPost:
    """Send a draft for review."""
    post = DeskPost.objects.select_for_update().get(pk=post.pk)
    require(actor, "outreach.desk_edit", post)
    if post.state != DeskState.DRAFT:
        raise DomainError("Only a draft can be sent for review.")
    _check_ready(post)
    post.state = DeskState.IN_REVIEW
    post.submitted_at = _now()
    post.save(update_fields=["state", "submitted_at", "updated_at"])
    audit(actor=actor, action="outreach.desk_submit", target=post)
    return post


@transaction.atomic(durable=True)
def post_return(*, post: DeskPost, actor: Actor) -> DeskPost:
    """An organizer sends a post in review back to its author as a draft."""
    post = DeskPost.objects.select_for_update().get(pk=post.pk)
    require(actor, "outreach.desk_approve", post)
    if post.state != DeskState.IN_REVIEW:
        raise DomainError("Only a post in review can be sent back.")
    post.state = DeskState.DRAFT
    post.approvals.all().delete()
    post.save(update_fields=["state", "updated_at"])
    audit(actor=actor, action="outreach.desk_return", target=post)
    return post


def approvals_needed(post: DeskPost) -> int:
    """Approvals the post still needs (0: approved)."""
    approvals = list(post.approvals.all())
    if second_approver_required():
        others = [a for a in approvals if a.approver_id is None or a.approver_id != post.author_id]
        return 0 if others else 1
    return 0 if approvals else 1


@transaction.atomic(durable=True)
def post_approve(*, post: DeskPost, actor: Actor) -> DeskPost:
    """An organizer approves a post in review. With `OUTREACH_SECOND_APPROVER` the approval
    must come from an organizer who is not the author."""
    post = DeskPost.objects.select_for_update().get(pk=post.pk)
    require(actor, "outreach.desk_approve", post, message="Only an organizer may approve posts.")
    if post.state != DeskState.IN_REVIEW:
        raise DomainError("Only a post in review can be approved.")
    if (
        second_approver_required()
        and post.author_id is not None
        and getattr(actor, "pk", None) == post.author_id
    ):
        raise DomainError("A second organizer who did not write this post must approve it.")
    if phi_pending(post):
        raise DomainError(
            "This post may identify a patient and nobody attested it: edit it, or attest it."
        )
    _check_ready(post)
    if post.approvals.filter(approver=_member(actor)).exists():
        raise DomainError("You approved this post already.")
    DeskApproval.objects.create(post=post, approver=_member(actor), approved_at=_now())
    if approvals_needed(post) == 0:
        post.state = DeskState.APPROVED
        post.approved_at = _now()
        post.save(update_fields=["state", "approved_at", "updated_at"])
    audit(actor=actor, action="outreach.desk_approve", target=post)
    return post


# ---------------------------------------------------------------------------------------------
# Scheduling


def _publish_later(post: DeskPost) -> None:
    """The worker takes the post up at its release time (a backend that cannot wait, as in
    unit tests, gets nothing: `publish-due` or the next run picks it up)."""
    from hemonc.outreach.tasks import publish_desk_post_task

    if post.release_at is not None:
        enqueue_later(publish_desk_post_task, post.release_at, post.pk)


def _check_accounts(post: DeskPost) -> None:
    for account in post.accounts.all():
        if not (account.active and account.service and account.secret):
            raise DomainError(f"The desk cannot publish from {account}: add it with account-add.")


def _schedule(post: DeskPost, *, actor: Actor, when: datetime, queue_account: Any = None) -> None:
    if post.state not in {DeskState.APPROVED, DeskState.SCHEDULED}:
        raise DomainError("Only an approved post can be scheduled.")
    if post.started_at is not None:
        raise DomainError("This post is being published already.")
    if phi_pending(post):
        raise DomainError(
            "This post may identify a patient and nobody attested it: edit it, or attest it."
        )
    _check_accounts(post)
    _check_ready(post)
    _write_parts(post)
    now = _now()
    post.state = DeskState.SCHEDULED
    post.scheduled_at = when
    post.release_at = max(when, now + undo_window())
    post.queue_account = queue_account
    post.save()
    audit(
        actor=actor,
        action="outreach.desk_schedule",
        target=post,
        changes={"at": when.isoformat(), "queue": getattr(queue_account, "pk", None)},
    )
    _publish_later(post)


def thread_texts(post: DeskPost, account: SocialAccount) -> list[str]:
    """The posts of the thread `post` becomes on `account` (Mastodon: within the instance's
    own limit when the adapter learned it)."""
    from hemonc.outreach.desk.text import ThreadError, split_thread

    limit = None
    if account.platform == Platform.MASTODON:
        known = account_state(account).get("max_characters")
        limit = int(known) if isinstance(known, int) and known > 0 else None
    try:
        return split_thread(account.platform, post.text, limit=limit)
    except ThreadError as error:
        raise DomainError(f"{account}: {error}") from None


def _write_parts(post: DeskPost) -> None:
    """The post's platform posts, one per account and thread position, each with the
    idempotency key it keeps from now on (before any attempt). A post scheduled again before
    anything of it was tried gets its parts anew."""
    from hemonc.outreach.desk.platforms import new_key

    post.parts.filter(attempts=0).exclude(state=PartState.PUBLISHED).delete()
    if post.parts.exists():
        raise DomainError("This post is being published already.")
    DeskPart.objects.bulk_create(
        [
            DeskPart(
                post=post,
                account=account,
                position=position,
                count=len(texts),
                text=text,
                key=new_key(),
            )
            for account in post.accounts.all()
            for texts in [thread_texts(post, account)]
            for position, text in enumerate(texts, start=1)
        ]
    )


@transaction.atomic(durable=True)
def post_schedule(*, post: DeskPost, actor: Actor, when: datetime | None = None) -> DeskPost:
    """Schedule an approved post at `when` (None: now). It leaves at that time, or, when
    that is sooner, once the undo window after this moment passed."""
    post = DeskPost.objects.select_for_update().get(pk=post.pk)
    require(actor, "outreach.desk_schedule", post)
    now = _now()
    if when is None:
        when = now
    elif timezone.is_naive(when):
        raise DomainError("Give the time with its time zone.")
    elif when < now - timedelta(minutes=1):
        raise DomainError("Choose a time in the future.")
    _schedule(post, actor=actor, when=max(when, now), queue_account=None)
    return post


def slot_times(
    account: SocialAccount, *, after: datetime, weeks: int = QUEUE_WEEKS
) -> list[datetime]:
    """The account's slot times after `after`, in order (aware, UTC), for `weeks` weeks.

    Each slot is a wall-clock time in the account's zone: "Mon 20:00 America/New_York" is
    20:00 there in summer and in winter (00:00 or 01:00 UTC). A time the clocks skip (a spring
    change at 02:30) is taken as the same wall time after the change (fold 0 of zoneinfo
    resolves it one hour later); a time that happens twice is its first occurrence."""
    slots = list(account.slots.all())
    if not slots:
        return []
    zone = ZoneInfo(account.time_zone if is_time_zone(account.time_zone) else "UTC")
    start = after.astimezone(zone).date()
    found: list[datetime] = []
    for offset in range(weeks * 7 + 1):
        day = start + timedelta(days=offset)
        for slot in slots:
            if slot.weekday != day.weekday():
                continue
            local = datetime.combine(day, slot.time, tzinfo=zone)
            # Round-trip through UTC: a skipped wall time becomes the real moment after it.
            moment = local.astimezone(UTC)
            if moment > after:
                found.append(moment)
    return sorted(set(found))


def _taken(account: SocialAccount, *, exclude: int | None = None) -> set[datetime]:
    posts = DeskPost.objects.filter(
        state=DeskState.SCHEDULED, accounts=account, scheduled_at__isnull=False
    )
    if exclude is not None:
        posts = posts.exclude(pk=exclude)
    return {moment for moment in posts.values_list("scheduled_at", flat=True) if moment}


def next_free_slot(account: SocialAccount, *, exclude: int | None = None) -> datetime | None:
    """The account's next slot no scheduled post of the account takes (after the undo
    window from now), or None when it has no slots."""
    taken = _taken(account, exclude=exclude)
    for moment in slot_times(account, after=_now() + undo_window()):
        if moment not in taken:
            return moment
    return None


@transaction.atomic(durable=True)
def post_add_to_queue(
    *, post: DeskPost, actor: Actor, account: SocialAccount | None = None
) -> DeskPost:
    """Schedule an approved post in the next free slot of `account`'s queue (by default the
    first account it goes to)."""
    post = DeskPost.objects.select_for_update().get(pk=post.pk)
    require(actor, "outreach.desk_schedule", post)
    accounts = list(post.accounts.all())
    account = account or (accounts[0] if accounts else None)
    if account is None or account not in accounts:
        raise DomainError("Choose one of the post's accounts for its queue.")
    # Serializes queue writers of one account (SQLite: the first write locks the database).
    SocialAccount.objects.select_for_update().filter(pk=account.pk).first()
    when = next_free_slot(account, exclude=post.pk)
    if when is None:
        raise DomainError(f"{account} has no free queue slot: add weekly slots first.")
    _schedule(post, actor=actor, when=when, queue_account=account)
    return post


def queued_posts(account: SocialAccount) -> list[DeskPost]:
    """The account's queue: its scheduled posts not yet taken up, soonest first."""
    return list(
        DeskPost.objects.filter(
            state=DeskState.SCHEDULED, queue_account=account, started_at__isnull=True
        ).order_by("scheduled_at", "id")
    )


@transaction.atomic(durable=True)
def queue_reorder(
    *, account: SocialAccount, actor: Actor, post_ids: Sequence[int]
) -> list[DeskPost]:
    """Put the account's queued posts in this order: they keep the same times, taken in turn
    (a post dragged to the top takes the soonest time)."""
    require(actor, "outreach.desk_schedule")
    SocialAccount.objects.select_for_update().filter(pk=account.pk).first()
    queued = {post.pk: post for post in queued_posts(account)}
    order = [int(pk) for pk in post_ids]
    if sorted(order) != sorted(queued):
        raise DomainError("The queue changed meanwhile: reload it and try again.")
    times = sorted(post.scheduled_at for post in queued.values() if post.scheduled_at)
    now = _now()
    moved = []
    for pk, when in zip(order, times, strict=True):
        post = queued[pk]
        if post.scheduled_at == when:
            continue
        post.scheduled_at = when
        post.release_at = max(when, now + undo_window())
        post.save(update_fields=["scheduled_at", "release_at", "updated_at"])
        _publish_later(post)
        moved.append(pk)
    audit(actor=actor, action="outreach.desk_reorder", target=account, changes={"moved": moved})
    return sorted(queued.values(), key=lambda post: (post.scheduled_at, post.pk))


@transaction.atomic(durable=True)
def post_cancel(*, post: DeskPost, actor: Actor) -> DeskPost:
    """Take a scheduled post back (undo) before it leaves: it is approved again, with no
    time. Possible until its release time (at least the undo window after scheduling)."""
    post = DeskPost.objects.select_for_update().get(pk=post.pk)
    require(actor, "outreach.desk_schedule", post)
    if post.state != DeskState.SCHEDULED:
        raise DomainError("This post is not scheduled.")
    # The parts are locked too: a worker leasing them waits, or is waited for.
    parts = list(post.parts.select_for_update())
    if (
        post.started_at is not None
        or (post.release_at and post.release_at <= _now())
        or any(part.attempts or part.lease_owner for part in parts)
    ):
        raise DomainError("Too late: this post is being published.")
    post.parts.all().delete()
    post.state = DeskState.APPROVED
    post.scheduled_at = post.release_at = None
    post.queue_account = None
    post.save()
    audit(actor=actor, action="outreach.desk_cancel", target=post)
    return post


@transaction.atomic(durable=True)
def post_retry(*, post: DeskPost, actor: Actor) -> DeskPost:
    """Try a failed post again now: its failed platform posts keep their keys (the platform
    still recognizes them), those published stay. Each gets `OUTREACH_MAX_ATTEMPTS` again."""
    post = DeskPost.objects.select_for_update().get(pk=post.pk)
    require(actor, "outreach.desk_schedule", post)
    if post.state != DeskState.FAILED:
        raise DomainError("Only a failed post can be retried.")
    _not_hidden(post)
    _check_accounts(post)
    # A part tried before keeps one attempt on record: it is looked for on the platform
    # before it is sent again (its last answer may have been lost).
    post.parts.filter(state=PartState.FAILED).update(
        state=PartState.PENDING,
        attempts=Case(When(attempts__gt=0, then=Value(1)), default=Value(0)),
        next_attempt_at=None,
        lease_owner="",
        lease_until=None,
    )
    post.state = DeskState.SCHEDULED
    post.release_at = _now()
    post.last_error = ""
    post.save()
    audit(actor=actor, action="outreach.desk_retry", target=post)
    _publish_later(post)
    return post


@transaction.atomic(durable=True)
def post_delete(*, post: DeskPost, actor: Actor) -> None:
    """Delete a post that never left (a draft, or any post nothing of which was published)."""
    post = DeskPost.objects.select_for_update().get(pk=post.pk)
    require(actor, "outreach.desk_edit", post)
    if post.parts.filter(state=PartState.PUBLISHED).exists():
        raise DomainError("Part of this post is published: it stays in the history.")
    if post.state == DeskState.SCHEDULED and post.started_at is not None:
        raise DomainError("This post is being published.")
    audit(actor=actor, action="outreach.desk_delete", target=post)
    post.delete()


def post_publish_as_operator(
    *,
    accounts: Sequence[SocialAccount],
    text: str,
    kind: str,
    when: datetime | None,
    attested: bool,
    actor: Actor,
) -> DeskPost:
    """A post approved by whoever runs the command and scheduled at `when` (None: now)."""
    post = post_create(actor=actor, text=text, accounts=accounts, kind=kind, phi_attested=attested)
    post = post_submit(post=post, actor=actor)
    post = post_approve(post=post, actor=actor)
    return post_schedule(post=post, actor=actor, when=when)
