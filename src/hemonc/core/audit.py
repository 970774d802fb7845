"""Writing the audit log: every service that changes state calls `audit`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models

from hemonc.core.models import AuditEntry


def audit(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record `action` by `actor` on `target`. `changes` must not hold personal data."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        changes=changes or {},
    )


# Who is acting, for audit rows written where no request is at hand (model signals).
_ACTOR: ContextVar[Any | None] = ContextVar("hemonc_audit_actor", default=None)


@contextmanager
def acting_as(actor: Any | None) -> Iterator[None]:
    """Name `actor` as the one acting inside the block (an admin request), for `current_actor`."""
    token = _ACTOR.set(actor)
    try:
        yield
    finally:
        _ACTOR.reset(token)


def current_actor() -> Any | None:
    """The actor of the enclosing `acting_as` block; None in commands and background work."""
    return _ACTOR.get()
