"""Background work of the newsletter: start a scheduled issue, work through an outbox."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.tasks import TaskContext, TaskResultStatus, task
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from hemonc.core.permissions import OPERATOR
from hemonc.newsletter import selectors, services
from hemonc.newsletter.enums import IssueStatus
from hemonc.newsletter.models import Issue

logger = logging.getLogger(__name__)

# How long after a sender's lease runs out its watch takes over (clocks and the worker's poll).
WATCH_MARGIN = timedelta(seconds=5)


@task()
def start_issue_task(issue_id: int) -> None:
    """A scheduled issue's time came: fill its outbox (unless it was unscheduled or moved)."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status != IssueStatus.SCHEDULED:
        return
    if issue.scheduled_for and issue.scheduled_for > timezone.now() + timedelta(seconds=1):
        return  # rescheduled later: the task enqueued for the new time starts it
    services.issue_start_sending(issue=issue, actor=OPERATOR)


@task(takes_context=True)
def send_issue_task(context: TaskContext, issue_id: int) -> None:
    """Work through an issue's outbox for a while, then hand over to the next run."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status != IssueStatus.SENDING:
        return
    if selectors.outbox_leased_elsewhere(issue=issue):
        return  # another process is sending this issue; its own follow-up takes over
    owner = uuid.uuid4().hex[:12]
    defer = send_issue_task.get_backend().supports_defer
    if defer:
        # Should this worker die mid-send, the watch resumes soon after its lease runs out.
        watch_issue_task.using(
            run_after=timezone.now() + services.lease_duration() + WATCH_MARGIN
        ).enqueue(issue_id, context.task_result.id, owner)
    run = services.outbox_send(issue=issue, owner=owner)
    logger.info(
        "issue %s: %s sent, %s retried, %s bounced, %s failed",
        issue_id, run.sent, run.retried, run.bounced, run.failed,
    )  # fmt: skip
    if not run.done and defer:
        when = max(run.retry_at or timezone.now(), timezone.now())
        send_issue_task.using(run_after=when).enqueue(issue_id)


@task()
def watch_issue_task(issue_id: int, result_id: str, owner: str, idle_seen: bool = False) -> None:
    """Look after one run of `send_issue_task`: while it holds live leases, look again when
    they would run out; once it died (its leases ran out, or it failed), send in its place.

    A run that ended normally enqueued its own follow-up: then there is nothing to do. A run
    holding no lease at all is between two batches, or ending, or died before its first
    claim: seen so twice in a row, it died.
    """
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status != IssueStatus.SENDING:
        return
    try:
        status = send_issue_task.get_result(result_id).status
    except TaskResultDoesNotExist:
        status = TaskResultStatus.FAILED
    if status == TaskResultStatus.SUCCESSFUL:
        return
    if status == TaskResultStatus.RUNNING:
        held_until = selectors.outbox_lease_held_until(issue=issue, owner=owner)
        if held_until is not None and held_until > timezone.now():
            watch_issue_task.using(run_after=held_until + WATCH_MARGIN).enqueue(
                issue_id, result_id, owner
            )
            return
        if held_until is None and not idle_seen:
            watch_issue_task.using(run_after=timezone.now() + WATCH_MARGIN).enqueue(
                issue_id, result_id, owner, True
            )
            return
    logger.warning("issue %s: the sender %s stopped mid-send; sending resumes", issue_id, owner)
    send_issue_task.enqueue(issue_id)


@task()
def import_subscribers_task(import_id: int) -> None:
    """Run an import an organizer uploaded on the import page."""
    # Imported here: the importers import the services, which enqueue this task.
    from hemonc.newsletter.imports import run_import

    run_import(import_id)
