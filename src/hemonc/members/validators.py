"""Validators for profile fields."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_ORCID = re.compile(r"^(\d{4})-(\d{4})-(\d{4})-(\d{3}[\dX])$")


def orcid_check_character(base_digits: str) -> str:
    """The last character of an ORCID iD from its first 15 digits (ISO 7064 MOD 11-2)."""
    total = 0
    for char in base_digits:
        total = (total + int(char)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def orcid_checksum_ok(orcid: str) -> bool:
    digits = orcid.replace("-", "")
    return digits[-1] == orcid_check_character(digits[:-1])


def normalize_orcid(value: str) -> str:
    value = value.strip().upper()
    for prefix in ("HTTPS://ORCID.ORG/", "HTTP://ORCID.ORG/", "ORCID.ORG/"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value


def validate_orcid(value: str) -> None:
    orcid = normalize_orcid(value)
    if not _ORCID.match(orcid):
        raise ValidationError("An ORCID iD looks like 0000-0002-1825-0097.", code="orcid_format")
    if not orcid_checksum_ok(orcid):
        raise ValidationError(
            "This ORCID iD's check digit is wrong: please copy it again from orcid.org.",
            code="orcid_checksum",
        )
