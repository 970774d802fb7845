"""Writes of mentorship: offers, goals, requests, mentorships, programs and speed mentoring."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import Operator, require
from hemonc.core.ratelimit import Limit, limit_take
from hemonc.core.tasks import enqueue_on_commit
from hemonc.core.text import one_line
from hemonc.core.updates import model_update
from hemonc.events.models import LiveSession
from hemonc.members.models import User
from hemonc.members.selectors import user_may_see

# A module import: tasks.py imports this module too, and either may be imported first.
from hemonc.mentorship import selectors, tasks
from hemonc.mentorship.enums import (
    Format,
    MentorshipStatus,
    OfferStatus,
    ProgramRole,
    ProgramStatus,
    RequestStatus,
)
from hemonc.mentorship.mails import send_mentorship_mail
from hemonc.mentorship.matching import match
from hemonc.mentorship.models import (
    MAX_CAPACITY,
    MenteeGoals,
    MentorOffer,
    Mentorship,
    MentorshipFeedback,
    MentorshipMessage,
    MentorshipRequest,
    Program,
    ProgramApplication,
    Proposal,
    SharedGoal,
    SpeedMentoringEvent,
    SpeedParticipant,
    SpeedSeat,
)
from hemonc.mentorship.speed_rounds import speed_rounds
from hemonc.taxonomy.enums import Stage
from hemonc.taxonomy.models import CareerPath, Topic

# A mentor is mailed about one mentee's requests at most once a day: withdrawing and asking
# again shows the new request on the mentor's page without another mail.
REQUEST_MAIL_LIMIT = Limit(name="mentorship.request-mail", count=1, seconds=24 * 3600)


def _check_values(values: Iterable[str], allowed: Iterable[str], label: str) -> list[str]:
    allowed_set = set(allowed)
    result = sorted({v.strip().lower() for v in values if v.strip()})
    unknown = [v for v in result if v not in allowed_set]
    if unknown:
        raise DomainError(f"Unknown {label}: {', '.join(unknown)}.")
    return result


def _check_languages(values: Iterable[str]) -> list[str]:
    result = sorted({v.strip().lower() for v in values if v.strip()})
    if any(len(v) != 2 or not v.isalpha() for v in result):
        raise DomainError("Languages are two-letter ISO 639-1 codes, such as en or es.")
    return result


# ---------------------------------------------------------------------------------------------
# Offers and goals


@transaction.atomic(durable=True)
def offer_save(
    *,
    user: User,
    actor: User | Operator,
    status: str = OfferStatus.ACCEPTING,
    capacity: int = 2,
    about: str = "",
    topics: Iterable[Topic] = (),
    career_paths: Iterable[CareerPath] = (),
    stages: Iterable[str] = (),
    formats: Iterable[str] = (),
    languages: Iterable[str] = (),
    communities: Iterable[str] = (),
) -> MentorOffer:
    """Create or change `user`'s mentor offer. Lowering capacity never ends a mentorship."""
    require(actor, "mentorship.act_for_member", user)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError(f"Capacity is 1 to {MAX_CAPACITY} mentees at once.")
    if status not in OfferStatus.values:
        raise DomainError("Unknown offer status.")
    offer, created = MentorOffer.objects.get_or_create(user=user)
    offer.status = status
    offer.capacity = capacity
    offer.about = about
    offer.stages = _check_values(stages, Stage.values, "stages")
    offer.formats = _check_values(formats, Format.values, "formats")
    offer.languages = _check_languages(languages)
    offer.communities = sorted(set(communities))
    offer.save()
    offer.topics.set(topics)
    offer.career_paths.set(career_paths)
    if not user.profile.open_to_mentoring and status == OfferStatus.ACCEPTING:
        user.profile.open_to_mentoring = True
        user.profile.save(update_fields=["open_to_mentoring", "updated_at"])
    audit(
        actor=actor,
        action="mentorship.offer_create" if created else "mentorship.offer_update",
        target=offer,
    )
    return offer


@transaction.atomic(durable=True)
def goals_save(
    *,
    user: User,
    actor: User | Operator,
    text: str,
    topics: Iterable[Topic] = (),
    career_paths: Iterable[CareerPath] = (),
    formats: Iterable[str] = (),
    languages: Iterable[str] = (),
    ranked_mentors: Sequence[int] = (),
    excluded_mentors: Iterable[User] = (),
    avoid_own_institution: bool = False,
    prefers_shared_community: bool = False,
) -> MenteeGoals:
    """Create or change `user`'s mentee goals, which the programs' matcher reads."""
    require(actor, "mentorship.act_for_member", user)
    if not text.strip():
        raise DomainError("Say in a sentence or two what you hope a mentor helps with.")
    goals, created = MenteeGoals.objects.get_or_create(user=user, defaults={"text": text})
    goals.text = text.strip()
    goals.formats = _check_values(formats, Format.values, "formats")
    goals.languages = _check_languages(languages)
    goals.ranked_mentors = [int(pk) for pk in dict.fromkeys(ranked_mentors) if int(pk) != user.pk]
    goals.avoid_own_institution = avoid_own_institution
    goals.prefers_shared_community = prefers_shared_community
    goals.save()
    goals.topics.set(topics)
    goals.career_paths.set(career_paths)
    goals.excluded_mentors.set([m for m in excluded_mentors if m.pk != user.pk])
    audit(
        actor=actor,
        action="mentorship.goals_create" if created else "mentorship.goals_update",
        target=goals,
    )
    return goals


# ---------------------------------------------------------------------------------------------
# Requests


@transaction.atomic(durable=True)
def request_create(
    *, mentee: User, mentor: User, note: str, actor: User | Operator
) -> MentorshipRequest:
    """`mentee` asks `mentor` to mentor them; the mentor is mailed (at most once a day)."""
    require(actor, "mentorship.act_for_member", mentee)
    if mentee.pk == mentor.pk:
        raise DomainError("You cannot be your own mentor.")
    if not note.strip():
        raise DomainError("Write a short note: who you are and what you hope for.")
    # A block either way hides the two from each other: the request cannot exist.
    if not user_may_see(viewer=mentee, other=mentor) or not mentor.is_active:
        raise DomainError("This mentor is not available.")
    offer = MentorOffer.objects.filter(user=mentor).first()
    if offer is None or not offer.is_accepting:
        raise DomainError("This mentor is not taking requests right now.")
    if selectors.seats_left(offer=offer) <= 0:
        raise DomainError("This mentor has no seat left right now.")
    if Mentorship.objects.filter(
        mentor=mentor, mentee=mentee, status=MentorshipStatus.ACTIVE
    ).exists():
        raise DomainError("This member is already your mentor.")
    try:
        with transaction.atomic():
            request = MentorshipRequest.objects.create(
                mentee=mentee, mentor=mentor, note=note.strip()
            )
    except IntegrityError:
        raise DomainError("You already asked this mentor; they have not answered yet.") from None
    audit(actor=actor, action="mentorship.request_create", target=request)
    if limit_take(REQUEST_MAIL_LIMIT, (mentee.pk, mentor.pk)):
        send_mentorship_mail(
            to=mentor, kind="request_received", context={"mentee": mentee, "request": request}
        )
    return request


def _lock_pending(request: MentorshipRequest) -> MentorshipRequest:
    locked = MentorshipRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RequestStatus.PENDING:
        raise DomainError(f"This request was already {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic(durable=True)
def request_accept(
    *, request: MentorshipRequest, actor: User | Operator, message: str = ""
) -> Mentorship:
    """Accept a request; the mentor's offer row is locked so two accepts cannot share one seat."""
    require(
        actor,
        "mentorship.answer_request",
        request,
        message="Only the mentor can accept this request.",
    )
    # Lock the offer first, then the request: every accept of this mentor queues here.
    offer = MentorOffer.objects.select_for_update().filter(user_id=request.mentor_id).first()
    request = _lock_pending(request)
    if not user_may_see(viewer=request.mentor, other=request.mentee):
        raise DomainError("This request can no longer be accepted.")
    if offer is None or selectors.seats_left(offer=offer) <= 0:
        raise DomainError(
            "You have no seat left: raise your capacity or finish a mentorship first."
        )
    request.status = RequestStatus.ACCEPTED
    request.response = message.strip()
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "response", "responded_at", "updated_at"])
    mentorship = _mentorship_start(mentor=request.mentor, mentee=request.mentee, request=request)
    audit(actor=actor, action="mentorship.request_accept", target=request)
    send_mentorship_mail(
        to=request.mentee,
        kind="request_accepted",
        context={"mentor": request.mentor, "request": request, "mentorship": mentorship},
    )
    return mentorship


@transaction.atomic(durable=True)
def request_decline(
    *, request: MentorshipRequest, actor: User | Operator, message: str = ""
) -> MentorshipRequest:
    """The mentor declines; the mentee is told kindly, with the mentor's message."""
    require(
        actor,
        "mentorship.answer_request",
        request,
        message="Only the mentor can decline this request.",
    )
    request = _lock_pending(request)
    request.status = RequestStatus.DECLINED
    request.response = message.strip()
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "response", "responded_at", "updated_at"])
    audit(actor=actor, action="mentorship.request_decline", target=request)
    if user_may_see(viewer=request.mentor, other=request.mentee):
        send_mentorship_mail(
            to=request.mentee,
            kind="request_declined",
            context={"mentor": request.mentor, "request": request},
        )
    return request


@transaction.atomic(durable=True)
def request_withdraw(*, request: MentorshipRequest, actor: User | Operator) -> MentorshipRequest:
    """The mentee takes back a request the mentor has not answered yet."""
    require(
        actor,
        "mentorship.withdraw_request",
        request,
        message="Only the member who asked can withdraw the request.",
    )
    request = _lock_pending(request)
    request.status = RequestStatus.WITHDRAWN
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "responded_at", "updated_at"])
    audit(actor=actor, action="mentorship.request_withdraw", target=request)
    return request


# ---------------------------------------------------------------------------------------------
# Mentorships


def _mentorship_start(
    *,
    mentor: User,
    mentee: User,
    request: MentorshipRequest | None = None,
    program: Program | None = None,
    checkin_every_weeks: int = 4,
) -> Mentorship:
    try:
        with transaction.atomic():
            mentorship = Mentorship.objects.create(
                mentor=mentor,
                mentee=mentee,
                request=request,
                program=program,
                checkin_every_weeks=checkin_every_weeks,
            )
    except IntegrityError:
        raise DomainError(f"{mentor} already mentors {mentee}.") from None
    _schedule_checkin(mentorship)
    return mentorship


def _schedule_checkin(mentorship: Mentorship) -> None:
    """Queue the next check-in reminder; the task carries the due time, so a stale one is a no-op."""
    if not mentorship.checkin_every_weeks or not mentorship.is_active:
        mentorship.next_checkin_at = None
    else:
        base = mentorship.next_checkin_at or timezone.now()
        mentorship.next_checkin_at = base + timedelta(weeks=mentorship.checkin_every_weeks)
        due = mentorship.next_checkin_at
        # A backend that cannot defer (the immediate one of tests) would send it now: skip.
        if tasks.send_checkin_reminder_task.get_backend().supports_defer:
            enqueue_on_commit(
                tasks.send_checkin_reminder_task.using(run_after=due),
                mentorship.pk,
                due.isoformat(),
            )
    mentorship.save(update_fields=["next_checkin_at", "updated_at"])


PRIVATE = "This mentorship is private to its mentor and mentee."


def _active(mentorship: Mentorship) -> Mentorship:
    locked = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
    if not locked.is_active:
        raise DomainError("This mentorship has ended.")
    return locked


@transaction.atomic(durable=True)
def mentorship_post_message(*, mentorship: Mentorship, actor: User, body: str) -> MentorshipMessage:
    """A message in the private thread, mailed to the other side."""
    require(actor, "mentorship.take_part", mentorship, message=PRIVATE)
    mentorship = _active(mentorship)
    if not body.strip():
        raise DomainError("The message is empty.")
    message = MentorshipMessage.objects.create(
        mentorship=mentorship, author=actor, body=body.strip()
    )
    audit(actor=actor, action="mentorship.message", target=mentorship)
    other = mentorship.other(actor)
    if user_may_see(viewer=actor, other=other):
        send_mentorship_mail(
            to=other,
            kind="new_message",
            context={"author": actor, "message": message, "mentorship": mentorship},
        )
    return message


@transaction.atomic(durable=True)
def goal_add(*, mentorship: Mentorship, actor: User | Operator, text: str) -> SharedGoal:
    """A goal on the mentorship's shared checklist."""
    require(actor, "mentorship.take_part", mentorship, message=PRIVATE)
    mentorship = _active(mentorship)
    if not text.strip():
        raise DomainError("The goal is empty.")
    goal = SharedGoal.objects.create(mentorship=mentorship, text=text.strip()[:200])
    audit(actor=actor, action="mentorship.goal_add", target=mentorship)
    return goal


@transaction.atomic(durable=True)
def goal_set_done(*, goal: SharedGoal, actor: User | Operator, done: bool) -> SharedGoal:
    """Tick a shared goal off, or open it again."""
    require(actor, "mentorship.take_part", goal.mentorship, message=PRIVATE)
    goal.done = done
    goal.save(update_fields=["done"])
    audit(
        actor=actor,
        action="mentorship.goal_done" if done else "mentorship.goal_reopen",
        target=goal.mentorship,
    )
    return goal


@transaction.atomic(durable=True)
def mentorship_set_checkins(
    *, mentorship: Mentorship, actor: User | Operator, every_weeks: int
) -> Mentorship:
    """Set the check-in rhythm (0 = none) and queue the next reminder."""
    require(actor, "mentorship.take_part", mentorship, message=PRIVATE)
    mentorship = _active(mentorship)
    if not 0 <= every_weeks <= 26:
        raise DomainError("Check-ins are every 1 to 26 weeks, or 0 for none.")
    mentorship.checkin_every_weeks = every_weeks
    mentorship.next_checkin_at = None
    mentorship.save(update_fields=["checkin_every_weeks", "updated_at"])
    _schedule_checkin(mentorship)
    audit(
        actor=actor,
        action="mentorship.checkins",
        target=mentorship,
        changes={"every_weeks": every_weeks},
    )
    return mentorship


@transaction.atomic(durable=True)
def mentorship_send_checkin(*, mentorship_id: int, due: str, actor: User | Operator) -> bool:
    """Send the check-in reminder due at `due` to both sides and queue the next one."""
    require(actor, "mentorship.send_checkin_reminders")
    mentorship = (
        Mentorship.objects.select_for_update(of=("self",))
        .select_related("mentor__profile", "mentee__profile")
        .filter(pk=mentorship_id)
        .first()
    )
    if (
        mentorship is None
        or not mentorship.is_active
        or mentorship.next_checkin_at is None
        or mentorship.next_checkin_at.isoformat() != due
    ):
        return False
    if not user_may_see(viewer=mentorship.mentor, other=mentorship.mentee):
        # One side blocked the other: no more reminders that name them to each other.
        mentorship.next_checkin_at = None
        mentorship.save(update_fields=["next_checkin_at", "updated_at"])
        audit(actor=actor, action="mentorship.checkin_stop", target=mentorship)
        return False
    for user in (mentorship.mentor, mentorship.mentee):
        if user.mail_stopped:
            continue
        send_mentorship_mail(
            to=user,
            kind="checkin",
            context={"other": mentorship.other(user), "mentorship": mentorship},
        )
    _schedule_checkin(mentorship)
    audit(actor=actor, action="mentorship.checkin_reminder", target=mentorship)
    return True


@transaction.atomic(durable=True)
def mentorship_exit(*, mentorship: Mentorship, actor: User) -> Mentorship:
    """A no-fault exit: either side, at any time, with no reason asked or stored."""
    require(actor, "mentorship.take_part", mentorship, message=PRIVATE)
    mentorship = _active(mentorship)
    mentorship.status = MentorshipStatus.ENDED
    mentorship.ended_at = timezone.now()
    mentorship.ended_by = actor
    mentorship.next_checkin_at = None
    mentorship.save(
        update_fields=["status", "ended_at", "ended_by", "next_checkin_at", "updated_at"]
    )
    audit(actor=actor, action="mentorship.exit", target=mentorship)
    other = mentorship.other(actor)
    if user_may_see(viewer=actor, other=other):
        send_mentorship_mail(
            to=other, kind="ended", context={"other": actor, "mentorship": mentorship}
        )
    return mentorship


@transaction.atomic(durable=True)
def mentorship_complete(*, mentorship: Mentorship, actor: User, feedback: str = "") -> Mentorship:
    """Mark the mentorship complete, with the actor's private feedback; the other is told."""
    require(actor, "mentorship.take_part", mentorship, message=PRIVATE)
    mentorship = _active(mentorship)
    mentorship.status = MentorshipStatus.COMPLETED
    mentorship.ended_at = timezone.now()
    mentorship.ended_by = actor
    mentorship.next_checkin_at = None
    mentorship.save(
        update_fields=["status", "ended_at", "ended_by", "next_checkin_at", "updated_at"]
    )
    if feedback.strip():
        MentorshipFeedback.objects.create(
            mentorship=mentorship, author=actor, text=feedback.strip()
        )
    audit(actor=actor, action="mentorship.complete", target=mentorship)
    other = mentorship.other(actor)
    if user_may_see(viewer=actor, other=other):
        send_mentorship_mail(
            to=other,
            kind="completed",
            context={"other": actor, "actor": actor, "mentorship": mentorship},
        )
    return mentorship


@transaction.atomic(durable=True)
def feedback_leave(*, mentorship: Mentorship, actor: User, text: str) -> MentorshipFeedback:
    """Private feedback on a completed mentorship: its author and organizers read it."""
    require(actor, "mentorship.take_part", mentorship, message=PRIVATE)
    if mentorship.status != MentorshipStatus.COMPLETED:
        raise DomainError("Feedback is left when a mentorship is complete.")
    if not text.strip():
        raise DomainError("The feedback is empty.")
    feedback, _ = MentorshipFeedback.objects.update_or_create(
        mentorship=mentorship, author=actor, defaults={"text": text.strip()}
    )
    audit(actor=actor, action="mentorship.feedback", target=mentorship)
    return feedback


# ---------------------------------------------------------------------------------------------
# Programs


ORGANIZERS_ONLY = "Only organizers manage programs."


class _ProgramFieldsOptional(TypedDict, total=False):
    hashtag: str
    description: str
    checkin_every_weeks: int


class ProgramFields(_ProgramFieldsOptional):
    """What an organizer fills in to open a program."""

    name: str
    applications_open_at: datetime
    applications_close_at: datetime
    matching_date: date


def _created_by(actor: User | Operator) -> User | None:
    return actor if isinstance(actor, User) else None


@transaction.atomic(durable=True)
def program_create(*, actor: User | Operator, **fields: Unpack[ProgramFields]) -> Program:
    """Open a program for applications."""
    require(actor, "mentorship.manage_programs", message=ORGANIZERS_ONLY)
    if fields["applications_close_at"] <= fields["applications_open_at"]:
        raise DomainError("Applications must close after they open.")
    # The name reaches mail subjects: one line.
    fields["name"] = one_line(fields["name"])
    if "hashtag" in fields:
        fields["hashtag"] = one_line(fields["hashtag"])
    program = Program.objects.create(created_by=_created_by(actor), **fields)
    audit(actor=actor, action="mentorship.program_create", target=program)
    return program


class ProgramChanges(_ProgramFieldsOptional, total=False):
    """What an organizer may change on a program's page."""

    name: str
    applications_open_at: datetime
    applications_close_at: datetime
    matching_date: date


@transaction.atomic(durable=True)
def program_update(
    *, program: Program, actor: User | Operator, **fields: Unpack[ProgramChanges]
) -> list[str]:
    """Change a program's name, text, window, matching date or check-in rhythm; answers which
    fields changed. The window cannot change once the pairs are published."""
    require(actor, "mentorship.manage_programs", message=ORGANIZERS_ONLY)
    program = Program.objects.select_for_update().get(pk=program.pk)
    if "name" in fields:
        fields["name"] = one_line(fields["name"])
    if "hashtag" in fields:
        fields["hashtag"] = one_line(fields["hashtag"])
    opens = fields.get("applications_open_at", program.applications_open_at)
    closes = fields.get("applications_close_at", program.applications_close_at)
    if closes <= opens:
        raise DomainError("Applications must close after they open.")
    window = ("applications_open_at", "applications_close_at", "matching_date")
    changed = model_update(program, fields)
    if program.status == ProgramStatus.PUBLISHED and set(changed) & set(window):
        raise DomainError("The pairs are published: the dates can no longer change.")
    if changed:
        program.save(update_fields=[*changed, "updated_at"])
        audit(
            actor=actor,
            action="mentorship.program_update",
            target=program,
            changes={"fields": changed},
        )
    return changed


@transaction.atomic(durable=True)
def program_close_applications(*, program: Program, actor: User | Operator) -> Program:
    """Close applications now, before the end of the window; the matcher can run at once."""
    require(actor, "mentorship.manage_programs", message=ORGANIZERS_ONLY)
    program = Program.objects.select_for_update().get(pk=program.pk)
    now = timezone.now()
    if program.status != ProgramStatus.OPEN or now >= program.applications_close_at:
        raise DomainError("Applications to this program are already closed.")
    if now <= program.applications_open_at:
        raise DomainError("Applications have not opened yet: change the dates instead.")
    program.applications_close_at = now
    program.save(update_fields=["applications_close_at", "updated_at"])
    audit(actor=actor, action="mentorship.program_close", target=program)
    return program


@transaction.atomic(durable=True)
def program_apply(
    *, program: Program, user: User, actor: User | Operator, role: str, capacity: int = 1
) -> ProgramApplication:
    """Apply to a program as a mentor (with an offer) or a mentee (with goals), or change it."""
    require(actor, "mentorship.act_for_member", user)
    now = timezone.now()
    if program.status != ProgramStatus.OPEN or not (
        program.applications_open_at <= now < program.applications_close_at
    ):
        raise DomainError("Applications to this program are closed.")
    if role not in ProgramRole.values:
        raise DomainError("Apply as a mentor or as a mentee.")
    if role == ProgramRole.MENTOR and not MentorOffer.objects.filter(user=user).exists():
        raise DomainError("Fill in your mentor offer first: the matcher reads it.")
    if role == ProgramRole.MENTEE and not MenteeGoals.objects.filter(user=user).exists():
        raise DomainError("Fill in your mentee goals first: the matcher reads them.")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError(f"Capacity is 1 to {MAX_CAPACITY}.")
    application, _ = ProgramApplication.objects.update_or_create(
        program=program, user=user, defaults={"role": role, "capacity": capacity}
    )
    audit(actor=actor, action="mentorship.program_apply", target=program, changes={"role": role})
    return application


@transaction.atomic(durable=True)
def program_withdraw(*, program: Program, user: User, actor: User | Operator) -> None:
    """Take an application back before the matches are published."""
    require(actor, "mentorship.act_for_member", user)
    if program.status == ProgramStatus.PUBLISHED:
        raise DomainError("The matches are published; leave the mentorship instead.")
    deleted, _ = ProgramApplication.objects.filter(program=program, user=user).delete()
    if deleted:
        audit(actor=actor, action="mentorship.program_withdraw", target=program)


@transaction.atomic(durable=True)
def program_run_matcher(*, program: Program, actor: User | Operator) -> list[Proposal]:
    """Run the matcher on the program's applicants and store its proposals for review."""
    require(actor, "mentorship.manage_programs", message=ORGANIZERS_ONLY)
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.status == ProgramStatus.PUBLISHED:
        raise DomainError("The matches are already published.")
    mentors, mentees = selectors.program_matcher_input(program=program)
    result = match(mentors, mentees)
    Proposal.objects.filter(program=program).delete()
    proposals = Proposal.objects.bulk_create(
        Proposal(
            program=program,
            mentee_id=int(row.mentee_id),
            mentor_id=int(row.mentor_id) if row.mentor_id else None,
            score=row.score,
            terms=selectors.terms_dict(row.terms) if row.terms else {},
            reason=row.reason,
        )
        for row in result.rows
    )
    program.status = ProgramStatus.MATCHING
    program.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        action="mentorship.program_match",
        target=program,
        changes={"matched": result.matched, "mentees": len(mentees)},
    )
    return proposals


@transaction.atomic(durable=True)
def proposal_set_mentor(
    *, proposal: Proposal, mentor: User | None, actor: User | Operator
) -> Proposal:
    """Swap a proposal's mentor (organizers), or remove the pair with mentor=None.

    The rules still hold: capacity in the program, the mentee's exclusions and blocks.
    """
    require(actor, "mentorship.manage_programs", message=ORGANIZERS_ONLY)
    program = Program.objects.select_for_update().get(pk=proposal.program_id)
    if program.status != ProgramStatus.MATCHING:
        raise DomainError("Proposals can be changed between matching and publishing.")
    if mentor is None:
        proposal.mentor, proposal.score, proposal.terms = None, None, {}
        proposal.reason = "removed by an organizer"
    else:
        application = ProgramApplication.objects.filter(
            program=program, user=mentor, role=ProgramRole.MENTOR
        ).first()
        if application is None:
            raise DomainError(f"{mentor} is not a mentor in this program.")
        taken = (
            Proposal.objects.filter(program=program, mentor=mentor).exclude(pk=proposal.pk).count()
        )
        if taken >= application.capacity:
            raise DomainError(f"{mentor} has no seat left in this program.")
        pair = selectors.program_pair(program=program, mentor=mentor, mentee=proposal.mentee)
        if pair.rule is not None and pair.rule in {"excluded", "blocked"}:
            raise DomainError(f"{proposal.mentee} cannot be matched with {mentor} ({pair.rule}).")
        proposal.mentor = mentor
        proposal.score = pair.terms.total if pair.terms else None
        proposal.terms = selectors.terms_dict(pair.terms) if pair.terms else {}
        proposal.reason = "" if pair.rule is None else f"organizer's choice despite: {pair.rule}"
    proposal.edited = True
    proposal.save()
    audit(actor=actor, action="mentorship.proposal_set", target=proposal)
    return proposal


@transaction.atomic(durable=True)
def program_publish(*, program: Program, actor: User | Operator) -> list[Mentorship]:
    """Turn the reviewed proposals into mentorships and tell both sides by mail."""
    require(actor, "mentorship.manage_programs", message=ORGANIZERS_ONLY)
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.status != ProgramStatus.MATCHING:
        raise DomainError("Run the matcher and review its proposals before publishing.")
    started = []
    for proposal in program.proposals.exclude(mentor=None).select_related("mentor", "mentee"):
        assert proposal.mentor is not None
        if Mentorship.objects.filter(
            mentor=proposal.mentor, mentee=proposal.mentee, status=MentorshipStatus.ACTIVE
        ).exists():
            continue
        mentorship = _mentorship_start(
            mentor=proposal.mentor,
            mentee=proposal.mentee,
            program=program,
            checkin_every_weeks=program.checkin_every_weeks,
        )
        started.append(mentorship)
        for to, role in ((mentorship.mentor, "mentor"), (mentorship.mentee, "mentee")):
            send_mentorship_mail(
                to=to,
                kind="program_match",
                context={
                    "program": program,
                    "other": mentorship.other(to),
                    "role": role,
                    "mentorship": mentorship,
                },
            )
    program.status = ProgramStatus.PUBLISHED
    program.published_at = timezone.now()
    program.save(update_fields=["status", "published_at", "updated_at"])
    audit(
        actor=actor,
        action="mentorship.program_publish",
        target=program,
        changes={"mentorships": len(started)},
    )
    return started


# ---------------------------------------------------------------------------------------------
# Speed mentoring


SPEED_ORGANIZERS_ONLY = "Only organizers run speed-mentoring events."


class _SpeedEventFieldsOptional(TypedDict, total=False):
    rounds: int
    table_size: int
    round_minutes: int
    session: LiveSession | None  # its check-ins mark who is here


class SpeedEventFields(_SpeedEventFieldsOptional):
    """What an organizer fills in to create a speed-mentoring event."""

    title: str
    starts_at: datetime


@transaction.atomic(durable=True)
def speed_event_create(
    *, actor: User | Operator, **fields: Unpack[SpeedEventFields]
) -> SpeedMentoringEvent:
    """Create a speed-mentoring event members can join."""
    require(actor, "mentorship.manage_speed_events", message=SPEED_ORGANIZERS_ONLY)
    fields["title"] = one_line(fields["title"])
    event = SpeedMentoringEvent.objects.create(created_by=_created_by(actor), **fields)
    audit(actor=actor, action="mentorship.speed_event_create", target=event)
    return event


@transaction.atomic(durable=True)
def speed_participant_add(
    *, event: SpeedMentoringEvent, user: User, role: str, actor: User | Operator
) -> SpeedParticipant:
    """`user` joins the event as a mentor or a mentee (themselves, or by an organizer)."""
    require(actor, "mentorship.join_speed_event", user)
    _speed_still_ahead(event)
    if role not in ProgramRole.values:
        raise DomainError("Join as a mentor or as a mentee.")
    participant = _speed_participant_set(event=event, user=user, role=role)
    audit(actor=actor, action="mentorship.speed_join", target=event, changes={"role": role})
    return participant


def _speed_still_ahead(event: SpeedMentoringEvent) -> None:
    if event.ends_at < timezone.now():
        raise DomainError("This event is over.")


def _speed_participant_set(
    *, event: SpeedMentoringEvent, user: User, role: str
) -> SpeedParticipant:
    participant, _ = SpeedParticipant.objects.update_or_create(
        event=event, user=user, defaults={"role": role}
    )
    return participant


@transaction.atomic(durable=True)
def speed_participants_add(
    *,
    event: SpeedMentoringEvent,
    mentors: Iterable[User] = (),
    mentees: Iterable[User] = (),
    actor: User | Operator,
) -> list[SpeedParticipant]:
    """Organizers put people on the event's list by name, as mentors or mentees; someone
    already on it takes the new role. Nobody is named twice in one go."""
    require(actor, "mentorship.manage_speed_events", message=SPEED_ORGANIZERS_ONLY)
    _speed_still_ahead(event)
    mentors, mentees = list(mentors), list(mentees)
    both = {u.pk for u in mentors} & {u.pk for u in mentees}
    if both:
        names = ", ".join(sorted(str(u) for u in mentors if u.pk in both))
        raise DomainError(f"Choose one role for {names}: mentor or mentee.")
    added = [
        _speed_participant_set(event=event, user=user, role=role)
        for people, role in ((mentors, ProgramRole.MENTOR), (mentees, ProgramRole.MENTEE))
        for user in people
        if user.is_active
    ]
    audit(
        actor=actor,
        action="mentorship.speed_add",
        target=event,
        changes={"mentors": len(mentors), "mentees": len(mentees)},
    )
    return added


@transaction.atomic(durable=True)
def speed_check_in(
    *, participant: SpeedParticipant, actor: User | Operator, checked_in: bool = True
) -> SpeedParticipant:
    """Mark a participant here (or not) on the day."""
    require(actor, "mentorship.manage_speed_events", message=SPEED_ORGANIZERS_ONLY)
    participant.checked_in = checked_in
    participant.save(update_fields=["checked_in"])
    audit(actor=actor, action="mentorship.speed_check_in", target=participant.event)
    return participant


@transaction.atomic(durable=True)
def speed_event_sync_check_ins(*, event: SpeedMentoringEvent, actor: User | Operator) -> int:
    """Mark as here the participants who checked in at the event's live session."""
    require(actor, "mentorship.manage_speed_events", message=SPEED_ORGANIZERS_ONLY)
    if event.session_id is None:
        return 0
    present = selectors.session_check_in_user_ids(session_id=event.session_id)
    count = event.participants.filter(user_id__in=present, checked_in=False).update(checked_in=True)
    audit(actor=actor, action="mentorship.speed_sync", target=event, changes={"marked": count})
    return count


@transaction.atomic(durable=True)
def speed_event_schedule(*, event: SpeedMentoringEvent, actor: User | Operator) -> list[SpeedSeat]:
    """Seat the checked-in people: rounds with no repeated pair and balanced tables."""
    require(actor, "mentorship.manage_speed_events", message=SPEED_ORGANIZERS_ONLY)
    event = SpeedMentoringEvent.objects.select_for_update().get(pk=event.pk)
    mentors, mentees = selectors.speed_event_input(event=event)
    schedule = speed_rounds(mentors, mentees, rounds=event.rounds, table_size=event.table_size)
    event.seats.all().delete()
    seats = SpeedSeat.objects.bulk_create(
        SpeedSeat(
            event=event, round=s.round, mentor_id=int(s.mentor_id), mentee_id=int(s.mentee_id)
        )
        for s in schedule
    )
    event.scheduled_at = timezone.now()
    event.save(update_fields=["scheduled_at", "updated_at"])
    audit(
        actor=actor, action="mentorship.speed_schedule", target=event, changes={"seats": len(seats)}
    )
    return seats
