"""Writes of the newsletter: subscribers and consent, imports, issues and the delivery outbox."""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.bulkmail import AddressNeedsSmtpUtf8, BulkSender
from hemonc.core.errors import DomainError
from hemonc.core.permissions import Operator, require
from hemonc.core.phi_guard import Findings, phi_check, phi_record, scan_texts
from hemonc.core.ratelimit import Limit, limit_take
from hemonc.core.tasks import enqueue_on_commit, send_email_task
from hemonc.core.text import one_line
from hemonc.core.updates import model_update
from hemonc.members.models import User
from hemonc.newsletter import selectors
from hemonc.newsletter.enums import (
    GONE_STATUSES,
    ConsentSource,
    DeliveryStatus,
    ImportSource,
    ImportStatus,
    IssueStatus,
    SubscriberStatus,
)
from hemonc.newsletter.importers import Row, Unmapped
from hemonc.newsletter.mail import (
    PreparedIssue,
    absolute,
    from_email,
    issue_link_urls,
    subscriber_token_maker,
)
from hemonc.newsletter.models import (
    ConsentText,
    Delivery,
    Issue,
    IssueLink,
    SignupConfirmation,
    Subscriber,
    SubscriberImport,
    SubscriberImportFile,
)
from hemonc.newsletter.tasks import import_subscribers_task, send_issue_task, start_issue_task

logger = logging.getLogger(__name__)

CONFIRM_SALT = "newsletter.confirm"
CONFIRM_DAYS = 7
CONFIRM_AGE = timedelta(days=CONFIRM_DAYS)
DEMOGRAPHIC_FIELDS = ("name", "stage", "specialty", "country", "institution", "gender")
ONE_LINE_ANSWERS = ("name", "institution")
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)  # NEWSLETTER_LEASE_SECONDS, the default
RUN_BUDGET_SECONDS = 300.0
BATCH_SIZE = 500  # deliveries leased at once
# One confirmation mail per address per 10 minutes, however often the form is sent for it.
CONFIRM_MAIL_LIMIT = Limit(name="newsletter.confirm-mail", count=1, seconds=600)


def _now() -> datetime:
    return timezone.now()


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


# ---------------------------------------------------------------------------------------------
# Subscribers


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic(durable=True)
def subscriber_signup(
    *,
    email: str,
    consent_text: ConsentText,
    ip: str | None,
    answers: dict[str, str] | None = None,
) -> str:
    """Start double opt-in: mail a confirmation link; returns its token.

    A new address becomes a pending subscriber. An existing one keeps its status and its
    details until the link is followed, so a stranger typing someone's address changes
    nothing. The link is a random token: the answers, the consent text and the IP wait in
    a SignupConfirmation, and the mail quotes nothing the requester typed (the address's
    owner has not said the name given is theirs). An address is mailed at most once per
    `CONFIRM_MAIL_LIMIT`, so the form cannot flood an inbox.
    """
    email = normalize_email(email)
    answers = {
        k: one_line(v) if k in ONE_LINE_ANSWERS else v
        for k, v in (answers or {}).items()
        if k in DEMOGRAPHIC_FIELDS and v
    }
    subscriber, created = Subscriber.objects.get_or_create(
        email=email, defaults={"status": SubscriberStatus.PENDING, "status_changed_at": _now()}
    )
    token, mailed = _start_confirmation(
        subscriber, consent_text=consent_text, ip=ip, answers=answers
    )
    audit(
        actor=None,
        action="newsletter.signup",
        target=subscriber,
        changes={"new": created, "mailed": mailed},
    )
    return token


def _start_confirmation(
    subscriber: Subscriber, *, consent_text: ConsentText, ip: str | None, answers: dict[str, str]
) -> tuple[str, bool]:
    """Keep a sign-up waiting for its link and mail the link (at most once per
    `CONFIRM_MAIL_LIMIT` per address); returns the token and whether it was mailed."""
    SignupConfirmation.objects.filter(created_at__lt=_now() - CONFIRM_AGE).delete()
    token = secrets.token_urlsafe(24)
    SignupConfirmation.objects.create(
        subscriber=subscriber,
        token_hash=_token_hash(token),
        consent_text=consent_text,
        answers=answers,
        ip=ip,
    )
    confirm_url = absolute(reverse("newsletter:confirm", args=[token]))
    context = {"confirm_url": confirm_url, "days": CONFIRM_DAYS}
    if not limit_take(CONFIRM_MAIL_LIMIT, subscriber.email):
        # The link already mailed still works; the page answers the same either way.
        return token, False
    enqueue_on_commit(
        send_email_task,
        subject="[Hem-Onc Network] Confirm your newsletter subscription",
        body=render_to_string("newsletter/email/confirm.txt", context),
        html=render_to_string("newsletter/email/confirm.html", context),
        from_email=from_email(),
        to=[subscriber.email],
    )
    return token, True


def confirmation_from_token(token: str) -> SignupConfirmation | None:
    """The sign-up a confirmation token stands for, or None when it is unknown or expired.

    A link mailed before links became random tokens (a signed payload, with ":" in it)
    is read as before until it expires: an unsaved SignupConfirmation.
    """
    if ":" in token:
        return _legacy_confirmation(token)
    return (
        SignupConfirmation.objects.select_related("consent_text")
        .filter(token_hash=_token_hash(token), created_at__gte=_now() - CONFIRM_AGE)
        .first()
    )


def _legacy_confirmation(token: str) -> SignupConfirmation | None:
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("s"), int):
        return None
    consent_text = ConsentText.objects.filter(version=int(value.get("v") or 0)).first()
    if consent_text is None or not Subscriber.objects.filter(pk=value["s"]).exists():
        return None
    return SignupConfirmation(
        subscriber_id=value["s"],
        consent_text=consent_text,
        answers=value.get("a") or {},
        ip=value.get("ip"),
    )


@transaction.atomic(durable=True)
def subscriber_confirm(*, token: str, ip: str | None) -> Subscriber:
    """Follow a confirmation link: the one way back in for someone who left. A link works
    once; following it ends every other sign-up waiting for the address."""
    pending = confirmation_from_token(token)
    if pending is None:
        raise DomainError(
            "This confirmation link has expired or is not valid. Please sign up again."
        )
    subscriber = Subscriber.objects.select_for_update().filter(pk=pending.subscriber_id).first()
    if subscriber is None:
        raise DomainError("This confirmation link is no longer valid. Please sign up again.")
    for name, answer in (pending.answers or {}).items():
        if name in DEMOGRAPHIC_FIELDS:
            setattr(subscriber, name, one_line(answer) if name in ONE_LINE_ANSWERS else answer)
    subscriber.status = SubscriberStatus.SUBSCRIBED
    subscriber.status_changed_at = _now()
    subscriber.consent_text = pending.consent_text
    subscriber.consented_at = _now()
    subscriber.consent_ip = ip or pending.ip
    subscriber.consent_source = ConsentSource.SIGNUP
    subscriber.save()
    SignupConfirmation.objects.filter(subscriber=subscriber).delete()
    audit(actor=None, action="newsletter.confirm", target=subscriber)
    return subscriber


@transaction.atomic(durable=True)
def subscriber_subscribe_member(
    *, user: User, consent_text: ConsentText, ip: str | None
) -> Subscriber:
    """One click from a signed-in member: their verified account address, subscribed now."""
    email = normalize_email(user.email)
    subscriber = (
        Subscriber.objects.select_for_update().filter(Q(user=user) | Q(email=email)).first()
    )
    if subscriber is None:
        subscriber = Subscriber(email=email)
    profile = user.profile
    subscriber.user = user
    for name, value in (
        ("name", profile.display_name),
        ("stage", profile.stage),
        ("specialty", profile.specialty),
        ("country", profile.country),
        ("institution", profile.institution),
        ("gender", profile.gender),
    ):
        if value and not getattr(subscriber, name):
            setattr(subscriber, name, value)
    subscriber.status = SubscriberStatus.SUBSCRIBED
    subscriber.status_changed_at = _now()
    subscriber.consent_text = consent_text
    subscriber.consented_at = _now()
    subscriber.consent_ip = ip
    subscriber.consent_source = ConsentSource.PROFILE
    subscriber.save()
    audit(actor=user, action="newsletter.subscribe_member", target=subscriber)
    return subscriber


@transaction.atomic(durable=True)
def subscriber_update_preferences(
    *, subscriber: Subscriber, **fields: Unpack[SubscriberChanges]
) -> Subscriber:
    """What a reader tells about themselves on their preferences page (by their link)."""
    unknown = set(fields) - set(DEMOGRAPHIC_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    values = {k: one_line(str(v)) if k in ONE_LINE_ANSWERS else str(v) for k, v in fields.items()}
    if values.get("country"):
        values["country"] = values["country"].upper()
    changed = model_update(subscriber, values)
    subscriber.save()
    audit(
        actor=None, action="newsletter.preferences", target=subscriber, changes={"fields": changed}
    )
    return subscriber


class SubscriberChanges(TypedDict, total=False):
    """The details a reader may change about themselves (all optional)."""

    name: str
    stage: str
    specialty: str
    country: str
    institution: str
    gender: str


def _set_status(
    subscriber: Subscriber,
    status: SubscriberStatus,
    *,
    action: str,
    reason: str = "",
    actor: User | None = None,
) -> Subscriber:
    if subscriber.status == status:
        return subscriber
    previous = subscriber.status
    subscriber.status = status
    subscriber.status_changed_at = _now()
    subscriber.save(update_fields=["status", "status_changed_at", "updated_at"])
    changes = {"from": previous, "to": status.value}
    if reason:
        changes["reason"] = reason[:120]
    audit(actor=actor, action=action, target=subscriber, changes=changes)
    return subscriber


def _unsubscribe(subscriber: Subscriber, *, how: str) -> Subscriber:
    if subscriber.status in {SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED}:
        return subscriber
    return _set_status(
        subscriber, SubscriberStatus.UNSUBSCRIBED, action="newsletter.unsubscribe", reason=how
    )


def _mark_bounced(subscriber: Subscriber, *, reason: str) -> Subscriber:
    if subscriber.status == SubscriberStatus.COMPLAINED:
        return subscriber
    return _set_status(
        subscriber, SubscriberStatus.BOUNCED, action="newsletter.bounce", reason=reason
    )


@transaction.atomic(durable=True)
def subscriber_unsubscribe(*, subscriber: Subscriber, how: str = "link") -> Subscriber:
    """Leave the list. Pending or subscribed people only: a bounce or complaint stays one."""
    return _unsubscribe(subscriber, how=how)


@transaction.atomic(durable=True)
def subscriber_mark_bounced(*, subscriber: Subscriber, reason: str = "") -> Subscriber:
    """The server refused an address for good; a complaint stays a complaint."""
    return _mark_bounced(subscriber, reason=reason)


@transaction.atomic(durable=True)
def subscriber_mark_complained(*, subscriber: Subscriber, reason: str = "") -> Subscriber:
    """The reader marked an issue as spam: never mailed again."""
    return _set_status(
        subscriber, SubscriberStatus.COMPLAINED, action="newsletter.complaint", reason=reason
    )


@transaction.atomic(durable=True)
def subscriber_record_provider_event(*, email: str, event_type: str, description: str = "") -> bool:
    """A bounce, complaint or unsubscribe reported later by the mail provider's webhook."""
    subscriber = Subscriber.objects.filter(email=normalize_email(email)).first()
    if subscriber is None:
        return False
    if event_type == "bounced":
        _mark_bounced(subscriber, reason=description or "provider bounce")
    elif event_type == "complained":
        _set_status(
            subscriber,
            SubscriberStatus.COMPLAINED,
            action="newsletter.complaint",
            reason=description or "spam complaint",
        )
    elif event_type == "unsubscribed":
        _unsubscribe(subscriber, how="provider")
    else:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Imports


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmapped: list[Unmapped] = field(default_factory=list)


def _status_after_import(subscriber: Subscriber, row: Row) -> SubscriberStatus:
    """No import turns anyone who left back into a subscriber.

    An import that says someone left applies only when they left after the consent we hold,
    so an old export cannot unsubscribe a person who signed up again here since.
    """
    current = SubscriberStatus(subscriber.status)
    if row.status == SubscriberStatus.SUBSCRIBED:
        if current == SubscriberStatus.PENDING and row.consented_at is not None:
            return SubscriberStatus.SUBSCRIBED
        return current
    if current in GONE_STATUSES:
        return current
    held = subscriber.consented_at
    if held is None or row.left_at is None or row.left_at > held:
        return row.status
    return current


@transaction.atomic(durable=True)
def subscribers_import(*, rows: Iterable[Row], actor: User | Operator) -> ImportSummary:
    """Write parsed rows: one subscriber per address, the same files twice change nothing."""
    require(actor, "newsletter.manage")
    return _write_rows(list(rows), actor=actor)


def _write_rows(rows: list[Row], *, actor: User | Operator) -> ImportSummary:
    summary = ImportSummary()
    existing = {
        s.email: s
        for s in Subscriber.objects.select_for_update().filter(
            email__in={row.email for row in rows}
        )
    }
    now = _now()
    for row in rows:
        summary.unmapped.extend(row.unmapped)
        subscriber = existing.get(row.email)
        if subscriber is None:
            subscriber = Subscriber.objects.create(
                email=row.email,
                name=one_line(row.name),
                status=row.status,
                status_changed_at=row.left_at or row.consented_at or now,
                stage=row.stage,
                specialty=row.specialty,
                country=row.country,
                institution=one_line(row.institution),
                gender=row.gender,
                consented_at=row.consented_at,
                consent_ip=row.consent_ip,
                consent_source=row.consent_source,
            )
            existing[row.email] = subscriber
            summary.created += 1
            continue
        changed = []
        status = _status_after_import(subscriber, row)
        if status != subscriber.status:
            if status == SubscriberStatus.SUBSCRIBED:
                subscriber.consented_at = row.consented_at
                subscriber.consent_ip = row.consent_ip
                subscriber.consent_source = row.consent_source
                changed += ["consented_at", "consent_ip", "consent_source"]
            subscriber.status = status
            subscriber.status_changed_at = row.left_at or now
            changed += ["status", "status_changed_at"]
        # What people told us directly wins over a spreadsheet: imports only fill blanks.
        for name in DEMOGRAPHIC_FIELDS:
            value = getattr(row, name)
            value = one_line(value) if name in ONE_LINE_ANSWERS else value
            if value and not getattr(subscriber, name):
                setattr(subscriber, name, value)
                changed.append(name)
        if changed:
            subscriber.save(update_fields=[*changed, "updated_at"])
            summary.updated += 1
        else:
            summary.unchanged += 1
    _link_members(emails={row.email for row in rows})
    audit(
        actor=actor if isinstance(actor, User) else None,
        action="newsletter.import",
        changes={
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
        },
    )
    return summary


def _link_members(*, emails: set[str]) -> None:
    """Subscribers whose address is a member account's are that member's subscription."""
    linked = set(Subscriber.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    for user_id, email in User.objects.filter(email__in=emails).values_list("id", "email"):
        if user_id not in linked:
            Subscriber.objects.filter(email=email, user__isnull=True).update(user_id=user_id)


IMPORT_MAX_FILES = 5
IMPORT_FILE_MAX_BYTES = 20 * 1024 * 1024
UNMAPPED_KEPT = 500  # values that could not be mapped, listed on the import's page


@transaction.atomic(durable=True)
def subscriber_import_start(
    *,
    actor: User,
    source: str,
    files: list[tuple[str, bytes]],
    fields: dict[str, str] | None = None,
) -> SubscriberImport:
    """Keep uploaded subscriber files and import them in the background."""
    require(actor, "newsletter.manage")
    if source not in ImportSource.values:
        raise DomainError("Choose where the files come from.")
    if not files:
        raise DomainError("Choose at least one file to import.")
    if len(files) > IMPORT_MAX_FILES:
        raise DomainError(f"Import at most {IMPORT_MAX_FILES} files at once.")
    for name, content in files:
        if len(content) > IMPORT_FILE_MAX_BYTES:
            raise DomainError(
                f"{one_line(name)[:200]} is larger than {IMPORT_FILE_MAX_BYTES // 2**20} MB."
            )
    job = SubscriberImport.objects.create(
        source=source, fields=dict(fields or {}), created_by=actor
    )
    SubscriberImportFile.objects.bulk_create(
        SubscriberImportFile(
            subscriber_import=job,
            name=one_line(name)[:255] or "upload",
            size=len(content),
            content=content,
        )
        for name, content in files
    )
    audit(actor=actor, action="newsletter.import_start", target=job, changes={"files": len(files)})
    enqueue_on_commit(import_subscribers_task, job.pk)
    return job


@transaction.atomic(durable=True)
def subscriber_import_claim(*, import_id: int) -> SubscriberImport | None:
    """The worker takes a waiting import (once: a second run finds it taken)."""
    job = SubscriberImport.objects.select_for_update().filter(pk=import_id).first()
    if job is None or job.status != ImportStatus.WAITING:
        return None
    job.status = ImportStatus.RUNNING
    job.started_at = _now()
    job.save(update_fields=["status", "started_at", "updated_at"])
    return job


def _empty_files(job: SubscriberImport) -> None:
    """The uploaded files are not kept once the import ran: only their names and sizes."""
    SubscriberImportFile.objects.filter(subscriber_import=job).update(content=b"")


@transaction.atomic(durable=True)
def subscriber_import_finish(*, job: SubscriberImport, rows: list[Row]) -> SubscriberImport:
    """Write every row of the import and its result together, or nothing."""
    actor = job.created_by
    require(actor, "newsletter.manage", message="Whoever started this import may no longer.")
    assert actor is not None
    summary = _write_rows(rows, actor=actor)
    job.status = ImportStatus.DONE
    job.finished_at = _now()
    job.created, job.updated, job.unchanged = summary.created, summary.updated, summary.unchanged
    job.unmapped = [
        {"file": u.file, "line": u.line, "field": u.field, "value": u.value[:200]}
        for u in summary.unmapped[:UNMAPPED_KEPT]
    ]
    job.save()
    _empty_files(job)
    return job


@transaction.atomic(durable=True)
def subscriber_import_fail(
    *, job: SubscriberImport, file: str, line: int, field: str, problem: str
) -> SubscriberImport:
    """A file that does not fit stopped the import: nothing was written; say where."""
    job.status = ImportStatus.FAILED
    job.finished_at = _now()
    job.error_file = one_line(file)[:300]
    job.error_line = max(int(line), 0)
    job.error_field = one_line(field)[:200]
    job.error_problem = one_line(problem).rstrip(".")[:500]
    job.save()
    _empty_files(job)
    audit(actor=None, action="newsletter.import_failed", target=job)
    return job


# ---------------------------------------------------------------------------------------------
# Organizers' changes to a subscriber


@transaction.atomic(durable=True)
def subscriber_remove(*, subscriber: Subscriber, actor: User) -> Subscriber:
    """An organizer unsubscribes someone (who asked them to); a bounce or complaint stays."""
    require(actor, "newsletter.manage")
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status not in {SubscriberStatus.SUBSCRIBED, SubscriberStatus.PENDING}:
        raise DomainError(f"{subscriber.email} does not receive the newsletter.")
    _set_status(
        subscriber,
        SubscriberStatus.UNSUBSCRIBED,
        action="newsletter.unsubscribe",
        reason="organizer",
        actor=actor,
    )
    return subscriber


@transaction.atomic(durable=True)
def subscriber_invite_back(
    *, subscriber: Subscriber, actor: User, consent_text: ConsentText
) -> Subscriber:
    """Resubscribing someone who left takes their own consent: mail them the confirmation
    link, as a sign-up does. They are subscribed once they follow it; a complaint is final."""
    require(actor, "newsletter.manage")
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == SubscriberStatus.SUBSCRIBED:
        raise DomainError(f"{subscriber.email} is subscribed already.")
    if subscriber.status == SubscriberStatus.COMPLAINED:
        raise DomainError(
            f"{subscriber.email} marked an issue as spam: only they can sign up again."
        )
    _, mailed = _start_confirmation(subscriber, consent_text=consent_text, ip=None, answers={})
    if not mailed:
        raise DomainError(
            f"A confirmation link went to {subscriber.email} less than 10 minutes ago."
        )
    audit(actor=actor, action="newsletter.invite_back", target=subscriber)
    return subscriber


# ---------------------------------------------------------------------------------------------
# Issues


@transaction.atomic(durable=True)
def issue_create(
    *,
    subject: str,
    body: str,
    actor: User | Operator,
    preheader: str = "",
    segment: dict[str, str] | None = None,
    count_engagement: bool = False,
    phi_attested: bool = False,
) -> Issue:
    """A draft. A text that may identify a patient is stored only with `phi_attested`
    (the organizer's attestation, audited with the findings it overrode)."""
    # The subject and the preheader are one line each: a mail header and a mail app's
    # one-line preview (a line break would end the Subject header).
    require(actor, "newsletter.manage")
    subject, preheader = one_line(subject), one_line(preheader)
    if not subject or not body.strip():
        raise DomainError("An issue needs a subject and a body.")
    texts = {"subject": subject, "preheader": preheader, "body": body}
    found = phi_check(actor=actor, target=None, texts=texts, attested=phi_attested)
    issue = Issue.objects.create(
        subject=subject,
        body=body,
        preheader=preheader,
        segment=selectors.segment_validate(segment or {}),
        count_engagement=count_engagement,
        created_by=actor if isinstance(actor, User) else None,
    )
    audit(actor=actor, action="newsletter.issue_create", target=issue)
    _record_attestation(issue, actor=actor, found=found)
    return issue


PHI_FIELDS = selectors.PHI_FIELDS


def _record_attestation(issue: Issue, *, actor: User | Operator, found: Findings) -> None:
    # The attestation stays with the issue while its marked text stays; a clean issue has none.
    if found:
        phi_record(actor=actor, target=issue, found=found)
        issue.phi_attested_by = actor if isinstance(actor, User) else None
        issue.phi_attested_at = _now()
    elif not scan_texts({name: getattr(issue, name) for name in PHI_FIELDS}):
        issue.phi_attested_by, issue.phi_attested_at = None, None
    else:
        return
    issue.save(update_fields=["phi_attested_by", "phi_attested_at"])


class IssueChanges(TypedDict, total=False):
    """The fields of a draft an organizer may change (all optional)."""

    subject: str
    preheader: str
    body: str
    segment: dict[str, str]
    count_engagement: bool


@transaction.atomic(durable=True)
def issue_update(
    *,
    issue: Issue,
    actor: User | Operator,
    phi_attested: bool = False,
    **fields: Unpack[IssueChanges],
) -> Issue:
    """Change a draft; the audit row names the fields whose value changed. A changed text
    that may identify a patient is stored only with `phi_attested` (as in `issue_create`)."""
    require(actor, "newsletter.manage", issue)
    if issue.status != IssueStatus.DRAFT:
        raise DomainError("Only a draft can be changed.")
    unknown = set(fields) - set(IssueChanges.__annotations__)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "segment" in fields:
        fields["segment"] = selectors.segment_validate(fields["segment"] or {})
    if "subject" in fields:
        fields["subject"] = one_line(fields["subject"])
    if "preheader" in fields:
        fields["preheader"] = one_line(fields["preheader"])
    if "subject" in fields and not fields["subject"]:
        raise DomainError("An issue needs a subject and a body.")
    if "body" in fields and not fields["body"].strip():
        raise DomainError("An issue needs a subject and a body.")
    # An issue no one attested is checked whole; an attested one, in what changes.
    texts = {
        name: str(fields.get(name, getattr(issue, name)))
        for name in PHI_FIELDS
        if issue.phi_attested_at is None
        or (name in fields and fields[name] != getattr(issue, name))  # type: ignore[literal-required]
    }
    found = phi_check(actor=actor, target=None, texts=texts, attested=phi_attested)
    changed = model_update(issue, fields)
    issue.save()
    audit(
        actor=actor,
        action="newsletter.issue_update",
        target=issue,
        changes={"fields": changed},
    )
    _record_attestation(issue, actor=actor, found=found)
    return issue


@transaction.atomic(durable=True)
def issue_send_test(*, issue: Issue, actor: User | Operator, to: str) -> None:
    """Mail the issue to the organizer alone, marked as a test; no subscriber is touched."""
    require(actor, "newsletter.manage", issue)
    prepared = PreparedIssue(issue)
    # A test's links lead to a page that says the link is not valid: nobody is unsubscribed.
    text, html, _ = prepared.personal("test")
    enqueue_on_commit(
        send_email_task,
        subject=f"[Test] {issue.subject}",
        body=text,
        html=html,
        from_email=prepared.from_email,
        to=[to],
    )
    audit(actor=actor, action="newsletter.issue_test", target=issue)


def _check_phi(issue: Issue) -> None:
    # An issue goes out clean, or with the attestation its author gave over what was found.
    if selectors.issue_phi_pending(issue=issue):
        raise DomainError(
            "This issue may identify a patient: edit the draft, or attest there that it "
            "holds no patient identifiers."
        )


@transaction.atomic(durable=True)
def issue_schedule(*, issue: Issue, actor: User | Operator, when: datetime) -> Issue:
    """Send the issue at `when` (the audience is taken then)."""
    require(actor, "newsletter.manage", issue)
    if issue.status not in {IssueStatus.DRAFT, IssueStatus.SCHEDULED}:
        raise DomainError("This issue is already being sent.")
    if when <= _now():
        raise DomainError("Choose a time in the future.")
    _check_phi(issue)
    issue.status = IssueStatus.SCHEDULED
    issue.scheduled_for = when
    issue.save()
    audit(actor=actor, action="newsletter.issue_schedule", target=issue)
    enqueue_on_commit(start_issue_task.using(run_after=when), issue.pk)
    return issue


@transaction.atomic(durable=True)
def issue_unschedule(*, issue: Issue, actor: User | Operator) -> Issue:
    """A scheduled issue goes back to draft; its start task finds it so and does nothing."""
    require(actor, "newsletter.manage", issue)
    if issue.status != IssueStatus.SCHEDULED:
        raise DomainError("This issue is not scheduled.")
    issue.status = IssueStatus.DRAFT
    issue.scheduled_for = None
    issue.save()
    audit(actor=actor, action="newsletter.issue_unschedule", target=issue)
    return issue


@transaction.atomic(durable=True)
def issue_send_now(*, issue: Issue, actor: User | Operator) -> Issue:
    """Start sending at once."""
    require(actor, "newsletter.manage", issue)
    if issue.status not in {IssueStatus.DRAFT, IssueStatus.SCHEDULED}:
        raise DomainError("This issue is already being sent.")
    return _start_sending(issue, actor=actor)


@transaction.atomic(durable=True)
def issue_start_sending(*, issue: Issue, actor: User | Operator) -> Issue:
    """Fill the outbox with one delivery per recipient and hand it to the worker.

    The audience is taken now, not when the issue was written or scheduled.
    """
    require(actor, "newsletter.manage", issue)
    return _start_sending(issue, actor=actor)


def _start_sending(issue: Issue, *, actor: User | Operator) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status in {IssueStatus.SENDING, IssueStatus.SENT}:
        return issue
    _check_phi(issue)
    audience = (
        selectors.issue_audience(issue=issue).values_list("pk", flat=True).iterator(chunk_size=2000)
    )
    batch: list[Delivery] = []
    for subscriber_id in audience:
        batch.append(Delivery(issue=issue, subscriber_id=subscriber_id))
        if len(batch) >= 2000:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Delivery.objects.bulk_create(batch, ignore_conflicts=True)
    if issue.count_engagement:
        IssueLink.objects.bulk_create(
            [
                IssueLink(issue=issue, position=position, url=url)
                for position, url in enumerate(issue_link_urls(issue), start=1)
            ],
            ignore_conflicts=True,
        )
    issue.status = IssueStatus.SENDING
    issue.sent_at = _now()
    issue.scheduled_for = None
    issue.save()
    audit(
        actor=actor,
        action="newsletter.issue_send",
        target=issue,
        changes={"recipients": issue.deliveries.count()},
    )
    enqueue_on_commit(send_issue_task, issue.pk)
    return issue


@transaction.atomic(durable=True)
def issue_engagement_open(*, issue_id: int) -> None:
    Issue.objects.filter(pk=issue_id, count_engagement=True).update(opens=F("opens") + 1)


@transaction.atomic(durable=True)
def issue_engagement_click(*, issue_id: int, position: int) -> str | None:
    link = IssueLink.objects.filter(
        issue_id=issue_id, position=position, issue__count_engagement=True
    ).first()
    if link is None:
        return None
    IssueLink.objects.filter(pk=link.pk).update(clicks=F("clicks") + 1)
    return link.url


# ---------------------------------------------------------------------------------------------
# The outbox


@dataclass
class OutboxRun:
    """What one pass over the outbox did."""

    sent: int = 0
    bounced: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    retry_at: datetime | None = None  # the earliest moment waiting work may be tried again
    done: bool = False  # nothing left to send for the issue
    lost_lease: bool = False  # another sender took over deliveries this one held: it stopped


def lease_duration() -> timedelta:
    """How long a claim on deliveries holds unless its sender renews it."""
    return timedelta(seconds=int(getattr(settings, "NEWSLETTER_LEASE_SECONDS", LEASE.seconds)))


def retry_delay(attempts: int) -> timedelta:
    base = int(getattr(settings, "NEWSLETTER_RETRY_SECONDS", 60))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


# One leased delivery as the worker needs it: loaded as a plain tuple, not a model instance.
Claimed = tuple[int, int, int, str, str]  # delivery id, attempts, subscriber id, email, status


def outbox_claim(*, issue: Issue, owner: str, limit: int) -> list[Claimed]:
    """Lease up to `limit` due deliveries to `owner` (committed), oldest first.

    PostgreSQL skips rows another worker is claiming (SKIP LOCKED); SQLite serializes
    writers. The update re-checks the lease, so a row is never leased to two owners.
    Returns (delivery id, attempts, subscriber id, email, subscriber status) per delivery.
    """
    now = _now()
    due = (
        Q(status=DeliveryStatus.PENDING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    )
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(due, issue=issue)
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(due, pk__in=ids).update(
                lease_owner=owner, lease_until=now + lease_duration()
            )
    if not ids:
        return []
    return list(
        Delivery.objects.filter(pk__in=ids, lease_owner=owner, status=DeliveryStatus.PENDING)
        .order_by("id")
        .values_list("id", "attempts", "subscriber_id", "subscriber__email", "subscriber__status")
    )


def _finish(delivery_id: int, owner: str, **fields: Any) -> bool:
    """Record one delivery's outcome at once (autocommit): the outbox is the source of truth.

    Only while `owner` still holds the delivery; False when another sender took it over."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, lease_owner=owner).update(
            lease_owner="", lease_until=None, **fields
        )
    )


class _SentMarker:
    """Commits each delivery as sent right after the server accepted it: one prepared UPDATE
    on a cursor reused for the whole run, autocommitted (its own transaction) per message.

    The UPDATE applies only while the delivery is still leased to `owner`: it returns False
    when another sender holds (or already sent) it, and this sender must stop."""

    def __init__(self, cursor: Any, owner: str) -> None:
        self.cursor = cursor
        self.owner = owner
        self.sql = (
            f"UPDATE {Delivery._meta.db_table} SET status = %s, attempts = attempts + 1, "  # noqa: S608
            "sent_at = %s, message_id = %s, lease_owner = '', lease_until = NULL, "
            "last_error = '' WHERE id = %s AND lease_owner = %s"
        )
        self.sent = DeliveryStatus.SENT.value
        self.adapt = connection.ops.adapt_datetimefield_value

    def __call__(self, delivery_id: int, message_id: str) -> bool:
        self.cursor.execute(
            self.sql, [self.sent, self.adapt(_now()), message_id, delivery_id, self.owner]
        )
        return bool(self.cursor.rowcount)


class _Lease:
    """The deliveries a sender holds, renewed while it works through them.

    A claim holds until `until` (the database's `lease_until` is at least that): no other
    sender can take the rows before then, so a send started well before it is safe. Once
    half the lease is gone, `keep` extends it for the rows not yet done, only where the
    sender still owns them; any row missing means another sender took it over after this
    one stalled past its lease, and this sender must send nothing more.
    """

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.length = lease_duration()
        self.until = _now()

    def claimed(self, at: datetime) -> None:
        self.until = at + self.length

    def keep(self, batch: list[Claimed], index: int) -> bool:
        """Whether the sender still holds `batch[index:]`, renewing the lease when due."""
        now = _now()
        if now < self.until - self.length / 2:
            return True
        delivery_ids = [claimed[0] for claimed in batch[index:]]
        until = now + self.length
        kept = Delivery.objects.filter(
            pk__in=delivery_ids, lease_owner=self.owner, status=DeliveryStatus.PENDING
        ).update(lease_until=until)
        self.until = until
        return kept == len(delivery_ids)


def _retry_later(delivery_id: int, owner: str, attempts: int, run: OutboxRun, error: str) -> None:
    """`attempts`: the delivery's attempts before this one."""
    attempts += 1
    if attempts >= MAX_ATTEMPTS:
        if _finish(
            delivery_id,
            owner,
            status=DeliveryStatus.FAILED,
            attempts=attempts,
            last_error=error[:300],
        ):
            run.failed += 1
        return
    when = _now() + retry_delay(attempts)
    if not _finish(
        delivery_id, owner, attempts=attempts, next_attempt_at=when, last_error=error[:300]
    ):
        return
    run.retried += 1
    run.retry_at = min(run.retry_at or when, when)


def _smtp_code(error: smtplib.SMTPException) -> int:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return codes[0] if codes else 0
    return int(getattr(error, "smtp_code", 0) or 0)


class _Throttle:
    """At most `rate` messages per second (0: no limit) for this process."""

    def __init__(self, rate: int) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def outbox_send(
    *,
    issue: Issue,
    owner: str | None = None,
    budget_seconds: float = RUN_BUDGET_SECONDS,
    max_messages: int | None = None,
) -> OutboxRun:
    """Send the issue's due deliveries over one SMTP connection, each committed as sent the
    moment the server accepts it.

    A refused or lost connection ends the run with `retry_at` set; the deliveries not yet
    tried go back to the outbox untouched. Only a crash between the server's acceptance and
    the commit that follows it can send one message twice.
    """
    owner = owner or f"{uuid.uuid4().hex[:12]}"
    run = OutboxRun()
    rate = int(getattr(settings, "NEWSLETTER_RATE_LIMIT", 0))
    # A batch takes at most a minute at the rate limit; its lease is renewed as it goes.
    batch_size = BATCH_SIZE if rate <= 0 else max(1, min(BATCH_SIZE, rate * 60))
    throttle = _Throttle(rate)
    links = list(issue.links.all()) if issue.count_engagement else None
    prepared = PreparedIssue(issue, links=links)
    token_for = subscriber_token_maker()
    subscribed = SubscriberStatus.SUBSCRIBED.value
    sender = BulkSender()
    lease = _Lease(owner)
    started = time.monotonic()
    sent_total = 0
    try:
        with connection.cursor() as cursor:
            mark_sent = _SentMarker(cursor, owner)
            while time.monotonic() - started < budget_seconds:
                limit = batch_size
                if max_messages is not None:
                    limit = min(limit, max_messages - sent_total)
                    if limit <= 0:
                        break
                claimed_at = _now()
                batch = outbox_claim(issue=issue, owner=owner, limit=limit)
                if not batch:
                    break
                lease.claimed(claimed_at)
                for index, (delivery_id, attempts, subscriber_id, email, status) in enumerate(
                    batch
                ):
                    # Never send a row this sender may no longer hold.
                    if not lease.keep(batch, index):
                        return _lost(run, issue, delivery_id)
                    if status != subscribed:
                        if not _finish(delivery_id, owner, status=DeliveryStatus.SKIPPED):
                            return _lost(run, issue, delivery_id)
                        run.skipped += 1
                        continue
                    throttle.wait()
                    try:
                        message_id = prepared.send(
                            sender,
                            email=email,
                            token=token_for(subscriber_id),
                            delivery_id=delivery_id,
                        )
                    except AddressNeedsSmtpUtf8:
                        if _finish(
                            delivery_id,
                            owner,
                            status=DeliveryStatus.FAILED,
                            last_error="The address needs SMTPUTF8.",
                        ):
                            run.failed += 1
                        continue
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                        code = _smtp_code(error)
                        if 500 <= code < 600:
                            if _finish(
                                delivery_id,
                                owner,
                                status=DeliveryStatus.BOUNCED,
                                attempts=attempts + 1,
                                last_error=f"{code} {error}"[:300],
                            ):
                                subscriber_mark_bounced(
                                    subscriber=Subscriber.objects.get(pk=subscriber_id),
                                    reason=f"SMTP {code}",
                                )
                                run.bounced += 1
                            continue
                        _retry_later(delivery_id, owner, attempts, run, f"{code} {error}")
                        if code == 421 or not sender.connected:
                            _abandon(sender, owner, batch[index + 1 :], run)
                            return run
                        continue
                    except (smtplib.SMTPException, OSError) as error:
                        # The server went away or refused us: nothing of this message was
                        # accepted. Try it again later, give the rest of the batch back.
                        _retry_later(
                            delivery_id,
                            owner,
                            attempts,
                            run,
                            f"{error.__class__.__name__}: {error}",
                        )
                        _abandon(sender, owner, batch[index + 1 :], run)
                        return run
                    if not mark_sent(delivery_id, message_id):
                        # Sent while another sender had taken the row over (this one stalled
                        # past its lease): that one records it; this one stops here.
                        return _lost(run, issue, delivery_id)
                    run.sent += 1
                    sent_total += 1
    finally:
        sender.close()
        # Anything still leased to this owner (a budget ran out mid-batch) goes back.
        Delivery.objects.filter(
            issue=issue, lease_owner=owner, status=DeliveryStatus.PENDING
        ).update(lease_owner="", lease_until=None)
    run.done = issue_finish_if_done(issue=issue)
    if not run.done and run.retry_at is None:
        run.retry_at = selectors.outbox_next_due(issue=issue)
    return run


def _lost(run: OutboxRun, issue: Issue, delivery_id: int) -> OutboxRun:
    """This sender no longer holds its deliveries: it stops, the new holder carries on."""
    logger.warning(
        "issue %s: delivery %s was taken over by another sender after this one's lease ran "
        "out; this sender stops",
        issue.pk,
        delivery_id,
    )
    run.lost_lease = True
    return run


def _abandon(sender: BulkSender, owner: str, rest: list[Claimed], run: OutboxRun) -> None:
    """Hand back the deliveries not tried (and still held), due when the server may be back."""
    sender.close()
    when = _now() + retry_delay(1)
    Delivery.objects.filter(pk__in=[claimed[0] for claimed in rest], lease_owner=owner).update(
        lease_owner="", lease_until=None, next_attempt_at=when
    )
    run.retry_at = min(run.retry_at or when, when)


@transaction.atomic(durable=True)
def issue_finish_if_done(*, issue: Issue) -> bool:
    """Mark the issue sent once every delivery has its final outcome."""
    if Delivery.objects.filter(issue=issue, status=DeliveryStatus.PENDING).exists():
        return False
    updated = Issue.objects.filter(pk=issue.pk, status=IssueStatus.SENDING).update(
        status=IssueStatus.SENT, finished_at=_now()
    )
    if updated:
        issue.refresh_from_db()
        audit(actor=None, action="newsletter.issue_sent", target=issue)
    return True
