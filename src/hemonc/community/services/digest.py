"""The weekly digest: members opt in; the worker builds each one's digest and sends it through
the fast bulk-mail path (hemonc.core.bulkmail), with one-click unsubscribe (RFC 8058).

Each week has one `DigestRun`, scheduled a week ahead: the worker takes the members who asked
in id order, a batch at a time, and records after each batch who got their copy
(`DigestSubscription.last_sent_week`) and how far it went (`cursor`), so a run that stopped
resumes there and nobody gets the week twice (a worker killed mid-batch may repeat that batch).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import smtplib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes

from hemonc.community import tasks
from hemonc.community.digest_content import (
    DigestItem,
    DigestReader,
    DigestSource,
    default_sources,
    read_members,
)
from hemonc.community.models.digest import DigestRun, DigestSubscription
from hemonc.core.audit import audit
from hemonc.core.bulkmail import AddressNeedsSmtpUtf8, BulkSender, PreparedMail, mail_domain
from hemonc.core.permissions import Operator, require
from hemonc.core.tasks import enqueue_on_commit
from hemonc.members.models import User

logger = logging.getLogger(__name__)

DIGEST_SALT = "community.digest"
# The digest goes out on Mondays at this hour (UTC), about the seven days before.
SEND_HOUR = 8
BATCH = 500
ITEMS_TEXT = "%%ITEMS_TEXT%%"
ITEMS_HTML = "%%ITEMS_HTML%%"
NAME_TEXT = "%%NAME_TEXT%%"
NAME_HTML = "%%NAME_HTML%%"
UNSUBSCRIBE = "%%UNSUBSCRIBE_URL%%"
_TOKEN = "TOKEN-PLACEHOLDER"  # noqa: S105 - replaced by each reader's signed id


# ---- tokens: the unsubscribe link names the member, signed ----


def digest_token(user_id: int) -> str:
    return signing.Signer(salt=DIGEST_SALT).sign(str(user_id))


def digest_token_maker() -> Callable[[int], str]:
    """`digest_token` for a whole run, the signing key derived once (one HMAC per member)."""
    signer = signing.Signer(salt=DIGEST_SALT)
    hasher = getattr(hashlib, signer.algorithm)
    key = hasher(force_bytes(DIGEST_SALT + "signer") + force_bytes(signer.key)).digest()
    keyed = hmac.new(key, digestmod=hasher)
    sep = signer.sep

    def token(user_id: int) -> str:
        value = str(user_id)
        mac = keyed.copy()
        mac.update(value.encode())
        return f"{value}{sep}{signing.b64_encode(mac.digest()).decode()}"

    return token


def user_id_from_digest_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=DIGEST_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


# ---- opting in and out ----


def week_of(moment: datetime) -> date:
    """The Monday of the next digest at or after `moment`."""
    moment = moment.astimezone(UTC)
    monday = moment.date() - timedelta(days=moment.weekday())
    if moment >= _send_time(monday):
        monday += timedelta(days=7)
    return monday


def _send_time(week: date) -> datetime:
    return datetime.combine(week, time(SEND_HOUR), tzinfo=UTC)


@transaction.atomic(durable=True)
def digest_subscription_set(*, actor: User, weekly: bool) -> DigestSubscription:
    """The member asks for the weekly digest, or stops it."""
    require(actor, "community.edit_own_settings")
    row, _ = DigestSubscription.objects.get_or_create(user=actor)
    if row.weekly != weekly:
        row.weekly = weekly
        row.save(update_fields=["weekly", "changed_at"])
        audit(actor=actor, action="community.digest", target=row, changes={"weekly": weekly})
    if weekly:
        _schedule(week_of(timezone.now()))
    return row


@transaction.atomic(durable=True)
def digest_unsubscribe(*, user_id: int, how: str = "link") -> bool:
    """Stop the digest for the member the unsubscribe link names (no sign-in needed: the
    signed link is the proof). True when it was on."""
    changed = DigestSubscription.objects.filter(user_id=user_id, weekly=True).update(weekly=False)
    if changed:
        row = DigestSubscription.objects.get(user_id=user_id)
        audit(actor=None, action="community.digest_unsubscribe", target=row, changes={"how": how})
    return bool(changed)


# ---- the weekly run ----


def _schedule(week: date) -> DigestRun:
    """The run of `week`, made once with its task (inside the caller's transaction)."""
    run, created = DigestRun.objects.get_or_create(
        week=week, defaults={"scheduled_for": _send_time(week)}
    )
    if created and tasks.send_digest_task.get_backend().supports_defer:
        enqueue_on_commit(
            tasks.send_digest_task.using(run_after=run.scheduled_for), week=week.isoformat()
        )
    return run


@transaction.atomic(durable=True)
def digest_schedule(*, week: date, actor: Operator | User) -> DigestRun:
    require(actor, "community.send_digest")
    return _schedule(week)


class DigestMail:
    """The week's mail, written once; each member's copy gets their name, their lines and
    their unsubscribe link (all escaped for the HTML part when written, so the copy is made
    by replacing placeholders, verbatim)."""

    def __init__(self, *, week: date) -> None:
        sender = str(getattr(settings, "NEWSLETTER_FROM_EMAIL", "") or settings.DEFAULT_FROM_EMAIL)
        context = {
            "week": week,
            "name": NAME_TEXT,
            "items": ITEMS_TEXT,
            "unsubscribe_url": UNSUBSCRIBE,
            "settings_url": f"{settings.SITE_URL}{reverse('community:message_settings')}",
            "site_url": settings.SITE_URL,
        }
        text = render_to_string("community/digest/email/digest.txt", context)
        body = render_to_string(
            "community/digest/email/digest.html",
            {**context, "name": NAME_HTML, "items": ITEMS_HTML},
        )
        domain = mail_domain(sender)
        self.mail = PreparedMail(
            from_email=sender,
            subject=f"Your week on the Hem-Onc Network ({week:%-d %b %Y})",
            text=text,
            html=body,
            headers={
                "List-Id": f"Hem-Onc Network weekly digest <digest.{domain}>",
                "Precedence": "bulk",
                "Auto-Submitted": "auto-generated",
            },
            escape_html=False,
        )
        self.week = week
        self.unsubscribe = (
            f"{settings.SITE_URL}{reverse('community:digest_unsubscribe', args=[_TOKEN])}"
        )
        self.token = digest_token_maker()
        self._made: dict[tuple[tuple[object, ...], ...], tuple[str, str]] = {}

    def _lists(self, sections: Sequence[tuple[str, list[DigestItem]]]) -> tuple[str, str]:
        """The sections as text and HTML; many members get the same lines, made once."""
        key = tuple((title, *map(id, lines)) for title, lines in sections)
        made = self._made.get(key)
        if made is None:
            text = "".join(
                f"{title}\n{'=' * len(title)}\n\n" + "".join(line.text for line in lines) + "\n"
                for title, lines in sections
            )
            body = "".join(
                f"<h2>{title}</h2>\n<ul>\n" + "".join(line.html for line in lines) + "</ul>\n"
                for title, lines in sections
            )
            made = self._made[key] = (text, body)
            if len(self._made) > 5000:
                self._made.clear()
        return made

    def substitutions(
        self, reader: DigestReader, sections: Sequence[tuple[str, list[DigestItem]]]
    ) -> dict[str, str]:
        text, body = self._lists(sections)
        # The member's name last: what it holds is never read as a placeholder.
        return {
            ITEMS_TEXT: text,
            ITEMS_HTML: body,
            UNSUBSCRIBE: self.unsubscribe.replace(_TOKEN, self.token(reader.user_id)),
            NAME_TEXT: reader.name,
            NAME_HTML: html.escape(reader.name),
        }

    def send(
        self,
        sender: BulkSender,
        reader: DigestReader,
        sections: Sequence[tuple[str, list[DigestItem]]],
    ) -> str:
        values = self.substitutions(reader, sections)
        return sender.send(
            self.mail,
            to=reader.email,
            message_id=self.mail.new_message_id("digest", self.week.isoformat(), reader.user_id),
            substitutions=values,
            list_unsubscribe=values[UNSUBSCRIBE],
        )


def digest_sections(
    reader: DigestReader, sources: Sequence[DigestSource]
) -> list[tuple[str, list[DigestItem]]]:
    """The member's sections that have something, in order."""
    sections = []
    for source in sources:
        lines = source.items_for(reader)
        if lines:
            sections.append((source.title, lines))
    return sections


def digest_preview(
    *, user: User, week: date | None = None, sources: Sequence[DigestSource] | None = None
) -> list[tuple[str, list[DigestItem]]]:
    """One member's digest sections as the run would build them (tests, previews)."""
    week = week or week_of(timezone.now())
    sources = list(sources) if sources is not None else default_sources()
    until = _send_time(week)
    for source in sources:
        source.prepare(since=until - timedelta(days=7), until=until)
    readers = read_members([user.pk])
    if not readers:
        return []
    for source in sources:
        source.readers(readers)
    return digest_sections(readers[0], sources)


def digest_send_week(
    *, week: date, actor: Operator | User, sources: Sequence[DigestSource] | None = None
) -> DigestRun:
    """Build and send `week`'s digest to every member who asked (who has anything in it),
    then schedule the next week's. Each batch is recorded in its own transaction."""
    require(actor, "community.send_digest")
    with transaction.atomic():
        run = _schedule(week)
        run = DigestRun.objects.select_for_update().get(pk=run.pk)
        if run.finished_at is not None:
            return run
        if run.started_at is None:
            run.started_at = timezone.now()
            run.save(update_fields=["started_at"])
    sources = list(sources) if sources is not None else default_sources()
    until = _send_time(week)
    for source in sources:
        source.prepare(since=until - timedelta(days=7), until=until)
    mail = DigestMail(week=week)
    with BulkSender() as sender:
        while True:
            batch = list(
                DigestSubscription.objects.filter(
                    weekly=True, user__is_active=True, user_id__gt=run.cursor
                )
                .exclude(last_sent_week=week)
                .order_by("user_id")
                .values_list("user_id", flat=True)[:BATCH]
            )
            if not batch:
                break
            _send_batch(run, batch, mail=mail, sender=sender, sources=sources)
    with transaction.atomic():
        finished = DigestRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )
        if finished:
            _schedule(week + timedelta(days=7))
    run.refresh_from_db()
    logger.info("digest %s: %s sent, %s empty, %s failed", week, run.sent, run.skipped, run.failed)
    return run


def _send_batch(
    run: DigestRun,
    batch: list[int],
    *,
    mail: DigestMail,
    sender: BulkSender,
    sources: Sequence[DigestSource],
) -> None:
    readers = read_members(batch)
    for source in sources:
        source.readers(readers)
    sent: list[int] = []
    # Of the batch, those who got nothing (few): what went is recorded as a range less these.
    unsent: list[int] = sorted(set(batch) - {reader.user_id for reader in readers})
    skipped = failed = 0
    processed, complete = run.cursor, False
    try:
        for reader in readers:
            sections = digest_sections(reader, sources)
            if not sections:
                skipped += 1
                unsent.append(reader.user_id)
            else:
                try:
                    mail.send(sender, reader, sections)
                except (AddressNeedsSmtpUtf8, smtplib.SMTPRecipientsRefused):
                    failed += 1
                    unsent.append(reader.user_id)
                else:
                    sent.append(reader.user_id)
            processed = reader.user_id
        complete = True
    finally:
        # What went is recorded even when the server went away mid-batch (the error goes on).
        cursor = batch[-1] if complete else processed
        with transaction.atomic():
            if sent:
                DigestSubscription.objects.filter(
                    user_id__gte=sent[0], user_id__lte=sent[-1], weekly=True, user__is_active=True
                ).exclude(user_id__in=unsent).update(last_sent_week=run.week)
            DigestRun.objects.filter(pk=run.pk).update(
                cursor=cursor,
                sent=F("sent") + len(sent),
                skipped=F("skipped") + skipped,
                failed=F("failed") + failed,
            )
        run.cursor = cursor
