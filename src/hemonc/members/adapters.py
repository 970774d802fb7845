"""django-allauth hooks: account mails go out through the task worker; limits key on the client.

allauth's rate limits (ACCOUNT_RATE_LIMITS) count in the default cache, shared by every
process, under the client's address as trusted proxies report it (`core.client`). Failed
sign-ins count per client address and per account *from that address*, so nobody elsewhere
can lock a member out of their account by failing on purpose.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from hemonc.core.client import client_ip
from hemonc.core.tasks import enqueue_on_commit, send_email_task


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """The member's home, or the welcome until they have seen it once. A `?next=` given
        to the sign-in goes first (allauth asks here only without one)."""
        profile = getattr(request.user, "profile", None)
        if profile is not None and profile.welcomed_at is None:
            return reverse("members:welcome")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return self.get_login_redirect_url(request)

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth's key for the "/key" part of ACCOUNT_RATE_LIMITS["login_failed"] (the
        # account); the client address joins it (tests/members/test_adapters.py pins this).
        return (
            f"{super()._get_login_attempts_cache_key(request, **credentials)}@{client_ip(request)}"
        )

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", [])
             if mimetype == "text/html"),
            None,
        )  # fmt: skip
        enqueue_on_commit(
            send_email_task,
            subject=str(message.subject),
            body=str(message.body),
            html=html,
            from_email=str(message.from_email),
            to=list(message.to),
            headers={k: str(v) for k, v in message.extra_headers.items()},
        )
