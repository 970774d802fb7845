"""The newsletter's background work as the worker runs it: starting a scheduled issue, a
sender that finds nothing to do, and the watch that resumes a dead sender."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from hemonc.core.permissions import OPERATOR
from hemonc.newsletter import services
from hemonc.newsletter.models import Delivery, Issue
from hemonc.newsletter.tasks import send_issue_task, start_issue_task, watch_issue_task
from tests.newsletter.conftest import make_subscriber

pytestmark = pytest.mark.django_db


def _scheduled(when: Any) -> Issue:
    make_subscriber("reader@example.org")
    issue = services.issue_create(subject="Pre-ASCO", body="Soon.", actor=OPERATOR)
    return services.issue_schedule(issue=issue, actor=OPERATOR, when=when)


def _sending() -> Issue:
    make_subscriber("reader@example.org")
    make_subscriber("other@example.org")
    issue = services.issue_create(subject="Monthly", body="News.", actor=OPERATOR)
    issue.phi_attested_at = timezone.now()
    issue.save()
    return services.issue_start_sending(issue=issue, actor=OPERATOR)


@pytest.fixture
def db_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def _queued(name: str) -> list[Any]:
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(task_path__endswith=name).order_by("enqueued_at"))


def test_start_issue_task_fills_the_outbox_once_the_time_has_come(db_tasks: None) -> None:
    when = timezone.now() + timedelta(hours=2)
    issue = _scheduled(when)

    with time_machine.travel(when + timedelta(seconds=2)):
        start_issue_task.call(issue.pk)

    issue.refresh_from_db()
    assert issue.status == "sending"
    assert list(issue.deliveries.values_list("subscriber__email", flat=True)) == [
        "reader@example.org"
    ]


def test_start_issue_task_leaves_an_issue_moved_later_or_unscheduled(db_tasks: None) -> None:
    issue = _scheduled(timezone.now() + timedelta(days=2))

    start_issue_task.call(issue.pk)  # enqueued for an earlier time, then moved
    issue.refresh_from_db()
    assert (issue.status, issue.deliveries.count()) == ("scheduled", 0)

    draft = services.issue_create(subject="Draft", body="Not yet.", actor=OPERATOR)
    start_issue_task.call(draft.pk)
    start_issue_task.call(draft.pk + 1000)  # deleted meanwhile
    draft.refresh_from_db()
    assert (draft.status, Delivery.objects.count()) == ("draft", 0)


def test_send_issue_task_does_nothing_for_an_issue_not_sending_or_sent_elsewhere(
    mailbox: Any,
) -> None:
    draft = services.issue_create(subject="Draft", body="Not yet.", actor=OPERATOR)
    send_issue_task.call(None, draft.pk)
    issue = _sending()
    services.outbox_claim(issue=issue, owner="another-worker", limit=2)

    send_issue_task.call(None, issue.pk)

    assert mailbox.messages == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}


def test_watch_issue_task_resumes_sending_when_the_run_is_gone(db_tasks: None) -> None:
    issue = _sending()

    watch_issue_task.call(issue.pk, str(uuid.uuid4()), "lost-run")

    [send] = _queued("send_issue_task")
    assert send.status == "READY"


def test_watch_issue_task_leaves_a_run_that_ended_and_an_issue_no_longer_sending(
    db_tasks: None,
) -> None:
    issue = _sending()
    run = send_issue_task.enqueue(issue.pk)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=run.id).update(status="SUCCESSFUL")
    watch_issue_task.call(issue.pk, str(run.id), "the-run")
    Issue.objects.filter(pk=issue.pk).update(status="sent")
    watch_issue_task.call(issue.pk, str(uuid.uuid4()), "the-run")

    assert len(_queued("send_issue_task")) == 1  # only the run itself
    assert _queued("watch_issue_task") == []


def test_watch_issue_task_looks_twice_at_a_run_holding_no_lease_before_resuming(
    db_tasks: None,
) -> None:
    from django_tasks_db.models import DBTaskResult

    issue = _sending()
    run = send_issue_task.enqueue(issue.pk)
    DBTaskResult.objects.filter(pk=run.id).update(status="RUNNING")

    watch_issue_task.call(issue.pk, str(run.id), "the-run")

    [again] = _queued("watch_issue_task")
    assert again.args_kwargs["args"] == [issue.pk, str(run.id), "the-run", True]
    assert len(_queued("send_issue_task")) == 1

    watch_issue_task.call(issue.pk, str(run.id), "the-run", True)

    assert len(_queued("send_issue_task")) == 2


def test_send_issue_task_hands_over_to_a_later_run_while_the_server_is_down(
    db_tasks: None, settings: Any
) -> None:
    from django.tasks import TaskContext

    from tests.smtp import _free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _free_port(), "timeout": 2},
        }
    }  # nothing listens there
    issue = _sending()
    run = send_issue_task.enqueue(issue.pk)
    before = {r.pk for r in _queued("send_issue_task")}

    send_issue_task.call(TaskContext(task_result=run), issue.pk)

    [watch] = _queued("watch_issue_task")
    assert watch.args_kwargs["args"][:2] == [issue.pk, str(run.id)]
    follow_up = [r for r in _queued("send_issue_task") if r.pk not in before]
    assert len(follow_up) == 1 and follow_up[0].run_after is not None
    assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}
    assert Delivery.objects.filter(attempts=1).count() == 1  # the one tried waits to retry
