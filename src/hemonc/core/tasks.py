"""Background work that belongs to no single app."""

from __future__ import annotations

from django.tasks import task

from hemonc.core.bulkmail import MailMessage


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
    """Send one rendered message; a failure is retried by running the task again."""
    message = MailMessage(
        subject=subject, body=body, from_email=from_email, to=to, headers=headers or {}
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
