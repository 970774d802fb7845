"""Checks of values read from import files, so a file cannot put into the database what
PostgreSQL refuses or what would be wrong: NUL and control characters, text longer than its
column, numbers past the column's range, times outside the years 1-9999, bad addresses.

Each check returns the clean value or raises `BadValue`, whose message says what is wrong;
each importer turns it into its own error naming the file, the line and the field.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

INTEGER_MAX = 2**31 - 1  # integer / PositiveIntegerField
BIGINT_MAX = 2**63 - 1  # bigint / BigIntegerField
EMAIL_MAX = 254  # RFC 5321: the longest address a mail can be sent to
# C0 controls but tab, line feed and carriage return (whitespace), DEL and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class BadValue(ValueError):
    """A value a field cannot hold; the message says why."""


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def text(value: str, *, max_length: int | None = None) -> str:
    """Text without NUL or control characters, at most `max_length` characters."""
    bad = _CONTROL.search(value)
    if bad:
        character = "a NUL character" if bad[0] == "\x00" else f"the control character {bad[0]!r}"
        raise BadValue(f"contains {character}")
    if max_length is not None and len(value) > max_length:
        raise BadValue(f"is {len(value):,} characters long; at most {max_length} fit")
    return value


def whole_number(value: int, *, low: int = 0, high: int = BIGINT_MAX) -> int:
    if not low <= value <= high:
        raise BadValue(f"{value} is not between {low} and {high:,}")
    return value


def moment(value: datetime) -> datetime:
    """An aware time in UTC that every zone can show (years 2 to 9998 in UTC)."""
    if value.tzinfo is None:
        raise BadValue("the time has no UTC offset")
    try:
        in_utc = value.astimezone(UTC)
    except OverflowError:
        raise BadValue(f"{value.isoformat()} is out of range") from None
    if not 1 < in_utc.year < 9999:
        raise BadValue(f"{value.isoformat()} is out of range")
    return in_utc


def day(value: date) -> date:
    if not 1 < value.year < 9999:
        raise BadValue(f"{value.isoformat()} is out of range")
    return value


def email(value: str) -> str:
    """A lowercase email address of at most 254 characters."""
    address = text(value.strip()).lower()
    if len(address) > EMAIL_MAX:
        raise BadValue(f"the address is {len(address)} characters long; at most {EMAIL_MAX} fit")
    try:
        validate_email(address)
    except ValidationError:
        raise BadValue(f"{_shown(value)} is not an email address") from None
    return address


def ip_address(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise BadValue(f"{_shown(value)} is not an IP address") from None
