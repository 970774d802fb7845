"""Row ids typed or sent by people, read safely: forms and views of every app use these.

`int()` takes more than ASCII digits ("²³".isdigit() is true, yet int("²³") fails), and a
number beyond 64 bits cannot even be bound as a query parameter on SQLite. Both were server
errors; here they are simply not ids.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

# The largest primary key any supported database stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def parse_id(value: Any) -> int | None:
    """`value` as a row id (1 to MAX_ID), or None when it is anything else."""
    text = str(value).strip() if value is not None else ""
    if not text.isdecimal() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class ModelChoiceField(forms.ModelChoiceField[Any]):
    """Django's field, turning down a key that is no possible id before the database sees it
    (SQLite cannot bind a number past 64 bits: Django's own field answers 500 to one)."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField[Any]):
    """Django's field, turning down a key that is no possible id before it reaches the
    database (Django's own check lets through numbers too large to bind)."""

    def clean(self, value: Any) -> Any:
        meta = self.queryset.model._meta if self.queryset is not None else None
        key = meta and (meta.get_field(self.to_field_name) if self.to_field_name else meta.pk)
        if isinstance(key, models.IntegerField) and isinstance(value, list | tuple):
            for item in value:
                if parse_id(item) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": item},
                    )
        return super().clean(value)
