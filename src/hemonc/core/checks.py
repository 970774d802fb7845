"""System checks of the configuration that only some processes need.

The secret key signs sessions, password resets and the links in mails. Settings load without
it, so `--help` and the commands that work on files alone run anywhere; every process that
uses it stops at start-up instead: the web server (`hemonc.wsgi`, `hemonc.asgi`), and every
command that runs the system checks (the task worker, `migrate`, `check`, ...).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

NO_SECRET_KEY_MESSAGE = "DJANGO_SECRET_KEY must be set."  # noqa: S105  (a message)


def secret_key_configured() -> bool:
    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        return False


@register()
def secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if secret_key_configured():
        return []
    return [
        Error(
            NO_SECRET_KEY_MESSAGE,
            hint="Set it to a long random string, kept secret and stable (docs/operations.md).",
            id="hemonc.E001",
        )
    ]


def require_secret_key() -> None:
    """Stop a serving process at start-up when it has no secret key."""
    if not secret_key_configured():
        raise ImproperlyConfigured(NO_SECRET_KEY_MESSAGE)
