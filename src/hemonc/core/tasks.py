"""Background work that belongs to no single app."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.tasks import Task, task

from hemonc.core.bulkmail import MailMessage


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
