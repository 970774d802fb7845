"""Validators for profile fields."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_ORCID = re.compile(r"^(\d{4})-(\d{4})-(\d{4})-(\d{3}[\dX])$")


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2, as ORCID specifies for the last character of an iD."""
    digits = orcid.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    result = (12 - total % 11) % 11
    check = "X" if result == 10 else str(result)
    return digits[-1] == check


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
