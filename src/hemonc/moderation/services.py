"""Writes of the moderation app: the code of conduct's versions and their acceptance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from hemonc.community.enums import NotificationKind
from hemonc.community.models import Discussion, Message, Reply
from hemonc.community.services.notifications import notify
from hemonc.community.services.review import post_publish, post_reject
from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import OPERATOR, require
from hemonc.core.ratelimit import Limit, limit_consume
from hemonc.core.tasks import enqueue_later
from hemonc.core.updates import model_update
from hemonc.members.enums import Role
from hemonc.members.models import User
from hemonc.members.selectors import role_holders
from hemonc.mentorship.models import MentorOffer
from hemonc.moderation import tasks
from hemonc.moderation.items import ItemKind, kind_of
from hemonc.moderation.models import (
    Appeal,
    Case,
    CaseStatus,
    ConductAcceptance,
    ConductVersion,
    Decision,
    Outcome,
    Reason,
    Report,
    Vouch,
)
from hemonc.moderation.rules import same_institution
from hemonc.moderation.selectors import conduct_current


class ConductChanges(TypedDict, total=False):
    body: str
    changes: str


@transaction.atomic(durable=True)
def conduct_draft_create(*, actor: Any, body: str, changes: str = "") -> ConductVersion:
    """A new draft, numbered after the last version (published or not)."""
    require(actor, "moderation.manage_conduct")
    number = (ConductVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ConductVersion.objects.create(number=number, body=body, changes=changes)
    audit(actor=actor, action="conduct.draft", target=version)
    return version


@transaction.atomic(durable=True)
def conduct_draft_update(
    *, version: ConductVersion, actor: Any, **fields: Unpack[ConductChanges]
) -> ConductVersion:
    require(actor, "moderation.manage_conduct")
    version = ConductVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise DomainError("A published version stays as members accepted it: write a new one.")
    changed = model_update(version, fields)
    if changed:
        version.save()
        audit(actor=actor, action="conduct.update", target=version, changes={"fields": changed})
    return version


@transaction.atomic(durable=True)
def conduct_publish(*, version: ConductVersion, actor: Any) -> ConductVersion:
    """Publish a draft: from now on every member accepts it before posting again. The
    organizer who publishes it accepts it by doing so."""
    require(actor, "moderation.manage_conduct")
    version = ConductVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise DomainError(f"Version {version.number} is already published.")
    current = conduct_current()
    if current is not None and current.number > version.number:
        raise DomainError(f"Version {current.number} is newer: write a new draft instead.")
    if not version.body.strip():
        raise DomainError("The code of conduct is empty.")
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.save(update_fields=["published_at", "published_by", "updated_at"])
    audit(actor=actor, action="conduct.publish", target=version)
    if getattr(actor, "pk", None):
        ConductAcceptance.objects.get_or_create(user=actor, version=version)
    return version


@transaction.atomic(durable=True)
def conduct_accept(*, user: Any, version: ConductVersion) -> ConductAcceptance:
    """Record that `user` accepts `version` (once; accepting again changes nothing)."""
    require(user, "moderation.accept_conduct")
    if not version.is_published:
        raise DomainError("Only a published version can be accepted.")
    current = conduct_current()
    if current is not None and current.pk != version.pk:
        raise DomainError(
            f"Version {current.number} replaced this one: read and accept it instead."
        )
    try:
        with transaction.atomic():
            acceptance = ConductAcceptance.objects.create(user=user, version=version)
    except IntegrityError:
        return ConductAcceptance.objects.get(user=user, version=version)
    audit(actor=user, action="conduct.accept", target=version)
    return acceptance


# ---------------------------------------------------------------------------------------------
# Reports, cases, decisions and appeals

REPORT_LIMIT = Limit(
    "moderation-report", 20, 3600, "You sent many reports in the last hour: wait a little."
)
CLAIM_FOR = timedelta(minutes=30)  # a claim nobody acted on lapses
KEEP_ORIGINAL_FOR = timedelta(days=30)


def _item(item_type: str, item_id: str) -> tuple[ItemKind, Any]:
    kind = kind_of(item_type)
    item = kind.get(item_id) if kind is not None else None
    if kind is None or item is None:
        raise DomainError("That item no longer exists.")
    return kind, item


def _excluded_institution(author: User | None) -> str:
    """The author's institution when they mentor or moderate and some moderator works
    elsewhere: their own institution's moderators then never see the case."""
    if author is None:
        return ""
    institution = author.profile.institution.strip()
    mentors = MentorOffer.objects.filter(user=author).exists()
    if not institution or not (mentors or author.has_role(Role.MODERATOR)):
        return ""
    elsewhere = any(
        not same_institution(institution, other.profile.institution)
        for other in role_holders()[Role.MODERATOR.value]
        if other.pk != author.pk
    )
    return institution if elsewhere else ""


@transaction.atomic(durable=True)
def report_create(
    *, reporter: Any, item_type: str, item_id: str, reason: str, note: str = ""
) -> Report:
    """Report an item the reporter can see. Reports on one item gather in its open case; a
    report of patient data hides the item at once, before anyone reviews it."""
    require(reporter, "moderation.report")
    kind, item = _item(item_type, item_id)
    if not kind.may_see(reporter, item):
        raise DomainError("That item no longer exists.")
    author = kind.author(item)
    if author is not None and author.pk == reporter.pk:
        raise DomainError("You cannot report what you wrote: edit or delete it instead.")
    if Report.objects.filter(reporter=reporter, item_type=item_type, item_id=item_id).exists():
        raise DomainError("You already reported this: the moderators have it.")
    limit_consume(REPORT_LIMIT, ("report", reporter.pk))
    case = (
        Case.objects.select_for_update()
        .filter(item_type=item_type, item_id=str(item.pk), status=CaseStatus.OPEN)
        .first()
    )
    if case is None:
        case = Case.objects.create(
            item_type=item_type,
            item_id=str(item.pk),
            author=author,
            excluded_institution=_excluded_institution(author),
        )
        audit(actor=reporter, action="case.open", target=case)
    report = Report.objects.create(
        case=case,
        reporter=reporter,
        item_type=item_type,
        item_id=str(item.pk),
        reason=reason,
        note=note,
    )
    if reason == Reason.PATIENT_DATA and not case.patient_data:
        case.patient_data = True
        if not kind.is_hidden(item):
            kind.set_hidden(item, True)
            case.hidden_on_report = True
        case.save(update_fields=["patient_data", "hidden_on_report", "updated_at"])
        audit(actor=reporter, action="case.hidden_on_report", target=case)
    audit(actor=reporter, action="case.report", target=case, changes={"reason": reason})
    return report


@transaction.atomic(durable=True)
def case_claim(*, case: Case, actor: Any) -> Case:
    """Take a case, so two moderators do not act on it at once (a claim lapses after 30
    minutes without a decision)."""
    require(actor, "moderation.handle_case", case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise DomainError("This case is closed.")
    now = timezone.now()
    if _claimed_by_another(case, actor, now):
        raise DomainError(f"{case.claimed_by} is on this case.")
    case.claimed_by, case.claimed_at = actor, now
    case.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
    audit(actor=actor, action="case.claim", target=case)
    return case


def _claimed_by_another(case: Case, actor: Any, now: Any) -> bool:
    return bool(
        case.claimed_by_id not in (None, actor.pk)
        and case.claimed_at is not None
        and case.claimed_at > now - CLAIM_FOR
    )


def _sanction(*, author: User | None, outcome: str, until: Any) -> None:
    if author is None:
        return
    if outcome == Outcome.SUSPENDED:
        author.suspended_until = until
        author.save(update_fields=["suspended_until"])
    elif outcome == Outcome.BANNED:
        author.is_active = False
        author.save(update_fields=["is_active"])


@transaction.atomic(durable=True)
def case_decide(
    *,
    case: Case,
    actor: Any,
    outcome: str,
    reason: str,
    days: int | None = None,
    text: str = "",
) -> Decision:
    """Close a case with an outcome and its reason: dismiss (an item hidden on report comes
    back), hide, edit out patient data (the item comes back edited; the original is kept for
    moderators for 30 days), warn, suspend the author for `days`, or ban them."""
    require(actor, "moderation.handle_case", case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise DomainError("This case is closed.")
    now = timezone.now()
    if _claimed_by_another(case, actor, now):
        raise DomainError(f"{case.claimed_by} is on this case.")
    if not reason.strip():
        raise DomainError("Give a reason: the author is told it.")
    kind, item = _item(case.item_type, case.item_id)
    original = ""
    if outcome == Outcome.REDACTED:
        if not text.strip() or text == kind.text(item):
            raise DomainError("Edit the text: take the patient data out.")
        original = kind.text(item)
        kind.set_text(item, text)
        kind.set_hidden(item, False)
    elif outcome in (Outcome.DISMISSED, Outcome.WARNED):
        if case.hidden_on_report:
            kind.set_hidden(item, False)
    elif outcome in (Outcome.HIDDEN, Outcome.SUSPENDED, Outcome.BANNED):
        kind.set_hidden(item, True)
    else:
        raise DomainError("Choose what to do.")
    until = None
    if outcome == Outcome.SUSPENDED:
        if not days or not 1 <= days <= 365:
            raise DomainError("Suspend for 1 to 365 days.")
        until = now + timedelta(days=days)
    _sanction(author=case.author, outcome=outcome, until=until)
    decision = Decision.objects.create(
        case=case,
        moderator=actor,
        outcome=outcome,
        reason=reason,
        suspended_days=days if outcome == Outcome.SUSPENDED else None,
        original=original,
        purge_original_at=now + KEEP_ORIGINAL_FOR if original else None,
    )
    case.status, case.outcome = CaseStatus.CLOSED, outcome
    case.decided_by, case.decided_at = actor, now
    case.save(update_fields=["status", "outcome", "decided_by", "decided_at", "updated_at"])
    audit(
        actor=actor,
        action=f"case.{outcome}",
        target=case,
        changes={"days": days} if outcome == Outcome.SUSPENDED else None,
    )
    if original:
        enqueue_later(tasks.purge_original_task, now + KEEP_ORIGINAL_FOR, decision.pk)
    _tell_decided(case=case, outcome=outcome)
    return decision


def _tell_decided(*, case: Case, outcome: str) -> None:
    """The author hears that a decision was taken (the reason is on their notices page), each
    reporter that their report was reviewed (never the details). No moderator is named."""
    if case.author is not None and outcome != Outcome.DISMISSED:
        notify(
            recipient=case.author,
            kind=NotificationKind.MODERATION,
            text=f"The moderators decided about something you wrote: {Outcome(outcome).label}",
            url=reverse("moderation:notices"),
        )
    for report in case.reports.select_related("reporter"):
        notify(
            recipient=report.reporter,
            kind=NotificationKind.MODERATION,
            text="The moderators reviewed something you reported",
            url=reverse("moderation:my_reports"),
        )


@transaction.atomic(durable=True)
def original_purge(*, decision_id: int) -> bool:
    """Empty what an edit took out once its 30 days are over; True when it did."""
    purged = (
        Decision.objects.filter(pk=decision_id, purge_original_at__lte=timezone.now())
        .exclude(original="")
        .update(original="")
    )
    if purged:
        audit(actor=OPERATOR, action="case.original_purged", changes={"decision": decision_id})
    return bool(purged)


@transaction.atomic(durable=True)
def appeal_create(*, case: Case, author: Any, text: str) -> Appeal:
    """The author's one appeal of a decision against them, to another moderator."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if (
        case.author_id != author.pk
        or case.is_open
        or case.outcome
        in (
            Outcome.DISMISSED,
            Outcome.REJECTED,  # a post turned down after review is written again instead
        )
    ):
        raise DomainError("There is nothing to appeal here.")
    if Appeal.objects.filter(case=case).exists():
        raise DomainError("You appealed this decision already: it can be appealed once.")
    if not text.strip():
        raise DomainError("Say why the decision should change.")
    appeal = Appeal.objects.create(case=case, author=author, text=text)
    audit(actor=author, action="case.appeal", target=case)
    return appeal


@transaction.atomic(durable=True)
def appeal_decide(*, appeal: Appeal, actor: Any, upheld: bool, answer: str) -> Appeal:
    """Another moderator keeps the decision or overturns it (the item comes back as it was,
    the sanction is lifted)."""
    appeal = Appeal.objects.select_for_update().select_related("case").get(pk=appeal.pk)
    require(actor, "moderation.decide_appeal", appeal)
    if appeal.upheld is not None:
        raise DomainError("This appeal is decided.")
    if not answer.strip():
        raise DomainError("Give the author an answer.")
    case = appeal.case
    if not upheld:
        decision = case.decisions.order_by("-created_at").first()
        kind, item = _item(case.item_type, case.item_id)
        if decision is not None and decision.outcome == Outcome.REDACTED and decision.original:
            kind.set_text(item, decision.original)
        kind.set_hidden(item, False)
        author = case.author
        if author is not None and case.outcome == Outcome.SUSPENDED:
            author.suspended_until = None
            author.save(update_fields=["suspended_until"])
        elif author is not None and case.outcome == Outcome.BANNED:
            author.is_active = True
            author.save(update_fields=["is_active"])
        if decision is not None:
            decision.overturned = True
            decision.save(update_fields=["overturned"])
    appeal.upheld, appeal.answer = upheld, answer
    appeal.decided_by, appeal.decided_at = actor, timezone.now()
    appeal.save(update_fields=["upheld", "answer", "decided_by", "decided_at"])
    audit(actor=actor, action="case.appeal_upheld" if upheld else "case.overturned", target=case)
    notify(
        recipient=appeal.author,
        kind=NotificationKind.MODERATION,
        text="Your appeal was decided" + ("" if upheld else ": the decision is undone"),
        url=reverse("moderation:notices"),
    )
    return appeal


# ---------------------------------------------------------------------------------------------
# New accounts: posts waiting for review, and vouches

HELD_MODELS: dict[str, type[Any]] = {
    model._meta.label_lower: model for model in (Discussion, Reply, Message)
}
HELD_NOUNS = {"community.discussion": "discussion", "community.reply": "reply",
              "community.message": "message"}  # fmt: skip


def _held(item_type: str, item_id: Any) -> Any:
    model = HELD_MODELS.get(item_type)
    post = model.objects.filter(pk=item_id).first() if model is not None else None
    if post is None:
        raise DomainError("That item no longer exists.")
    return post


@transaction.atomic(durable=True)
def held_approve(*, actor: Any, item_type: str, item_id: Any) -> Any:
    """Publish a new account's post that waited: it shows as of now, and counts toward the
    posts that wait."""
    require(actor, "moderation.review_held")
    post = post_publish(_held(item_type, item_id))
    audit(actor=actor, action="review.approve", target=post)
    return post


@transaction.atomic(durable=True)
def held_reject(*, actor: Any, item_type: str, item_id: Any, reason: str) -> Case:
    """Turn down a new account's post that waited: nobody else ever sees it, it does not
    count, and the author reads why on their moderation notices (a closed case)."""
    require(actor, "moderation.review_held")
    if not reason.strip():
        raise DomainError("Give a reason: the author is told it.")
    post = post_reject(_held(item_type, item_id))
    author = post.sender if isinstance(post, Message) else post.author
    now = timezone.now()
    case = Case.objects.create(
        item_type=item_type,
        item_id=str(post.pk),
        author=author,
        status=CaseStatus.CLOSED,
        outcome=Outcome.REJECTED,
        decided_by=actor,
        decided_at=now,
    )
    Decision.objects.create(
        case=case, moderator=actor, outcome=Outcome.REJECTED, reason=reason.strip()
    )
    audit(actor=actor, action="review.reject", target=post, changes={"case": case.pk})
    if author is not None:
        notify(
            recipient=author,
            kind=NotificationKind.MODERATION,
            text=f"Your {HELD_NOUNS[item_type]} was not published after review: read why",
            url=reverse("moderation:notices"),
        )
    return case


@transaction.atomic(durable=True)
def vouch_create(*, actor: Any, user: User) -> Vouch:
    """An organizer vouches for a member: what they write never waits for review."""
    require(actor, "moderation.vouch")
    if not user.is_active:
        raise DomainError("This account is not active.")
    vouch, created = Vouch.objects.get_or_create(
        user=user, defaults={"vouched_by": actor if getattr(actor, "pk", None) else None}
    )
    if created:
        audit(actor=actor, action="review.vouch", target=user)
    return vouch


@transaction.atomic(durable=True)
def vouch_withdraw(*, actor: Any, user: User) -> bool:
    """Take a vouch back: the member's next posts wait again until enough were approved."""
    require(actor, "moderation.vouch")
    deleted, _ = Vouch.objects.filter(user=user).delete()
    if deleted:
        audit(actor=actor, action="review.unvouch", target=user)
    return bool(deleted)
