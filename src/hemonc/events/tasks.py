"""Background work of the live sessions: mails about RSVPs, changes and reminders."""

from __future__ import annotations

from datetime import datetime

from django.tasks import task

from hemonc.events import services
from hemonc.events.models import LiveSession, Rsvp


@task()
def send_rsvp_mail_task(rsvp_id: int, kind: str) -> bool:
    rsvp = Rsvp.objects.select_related("session", "user__profile").filter(pk=rsvp_id).first()
    if rsvp is None:
        return False
    return services.rsvp_send_mail(rsvp=rsvp, kind=kind)


@task()
def send_session_change_task(session_id: int, kind: str, sequence: int) -> int:
    session = LiveSession.objects.filter(pk=session_id).first()
    if session is None:
        return 0
    return services.session_send_change(session=session, kind=kind, sequence=sequence)


@task()
def send_session_reminders_task(session_id: int, kind: str, starts_at: str) -> dict[str, int]:
    session = LiveSession.objects.filter(pk=session_id).first()
    if session is None:
        return {"sent": 0}
    run = services.session_send_reminders(
        session=session, kind=kind, starts_at=datetime.fromisoformat(starts_at)
    )
    return {"sent": run.sent, "already_sent": run.already_sent, "failed": run.failed}
