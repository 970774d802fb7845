"""Background work of mentorship: check-in reminders, queued with run_after."""

from __future__ import annotations

from django.tasks import task

from hemonc.core.permissions import OPERATOR
from hemonc.mentorship import services


@task()
def send_checkin_reminder_task(mentorship_id: int, due: str) -> bool:
    return services.mentorship_send_checkin(mentorship_id=mentorship_id, due=due, actor=OPERATOR)
