"""Deployment checks (`hemonc check --deploy`) for what rate limits need to hold."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


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
