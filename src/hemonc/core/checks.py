"""System checks of the configuration.

The secret key signs sessions, password resets and the links in mails. Settings load without
it, so `--help` and the commands that work on files alone run anywhere; every process that
uses it stops at start-up instead: the web server (`hemonc.wsgi`, `hemonc.asgi`), and every
command that runs the system checks (the task worker, `migrate`, `check`, ...).

`hemonc check --deploy` also warns when rate limits would not hold across processes, and
stops when the key that encrypts the social accounts' secrets is missing (core.secrets).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from hemonc.core import secrets

NO_SECRET_KEY_MESSAGE = "DJANGO_SECRET_KEY must be set."  # noqa: S105  (a message)


def secret_key_configured() -> bool:
    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        return False


@checks.register()
def secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if secret_key_configured():
        return []
    return [
        checks.Error(
            NO_SECRET_KEY_MESSAGE,
            hint="Set it to a long random string, kept secret and stable (docs/operations.md).",
            id="hemonc.E001",
        )
    ]


def require_secret_key() -> None:
    """Stop a serving process at start-up when it has no secret key."""
    if not secret_key_configured():
        raise ImproperlyConfigured(NO_SECRET_KEY_MESSAGE)


@checks.register(checks.Tags.security, deploy=True)
def check_shared_limits(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    warnings: list[checks.CheckMessage] = []
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        warnings.append(
            checks.Warning(
                "The default cache is not shared between processes, so every web worker and "
                "task worker counts sign-in failures and mails on its own.",
                hint="Unset CACHE_URL (the database keeps the counts) or set it to redis://.",
                id="hemonc.W001",
            )
        )
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.TRUSTED_PROXIES:
        warnings.append(
            checks.Warning(
                "DJANGO_BEHIND_PROXY is on but TRUSTED_PROXIES is empty: every visitor has the "
                "proxy's address, and one visitor's failed sign-ins lock everyone out.",
                hint="Set TRUSTED_PROXIES to the proxy's address or network.",
                id="hemonc.W002",
            )
        )
    return warnings


@checks.register(checks.Tags.security, deploy=True)
def check_secrets_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    keys = secrets.configured_keys()
    if not keys:
        return [
            checks.Error(
                secrets.NO_KEY_MESSAGE,
                hint="Set it to a long random string and back it up apart from the database "
                "(docs/operations.md, Secrets).",
                id="hemonc.E002",
            )
        ]
    if len(keys[0]) < secrets.MIN_KEY_LENGTH:
        return [
            checks.Warning(
                f"{secrets.ENV} is shorter than {secrets.MIN_KEY_LENGTH} characters.",
                hint="Use a long random string, e.g. secrets.token_urlsafe(32).",
                id="hemonc.W003",
            )
        ]
    return []
