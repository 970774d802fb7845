"""Signed links in mails: confirm a visitor's RSVP (expires), manage or cancel an RSVP."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

CONFIRM_SALT = "hemonc.events.rsvp-confirm"
MANAGE_SALT = "hemonc.events.rsvp-manage"
CONFIRM_MAX_AGE = timedelta(days=2)


def confirm_token(*, rsvp_id: int, email: str) -> str:
    return signing.dumps({"rsvp": rsvp_id, "email": email.lower()}, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> tuple[int, str] | None:
    """(rsvp id, email) of a valid, unexpired confirmation token; None otherwise."""
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(value, dict) or not isinstance(value.get("rsvp"), int):
        return None
    return value["rsvp"], str(value.get("email", ""))


def manage_token(*, rsvp_id: int) -> str:
    return signing.dumps({"rsvp": rsvp_id}, salt=MANAGE_SALT)


def read_manage_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("rsvp"), int):
        return None
    return value["rsvp"]
