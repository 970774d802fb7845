"""Background work of the community: run by `hemonc db_worker`, acting as the operator."""

from __future__ import annotations

from django.tasks import task

from hemonc.core.permissions import OPERATOR

# ---- messages (+ digest) ----


@task()
def mail_unread_messages_task(*, participant_id: int) -> None:
    """An hour after a message started a wait: mail its recipient if it is still unread."""
    from hemonc.community.services import messages

    messages.unread_mail_send(participant_id=participant_id, actor=OPERATOR)


@task()
def send_digest_task(*, week: str) -> None:
    """Build and send the weekly digest of `week` (its Monday, ISO) to every member who asked."""
    from datetime import date

    from hemonc.community.services import digest

    digest.digest_send_week(week=date.fromisoformat(week), actor=OPERATOR)
