"""One way for a service to change a row's fields and say which changed (for the audit log).

Services declare the fields they accept as a `TypedDict` and take them as
`**fields: Unpack[SessionChanges]`, so callers are type-checked; `model_update` then sets
them and answers which actually changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models


def model_update(instance: models.Model, fields: Mapping[str, Any]) -> list[str]:
    """Set `fields` on `instance` (not saved) and return the names whose value changed, sorted."""
    changed = sorted(name for name, value in fields.items() if getattr(instance, name) != value)
    for name, value in fields.items():
        setattr(instance, name, value)
    return changed
