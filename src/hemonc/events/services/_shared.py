"""Steps every part of the live sessions' services uses."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.utils import timezone

from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.timezones import is_time_zone
from hemonc.members.models import User

logger = logging.getLogger(__name__)


def _require_organizer(actor: User | None) -> None:
    if actor is not None and not actor.is_organizer:
        raise PermissionDenied("Only organizers can do this.")


def _check_time_zone(name: str) -> None:
    if not is_time_zone(name):
        raise DomainError(f"{name!r} is not an IANA time zone (e.g. America/New_York).")


def _enqueue_at(task: Any, when: datetime, *args: Any) -> None:
    """Enqueue `task` to run at `when`, on a backend that can defer work.

    The ImmediateBackend (unit tests) cannot wait, and running a reminder at once would be
    wrong, so nothing is enqueued there.
    """
    if not task.get_backend().supports_defer:
        logger.debug("tasks backend cannot defer: %s not scheduled", task.name)
        return
    task.using(run_after=max(when, timezone.now())).enqueue(*args)
