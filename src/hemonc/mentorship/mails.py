"""The mails of mentorship: each is a subject, a text template and the shared HTML wrapper."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from hemonc.core.tasks import enqueue_on_commit, send_email_task
from hemonc.core.text import text_as_html

SUBJECTS = {
    "request_received": "{mentee} asks you to be their mentor",
    "request_accepted": "{mentor} accepted your mentorship request",
    "request_declined": "Your mentorship request to {mentor}",
    "new_message": "New message from {author}",
    "checkin": "Time for a mentorship check-in with {other}",
    "ended": "Your mentorship with {other} has ended",
    "completed": "Your mentorship with {other} is complete",
    "program_match": "Your match in {program}",
}


def send_mentorship_mail(*, to: Any, kind: str, context: dict[str, Any]) -> None:
    """Render the mail of `kind` for member `to` and queue it once the transaction commits."""
    context = {"site_url": settings.SITE_URL, "recipient": to, **context}
    names = {key: str(value) for key, value in context.items()}
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + SUBJECTS[kind].format_map(names)
    text = render_to_string(f"mentorship/email/{kind}.txt", context)
    # Names, notes and messages are what members typed: text, escaped in the HTML part.
    html = render_to_string(
        "mentorship/email/message.html", {"subject": subject, "body": text_as_html(text)}
    )
    enqueue_on_commit(
        send_email_task,
        subject=subject,
        body=text,
        html=html,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to.email],
    )
