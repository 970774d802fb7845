"""Opportunities: members suggest, organizers approve or reject, members save them and are
reminded of the deadline a week and a day before; sponsors nominate trainees."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.mail import mailers
from django.db import IntegrityError, transaction
from django.utils import timezone

from hemonc.community import opportunity_mails as mails
from hemonc.community import tasks
from hemonc.community.models.opportunities import (
    Nomination,
    NominationStatus,
    Opportunity,
    OpportunityKind,
    OpportunityReminder,
    OpportunityStatus,
    ReminderKind,
    SavedOpportunity,
    codes_field,
)
from hemonc.community.selectors import user_may_be_nominated
from hemonc.community.services.notifications import notify
from hemonc.core.audit import audit
from hemonc.core.countries import country_name
from hemonc.core.errors import DomainError
from hemonc.core.permissions import Operator, require
from hemonc.core.phi_guard import changed_texts, phi_check, phi_record
from hemonc.core.tasks import enqueue_later
from hemonc.core.text import one_line
from hemonc.core.timezones import is_time_zone
from hemonc.core.updates import model_update
from hemonc.members.models import User
from hemonc.members.selectors import user_may_see
from hemonc.taxonomy.enums import Stage
from hemonc.taxonomy.models import Topic

logger = logging.getLogger(__name__)

Actor = User | Operator

REMINDER_OFFSETS = {ReminderKind.WEEK: timedelta(days=7), ReminderKind.DAY: timedelta(days=1)}
REMINDER_RETRY_DELAY = timedelta(minutes=5)
# Texts members write for others: checked for patient identifiers (core.phi_guard).
PHI_FIELDS = ("title", "summary", "how_to_apply")
ONE_LINE_FIELDS = ("title", "organization", "summary")


class OpportunityFields(TypedDict, total=False):
    title: str
    kind: str
    organization: str
    summary: str
    deadline: datetime
    time_zone: str
    stages: list[str]
    countries: list[str]
    url: str
    how_to_apply: str


def _member(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _values(fields: OpportunityFields) -> dict[str, Any]:
    """`fields` as the model stores them, checked: one-line texts, eligibility codes."""
    values: dict[str, Any] = dict(fields)
    for name in ONE_LINE_FIELDS:
        if name in values:
            values[name] = one_line(values[name])
    if "kind" in values and values["kind"] not in OpportunityKind.values:
        raise DomainError("Choose a kind of opportunity.")
    if "stages" in values:
        unknown = set(values["stages"]) - set(Stage.values)
        if unknown:
            raise DomainError("Unknown training stage.")
        values["stages"] = codes_field(list(values["stages"]))
    if "countries" in values:
        codes = [str(code).upper() for code in values["countries"]]
        if any(not country_name(code) for code in codes):
            raise DomainError("Unknown country.")
        values["countries"] = codes_field(codes)
    if "time_zone" in values and not is_time_zone(values["time_zone"]):
        raise DomainError(f"{values['time_zone']!r} is not an IANA time zone.")
    if "deadline" in values and timezone.is_naive(values["deadline"]):
        raise DomainError("A deadline needs its time zone.")
    return values


def _validate(opportunity: Opportunity) -> None:
    try:
        opportunity.full_clean(exclude=["suggested_by", "reviewed_by"])
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error


def _schedule_reminders(opportunity: Opportunity) -> None:
    """Queue the week and day reminders for the opportunity's current deadline.

    The tasks carry that deadline: after a change the old ones find it moved and send
    nothing, while the new ones go out at the new times.
    """
    if opportunity.status != OpportunityStatus.APPROVED:
        return
    now = timezone.now()
    for kind, offset in REMINDER_OFFSETS.items():
        when = opportunity.deadline - offset
        if when < now - timedelta(minutes=1):
            continue  # the deadline is closer than this reminder's offset
        enqueue_later(
            tasks.send_opportunity_reminders_task,
            when,
            opportunity.pk,
            str(kind),
            opportunity.deadline.isoformat(),
        )


@transaction.atomic(durable=True)
def opportunity_suggest(
    *,
    actor: User,
    tags: Iterable[Topic] = (),
    phi_attested: bool = False,
    **fields: Unpack[OpportunityFields],
) -> Opportunity:
    """A member's suggestion, waiting for organizers; an organizer's own is approved at once.

    Its texts are checked for patient identifiers: findings stop it unless `phi_attested`.
    """
    require(actor, "community.suggest_opportunity")
    values = _values(fields)
    texts = {name: str(values.get(name) or "") for name in PHI_FIELDS}
    found = phi_check(actor=actor, target=None, texts=texts, attested=phi_attested)
    opportunity = Opportunity(suggested_by=actor, **values)
    reviewer = actor.has_perm("community.review_opportunities")
    if reviewer:
        now = timezone.now()
        opportunity.status = OpportunityStatus.APPROVED
        opportunity.reviewed_by, opportunity.reviewed_at, opportunity.approved_at = actor, now, now
    _validate(opportunity)
    opportunity.save()
    opportunity.tags.set(list(tags))
    if found:
        phi_record(actor=actor, target=opportunity, found=found)
    audit(
        actor=actor,
        action="community.opportunity_approve" if reviewer else "community.opportunity_suggest",
        target=opportunity,
    )
    _schedule_reminders(opportunity)
    return opportunity


@transaction.atomic(durable=True)
def opportunity_update(
    *,
    opportunity: Opportunity,
    actor: Actor,
    tags: Iterable[Topic] | None = None,
    phi_attested: bool = False,
    **fields: Unpack[OpportunityFields],
) -> Opportunity:
    """Organizers correct an opportunity; a new deadline moves its reminders."""
    require(actor, "community.review_opportunities", opportunity)
    values = _values(fields)
    texts = changed_texts(opportunity, values, PHI_FIELDS)
    phi_check(actor=actor, target=opportunity, texts=texts, attested=phi_attested)
    old_deadline = opportunity.deadline
    changed = model_update(opportunity, values)
    _validate(opportunity)
    opportunity.save()
    if tags is not None:
        opportunity.tags.set(list(tags))
    audit(
        actor=_member(actor),
        action="community.opportunity_update",
        target=opportunity,
        changes={"fields": changed},
    )
    if opportunity.deadline != old_deadline:
        _schedule_reminders(opportunity)
    return opportunity


@transaction.atomic(durable=True)
def opportunity_approve(*, opportunity: Opportunity, actor: Actor) -> Opportunity:
    """Show a suggestion on the board; its author is told."""
    require(actor, "community.review_opportunities", opportunity)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.status == OpportunityStatus.APPROVED:
        raise DomainError("This opportunity is already on the board.")
    now = timezone.now()
    opportunity.status = OpportunityStatus.APPROVED
    opportunity.reviewed_by, opportunity.reviewed_at = _member(actor), now
    opportunity.approved_at = now
    opportunity.rejection_reason = ""
    opportunity.save(
        update_fields=[
            "status", "reviewed_by", "reviewed_at", "approved_at", "rejection_reason",
            "updated_at",
        ]
    )  # fmt: skip
    audit(actor=_member(actor), action="community.opportunity_approve", target=opportunity)
    _schedule_reminders(opportunity)
    author = opportunity.suggested_by
    if author is not None and author.pk != getattr(actor, "pk", None):
        notify(
            recipient=author,
            kind="opportunity_approved",
            actor=_member(actor),
            text=f"Your suggestion “{opportunity.title}” is on the opportunities board.",
            url=opportunity.get_absolute_url(),
        )
    return opportunity


@transaction.atomic(durable=True)
def opportunity_reject(*, opportunity: Opportunity, actor: Actor, reason: str) -> Opportunity:
    """Turn a suggestion down with a reason its author is told."""
    require(actor, "community.review_opportunities", opportunity)
    reason = one_line(reason)[:500]
    if not reason:
        raise DomainError("Say why, so the member who suggested it knows.")
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.status != OpportunityStatus.PENDING:
        raise DomainError("Only a suggestion waiting for review can be turned down.")
    opportunity.status = OpportunityStatus.REJECTED
    opportunity.reviewed_by, opportunity.reviewed_at = _member(actor), timezone.now()
    opportunity.rejection_reason = reason
    opportunity.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason", "updated_at"]
    )
    audit(actor=_member(actor), action="community.opportunity_reject", target=opportunity)
    if opportunity.suggested_by is not None:
        notify(
            recipient=opportunity.suggested_by,
            kind="opportunity_approved",
            actor=_member(actor),
            text=f"Your suggestion “{opportunity.title}” was not approved: {reason}",
            url=opportunity.get_absolute_url(),
        )
    return opportunity


@transaction.atomic(durable=True)
def opportunity_save(*, opportunity: Opportunity, user: User, actor: Actor) -> bool:
    """Keep it in `user`'s saved list (deadline reminders follow). True if newly saved."""
    require(actor, "community.save_opportunity")
    if not isinstance(actor, Operator) and actor.pk != user.pk:
        raise DomainError("You may only save opportunities for yourself.")
    if not opportunity.is_on_board:
        raise DomainError("This opportunity is not on the board.")
    if opportunity.deadline <= timezone.now():
        raise DomainError("Its deadline has passed.")
    _, created = SavedOpportunity.objects.get_or_create(user=user, opportunity=opportunity)
    return created


@transaction.atomic(durable=True)
def opportunity_unsave(*, opportunity: Opportunity, user: User, actor: Actor) -> bool:
    require(actor, "community.save_opportunity")
    if not isinstance(actor, Operator) and actor.pk != user.pk:
        raise DomainError("You may only change your own saved list.")
    deleted, _ = SavedOpportunity.objects.filter(user=user, opportunity=opportunity).delete()
    return bool(deleted)


@dataclass(frozen=True)
class ReminderRun:
    sent: int
    already_sent: int
    failed: int
    skipped_reason: str = ""


def opportunity_send_reminders(
    *, opportunity: Opportunity, kind: str, deadline: datetime, now: datetime | None = None
) -> ReminderRun:
    """Send the `kind` reminder to every member who saved the opportunity and has not had it.

    Each mail is recorded (OpportunityReminder, unique per member, opportunity, kind and
    deadline) in one transaction with its send: a rerun, a retry or a second worker skips
    the members already reminded; a failed send leaves no record and is retried later.
    """
    now = now or timezone.now()
    kind = ReminderKind(kind)
    if not opportunity.is_on_board:
        return ReminderRun(0, 0, 0, "not on the board")
    if opportunity.deadline != deadline:
        return ReminderRun(0, 0, 0, "deadline moved")
    if now >= deadline:
        return ReminderRun(0, 0, 0, "deadline passed")
    if kind == ReminderKind.WEEK and now >= deadline - REMINDER_OFFSETS[ReminderKind.DAY]:
        return ReminderRun(0, 0, 0, "superseded by the day reminder")
    reminded = OpportunityReminder.objects.filter(
        opportunity=opportunity, kind=kind, deadline=deadline
    )
    already = reminded.count()
    saves = list(
        opportunity.saves.filter(user__is_active=True)
        .exclude(user__suspended_until__gt=timezone.now())
        .exclude(user_id__in=reminded.values("user_id"))
        .select_related("user__profile")
        .order_by("id")
    )
    sent = failed = 0
    mailer = mailers.default
    try:
        for index, saved in enumerate(saves):
            try:
                with transaction.atomic():
                    OpportunityReminder.objects.create(
                        user=saved.user, opportunity=opportunity, kind=kind, deadline=deadline
                    )
                    message = mails.reminder_message(
                        opportunity=opportunity, user=saved.user, kind=kind
                    )
                    mailer.send_messages([message])
            except IntegrityError:
                already += 1  # another worker reminded this member a moment ago
            except Exception as error:
                logger.exception("reminder %s of opportunity %s failed", kind, opportunity.pk)
                failed += 1
                if isinstance(error, OSError):  # the server is gone: the rest wait
                    failed += len(saves) - index - 1
                    break
            else:
                sent += 1
    finally:
        mailer.close()
    if failed and timezone.now() + REMINDER_RETRY_DELAY < deadline:
        enqueue_later(
            tasks.send_opportunity_reminders_task,
            timezone.now() + REMINDER_RETRY_DELAY,
            opportunity.pk,
            str(kind),
            deadline.isoformat(),
        )
    return ReminderRun(sent, already, failed)


# ---- sponsorship ----


@transaction.atomic(durable=True)
def nomination_create(
    *,
    actor: User,
    nominee: User,
    statement: str,
    opportunity: Opportunity | None = None,
    role: str = "",
    phi_attested: bool = False,
) -> Nomination:
    """A sponsor (faculty or mentor) puts a trainee forward, for an opportunity on the board
    or a role in their own words, with a short statement. Recorded for the trainee, the
    sponsor and organizers; never published. The trainee is told."""
    require(
        actor,
        "community.nominate",
        message="Only faculty members and mentors can nominate trainees.",
    )
    role = one_line(role)[:200]
    statement = (statement or "").strip()
    if nominee.pk == actor.pk:
        raise DomainError("You cannot nominate yourself.")
    if not user_may_be_nominated(nominee):
        raise DomainError(
            "Only trainees (students, residents, fellows, PhD trainees) can be nominated."
        )
    if not user_may_see(viewer=nominee, other=actor):
        raise DomainError("You cannot nominate this member.")
    if opportunity is None and not role:
        raise DomainError("Choose an opportunity or describe the role.")
    if opportunity is not None:
        role = ""
        if not opportunity.is_on_board:
            raise DomainError("This opportunity is not on the board.")
        if opportunity.deadline <= timezone.now():
            raise DomainError("Its deadline has passed.")
    if not statement:
        raise DomainError("Write a short statement.")
    if len(statement) > 1500:
        raise DomainError("Keep the statement under 1,500 characters.")
    found = phi_check(
        actor=actor,
        target=None,
        texts={"statement": statement, "role": role},
        attested=phi_attested,
    )
    duplicate = (
        Nomination.objects.filter(
            nominator=actor, nominee=nominee, status=NominationStatus.PENDING
        ).filter(opportunity=opportunity)
        if opportunity
        else Nomination.objects.filter(
            nominator=actor, nominee=nominee, status=NominationStatus.PENDING, role__iexact=role
        )
    )
    if duplicate.exists():
        raise DomainError("You have already nominated this member for it.")
    nomination = Nomination.objects.create(
        nominator=actor, nominee=nominee, opportunity=opportunity, role=role, statement=statement
    )
    if found:
        phi_record(actor=actor, target=nomination, found=found)
    audit(actor=actor, action="community.nomination_create", target=nomination)
    notify(
        recipient=nominee,
        kind="nomination",
        actor=actor,
        text=f"{actor} nominated you for {nomination.what}.",
        url=nomination.get_absolute_url(),
    )
    return nomination


@transaction.atomic(durable=True)
def nomination_answer(*, nomination: Nomination, actor: User, accept: bool) -> Nomination:
    """The trainee accepts or declines; the sponsor is told."""
    require(actor, "community.answer_nomination", nomination)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status != NominationStatus.PENDING:
        raise DomainError("This nomination has already been answered.")
    nomination.status = NominationStatus.ACCEPTED if accept else NominationStatus.DECLINED
    nomination.responded_at = timezone.now()
    nomination.save(update_fields=["status", "responded_at", "updated_at"])
    audit(
        actor=actor,
        action="community.nomination_accept" if accept else "community.nomination_decline",
        target=nomination,
    )
    if user_may_see(viewer=nomination.nominator, other=actor):
        notify(
            recipient=nomination.nominator,
            kind="nomination",
            actor=actor,
            text=f"{actor} {'accepted' if accept else 'declined'} your nomination for "
            f"{nomination.what}.",
            url=nomination.get_absolute_url(),
        )
    return nomination


@transaction.atomic(durable=True)
def nomination_withdraw(*, nomination: Nomination, actor: User) -> Nomination:
    require(actor, "community.withdraw_nomination", nomination)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status != NominationStatus.PENDING:
        raise DomainError("Only a nomination waiting for an answer can be withdrawn.")
    nomination.status = NominationStatus.WITHDRAWN
    nomination.responded_at = timezone.now()
    nomination.save(update_fields=["status", "responded_at", "updated_at"])
    audit(actor=actor, action="community.nomination_withdraw", target=nomination)
    return nomination
