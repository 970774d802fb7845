"""Background work of the newsletter: start a scheduled issue, work through an outbox."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from hemonc.newsletter import selectors, services
from hemonc.newsletter.enums import IssueStatus
from hemonc.newsletter.models import Issue

logger = logging.getLogger(__name__)


@task()
def start_issue_task(issue_id: int) -> None:
    """A scheduled issue's time came: fill its outbox (unless it was unscheduled or moved)."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status != IssueStatus.SCHEDULED:
        return
    if issue.scheduled_for and issue.scheduled_for > timezone.now() + timedelta(seconds=1):
        return  # rescheduled later: the task enqueued for the new time starts it
    services.issue_start_sending(issue=issue)


@task()
def send_issue_task(issue_id: int) -> None:
    """Work through an issue's outbox for a while, then hand over to the next run."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status != IssueStatus.SENDING:
        return
    if selectors.outbox_leased_elsewhere(issue=issue):
        return  # another process is sending this issue; its own follow-up takes over
    defer = send_issue_task.get_backend().supports_defer
    if defer:
        # Should this worker be stopped mid-send, this run resumes once its leases expire.
        watchdog = (
            timezone.now() + timedelta(seconds=services.RUN_BUDGET_SECONDS) + services.LEASE * 2
        )
        send_issue_task.using(run_after=watchdog).enqueue(issue_id)
    run = services.outbox_send(issue=issue)
    logger.info(
        "issue %s: %s sent, %s retried, %s bounced, %s failed",
        issue_id, run.sent, run.retried, run.bounced, run.failed,
    )  # fmt: skip
    if not run.done and defer:
        when = max(run.retry_at or timezone.now(), timezone.now())
        send_issue_task.using(run_after=when).enqueue(issue_id)
