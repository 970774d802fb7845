"""django-allauth hooks: account mails go out through the task worker."""

from __future__ import annotations

from functools import partial
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from hemonc.core.tasks import send_email_task


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", [])
             if mimetype == "text/html"),
            None,
        )  # fmt: skip
        transaction.on_commit(
            partial(
                send_email_task.enqueue,
                subject=str(message.subject),
                body=str(message.body),
                html=html,
                from_email=str(message.from_email),
                to=list(message.to),
                headers={k: str(v) for k, v in message.extra_headers.items()},
            )
        )
