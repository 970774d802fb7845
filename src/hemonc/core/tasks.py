"""Background work that belongs to no single app."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.tasks import task


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
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email, to=to, headers=headers or {}
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
