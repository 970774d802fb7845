"""Live Q&A (questions, votes, moderation) and check-ins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import require
from hemonc.core.phi_guard import HOLD_ACTION, phi_record, scan_texts
from hemonc.core.ratelimit import Limit, limit_consume
from hemonc.events.enums import QuestionStatus
from hemonc.events.models import CheckIn, LiveSession, Question, QuestionVote
from hemonc.events.services._shared import Actor
from hemonc.members.models import User

QUESTION_LIMIT = Limit(
    name="events.question",
    count=3,
    seconds=60,
    message="You asked 3 questions in the last minute. Please wait a moment before the next.",
)


@transaction.atomic(durable=True)
def checkin_create(*, session: LiveSession, user: User, now: datetime | None = None) -> CheckIn:
    """ "I am here": open from 15 minutes before the start to 30 minutes after the end."""
    require(user, "events.take_part")
    now = now or timezone.now()
    if session.is_cancelled:
        raise DomainError("This session is cancelled.")
    if now < session.check_in_opens_at:
        raise DomainError("Check-in opens 15 minutes before the session starts.")
    if now > session.check_in_closes_at:
        raise DomainError("Check-in closed 30 minutes after the session ended.")
    check_in, created = CheckIn.objects.get_or_create(session=session, user=user)
    if created:
        audit(actor=user, action="checkin.create", target=check_in)
    return check_in


@transaction.atomic(durable=True)
def question_create(
    *, session: LiveSession, author: User, text: str, is_anonymous: bool = False
) -> Question:
    require(author, "events.take_part")
    text = text.strip()
    if not text:
        raise DomainError("Write a question first.")
    if len(text) > 500:
        raise DomainError("A question has at most 500 characters.")
    if not session.accepts_questions(timezone.now()):
        raise DomainError("This session no longer takes questions.")
    limit_consume(QUESTION_LIMIT, (author.pk, session.pk))
    # A question that may identify a patient is held for the host instead of shown.
    found = scan_texts({"text": text})
    question = Question.objects.create(
        session=session,
        author=author,
        text=text,
        is_anonymous=is_anonymous,
        is_held=bool(found),
        is_hidden=bool(found),
    )
    audit(actor=author, action="question.create", target=question)
    if found:
        phi_record(actor=author, target=question, found=found, action=HOLD_ACTION)
    return question


@transaction.atomic(durable=True)
def question_toggle_vote(*, question: Question, user: User) -> bool:
    """Upvote, or take the upvote back. Returns whether the member now votes for it."""
    require(user, "events.take_part")
    if question.is_hidden:
        raise DomainError("This question is hidden.")
    deleted, _ = QuestionVote.objects.filter(question=question, user=user).delete()
    if deleted:
        return False
    QuestionVote.objects.create(question=question, user=user)
    return True


QUESTION_ACTIONS: dict[str, dict[str, Any]] = {
    "answer": {"status": QuestionStatus.ANSWERED},
    "reopen": {"status": QuestionStatus.OPEN},
    "pin": {"is_pinned": True},
    "unpin": {"is_pinned": False},
    "hide": {"is_hidden": True, "is_pinned": False, "is_held": False},
    # Shows a hidden question, and releases a held one.
    "show": {"is_hidden": False, "is_held": False},
}


@transaction.atomic(durable=True)
def question_moderate(*, question: Question, actor: Actor, action: str) -> Question:
    """Hosts, organizers and moderators mark a question answered, pin it or hide it; a held
    question is released by "show" or hidden for good by "hide"."""
    require(
        actor,
        "events.moderate_questions",
        question.session,
        message="Only the session's hosts and moderators can do this.",
    )
    if action not in QUESTION_ACTIONS:
        raise DomainError(f"Unknown action {action!r}.")
    for name, value in QUESTION_ACTIONS[action].items():
        setattr(question, name, value)
    question.save()
    audit(actor=actor, action=f"question.{action}", target=question)
    return question
