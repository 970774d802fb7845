"""Steps every part of the live sessions' services uses."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from hemonc.core.errors import DomainError
from hemonc.core.permissions import Operator
from hemonc.core.timezones import is_time_zone
from hemonc.members.models import User

logger = logging.getLogger(__name__)

# A member, or the operator (commands, background work, the demo).
Actor = User | Operator


def _check_time_zone(name: str) -> None:
    if not is_time_zone(name):
        raise DomainError(f"{name!r} is not an IANA time zone (e.g. America/New_York).")


def _member(actor: Actor) -> User | None:
    """The member behind `actor`, for a `created_by`; the operator is none."""
    return actor if isinstance(actor, User) else None


def _check_fields(fields: Mapping[str, Any], changes: Any, what: str) -> None:
    """Refuse fields `changes` (a TypedDict) does not declare: the types say so to mypy, this
    says so to a caller that built its fields at run time."""
    unknown = set(fields) - (changes.__required_keys__ | changes.__optional_keys__)
    if unknown:
        raise DomainError(f"Unknown {what} fields: {', '.join(sorted(unknown))}.")
