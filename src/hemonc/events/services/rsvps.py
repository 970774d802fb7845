"""RSVPs and the waitlist.

RSVP changes lock the session's row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions serialize writers anyway), so concurrent cancels promote each
waitlisted person exactly once and never past the capacity.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import require
from hemonc.core.tasks import enqueue_on_commit
from hemonc.core.text import one_line

# A module import: tasks.py imports these services too, and either may load first.
from hemonc.events import tasks
from hemonc.events.emails import rsvp_message
from hemonc.events.enums import RsvpStatus
from hemonc.events.models import LiveSession, Rsvp
from hemonc.events.services._shared import Actor
from hemonc.members.models import User

VISITOR_MAIL_INTERVAL = timedelta(minutes=10)


def _lock(session: LiveSession) -> LiveSession:
    return LiveSession.objects.select_for_update().get(pk=session.pk)


def _check_open_for_rsvp(session: LiveSession) -> None:
    if session.is_cancelled:
        raise DomainError("This session is cancelled.")
    if session.ends_at <= timezone.now():
        raise DomainError("This session is over.")


def _seat_status(session: LiveSession) -> RsvpStatus:
    if session.capacity is None:
        return RsvpStatus.GOING
    seated = session.rsvps.filter(status=RsvpStatus.GOING).count()
    waiting = session.rsvps.filter(status=RsvpStatus.WAITLISTED).exists()
    return RsvpStatus.GOING if seated < session.capacity and not waiting else RsvpStatus.WAITLISTED


def _seat(rsvp: Rsvp, session: LiveSession) -> None:
    """Give a confirmed RSVP a seat, or a place at the end of the waitlist."""
    now = timezone.now()
    rsvp.status = _seat_status(session)
    rsvp.waitlisted_at = now if rsvp.status == RsvpStatus.WAITLISTED else None
    rsvp.confirmed_at = now
    rsvp.cancelled_at = None


def _mail_rsvp(rsvp: Rsvp, kind: str) -> None:
    enqueue_on_commit(tasks.send_rsvp_mail_task, rsvp.pk, kind)


@transaction.atomic(durable=True)
def rsvp_create(*, session: LiveSession, user: User) -> Rsvp:
    """A member's one-click RSVP: a seat, or the waitlist when the session is full."""
    require(user, "events.take_part")
    session = _lock(session)
    _check_open_for_rsvp(session)
    rsvp = Rsvp.objects.filter(session=session, user=user).first()
    if rsvp is not None and rsvp.status in {RsvpStatus.GOING, RsvpStatus.WAITLISTED}:
        return rsvp
    rsvp = rsvp or Rsvp(session=session, user=user)
    _seat(rsvp, session)
    rsvp.save()
    audit(actor=user, action="rsvp.create", target=rsvp, changes={"status": rsvp.status})
    _mail_rsvp(rsvp, str(rsvp.status))
    return rsvp


@transaction.atomic(durable=True)
def rsvp_request(*, session: LiveSession, email: str, name: str = "") -> Rsvp:
    """A visitor's RSVP: held until they confirm by the link mailed to `email`.

    A pending request is mailed again at most every ten minutes, so the form cannot be used
    to flood someone's inbox; an address that already has a seat gets no mail at all.
    """
    session = _lock(session)
    _check_open_for_rsvp(session)
    email = email.strip().lower()
    rsvp = Rsvp.objects.filter(session=session, user__isnull=True, email__iexact=email).first()
    if rsvp is not None and rsvp.status in {RsvpStatus.GOING, RsvpStatus.WAITLISTED}:
        return rsvp
    if (
        rsvp is not None
        and rsvp.status == RsvpStatus.PENDING
        and rsvp.updated_at > timezone.now() - VISITOR_MAIL_INTERVAL
    ):
        return rsvp
    rsvp = rsvp or Rsvp(session=session, email=email)
    rsvp.name = one_line(name)[:80]
    rsvp.status = RsvpStatus.PENDING
    rsvp.cancelled_at = None
    rsvp.save()
    audit(actor=None, action="rsvp.request", target=rsvp)
    _mail_rsvp(rsvp, "confirm_email")
    return rsvp


@transaction.atomic(durable=True)
def rsvp_confirm(*, rsvp_id: int, email: str) -> Rsvp:
    """The visitor followed the link in the mail: the RSVP now takes a seat (or waits)."""
    rsvp = Rsvp.objects.select_related("session").filter(pk=rsvp_id).first()
    if rsvp is None or rsvp.user_id is not None or rsvp.email.lower() != email.lower():
        raise DomainError("This confirmation link is not valid.")
    session = _lock(rsvp.session)
    rsvp = Rsvp.objects.select_for_update().get(pk=rsvp.pk)
    if rsvp.status in {RsvpStatus.GOING, RsvpStatus.WAITLISTED}:
        return rsvp
    if rsvp.status == RsvpStatus.CANCELLED:
        raise DomainError("This RSVP was cancelled. RSVP again from the session page.")
    _check_open_for_rsvp(session)
    _seat(rsvp, session)
    rsvp.save()
    audit(actor=None, action="rsvp.confirm", target=rsvp, changes={"status": rsvp.status})
    _mail_rsvp(rsvp, str(rsvp.status))
    return rsvp


@transaction.atomic(durable=True)
def rsvp_cancel(*, rsvp: Rsvp, actor: Actor) -> Rsvp:
    """Give up a seat (or leave the waitlist). A freed seat goes to the first person waiting."""
    require(actor, "events.cancel_rsvp", rsvp, message="You can only cancel your own RSVP.")
    return _cancel(rsvp, actor)


@transaction.atomic(durable=True)
def rsvp_cancel_by_link(*, rsvp_id: int) -> Rsvp | None:
    """Cancel through the link in an RSVP's mails (RFC 8058 one-click too): the signed link
    (`tokens.read_manage_token`) is the authority, so no member is named in the audit row.
    None when the RSVP is gone."""
    rsvp = Rsvp.objects.filter(pk=rsvp_id).first()
    return None if rsvp is None else _cancel(rsvp, None)


def _cancel(rsvp: Rsvp, actor: Actor | None) -> Rsvp:
    session = _lock(rsvp.session)
    rsvp = Rsvp.objects.select_for_update().get(pk=rsvp.pk)
    if rsvp.status == RsvpStatus.CANCELLED:
        return rsvp
    had_seat = rsvp.status == RsvpStatus.GOING
    rsvp.status = RsvpStatus.CANCELLED
    rsvp.cancelled_at = timezone.now()
    rsvp.waitlisted_at = None
    rsvp.save(update_fields=["status", "cancelled_at", "waitlisted_at", "updated_at"])
    audit(actor=actor, action="rsvp.cancel", target=rsvp)
    if had_seat:
        _promote_waitlist(session)
    return rsvp


def _promote_waitlist(session: LiveSession) -> list[Rsvp]:
    """Fill free seats from the waitlist in order; each promoted person is told by mail.

    The caller holds the session's row lock, so two cancels never hand out the same seat.
    """
    if session.is_cancelled or session.ends_at <= timezone.now():
        return []
    waiting = session.rsvps.filter(status=RsvpStatus.WAITLISTED).order_by("waitlisted_at", "id")
    if session.capacity is not None:
        seated = session.rsvps.filter(status=RsvpStatus.GOING).count()
        free = session.capacity - seated
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    for rsvp in promoted:
        rsvp.status = RsvpStatus.GOING
        rsvp.waitlisted_at = None
        rsvp.save(update_fields=["status", "waitlisted_at", "updated_at"])
        audit(actor=None, action="rsvp.promote", target=rsvp)
        _mail_rsvp(rsvp, "promoted")
    return promoted


def rsvp_send_mail(*, rsvp: Rsvp, kind: str) -> bool:
    """Send one mail about an RSVP, unless its state changed since it was queued (run by
    `send_rsvp_mail_task`, outside any transaction)."""
    expected = {
        "confirm_email": RsvpStatus.PENDING,
        "going": RsvpStatus.GOING,
        "promoted": RsvpStatus.GOING,
        "waitlisted": RsvpStatus.WAITLISTED,
    }
    if kind in expected and rsvp.status != expected[kind]:
        return False
    return bool(rsvp_message(rsvp, kind=kind).send())
