"""Background work that belongs to no single app."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.tasks import Task, task
from django.utils import timezone

from hemonc.core.bulkmail import MailMessage

logger = logging.getLogger(__name__)


def enqueue_later(task: Task[Any, Any], when: datetime, /, *args: Any, **kwargs: Any) -> bool:
    """Enqueue `task` on commit to run at `when` (at once if it is past), on a backend that can
    defer work; True when it was queued.

    The immediate backend of unit tests cannot wait, and running scheduled work at once would
    be wrong, so nothing is enqueued there.
    """
    if not task.get_backend().supports_defer:
        logger.debug("tasks backend cannot defer: %s not scheduled", task.name)
        return False
    enqueue_on_commit(task.using(run_after=max(when, timezone.now())), *args, **kwargs)
    return True


def enqueue_on_commit(task: Task[Any, Any], /, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task` once the current transaction commits (at once outside one).

    A task enqueued inside the transaction could run before its rows are visible, or after
    they were rolled back.
    """
    transaction.on_commit(partial(task.enqueue, *args, **kwargs))


@task()
def send_email_task(
    *,
    subject: str,
    body: str,
    html: str | None,
    from_email: str,
    to: list[str],
    headers: dict[str, str] | None = None,
) -> None:
    """Send one rendered message; a failure is retried by running the task again.

    Every mail through here is written by the platform, not a person: it says so
    (`Auto-Submitted: auto-generated`, RFC 3834), so automatic replies leave it alone.
    """
    message = MailMessage(
        subject=subject,
        body=body,
        from_email=from_email,
        to=to,
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
