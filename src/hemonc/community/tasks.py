"""Background work of the community."""

from __future__ import annotations

# ---- opportunities (+ sponsorship) ----
from datetime import datetime

from django.tasks import task

from hemonc.community.models.opportunities import Opportunity
from hemonc.core.permissions import OPERATOR


@task()
def send_opportunity_reminders_task(
    opportunity_id: int, kind: str, deadline: str
) -> dict[str, int]:
    """The week or day reminder of an opportunity's deadline, to the members who saved it."""
    # A module import at call time: the services import this module at theirs.
    from hemonc.community.services import opportunities

    opportunity = Opportunity.objects.filter(pk=opportunity_id).first()
    if opportunity is None:
        return {"sent": 0}
    run = opportunities.opportunity_send_reminders(
        opportunity=opportunity, kind=kind, deadline=datetime.fromisoformat(deadline)
    )
    return {"sent": run.sent, "already_sent": run.already_sent, "failed": run.failed}


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
