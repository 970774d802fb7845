"""Writing the audit log: every service that changes state calls `audit`."""

from __future__ import annotations

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
