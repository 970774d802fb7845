"""Signed links in mails: confirm a visitor's RSVP (expires), manage or cancel an RSVP.

Each link holds an RSVP's id and a signature, nothing else readable."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

from hemonc.events.models import Rsvp

CONFIRM_SALT = "hemonc.events.rsvp-confirm"
MANAGE_SALT = "hemonc.events.rsvp-manage"
CONFIRM_MAX_AGE = timedelta(days=2)


def _confirm_signer(email: str) -> signing.TimestampSigner:
    # The address is part of the key, not of the link: the link holds only the RSVP's id.
    return signing.TimestampSigner(salt=f"{CONFIRM_SALT}:{email.lower()}")


def confirm_token(*, rsvp_id: int, email: str) -> str:
    """The RSVP's id, signed with its address and the time: nothing in it is readable but
    the id, and it stops working when the address changes or after two days."""
    return _confirm_signer(email).sign(str(rsvp_id))


def read_confirm_token(token: str) -> tuple[int, str] | None:
    """(rsvp id, email) of a valid, unexpired confirmation token; None otherwise."""
    rsvp_id = token.partition(":")[0]
    if not rsvp_id.isdigit():
        return _read_legacy_confirm_token(token)
    email = (
        Rsvp.objects.filter(pk=int(rsvp_id), user__isnull=True)
        .values_list("email", flat=True)
        .first()
    )
    if email is None:
        return None
    try:
        _confirm_signer(email).unsign(token, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    return int(rsvp_id), email


def _read_legacy_confirm_token(token: str) -> tuple[int, str] | None:
    """A link mailed before links held only the id (a signed payload with the address)."""
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
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
