"""Guests, and finding the guest an organizer names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.text import one_line
from hemonc.events.models import Guest
from hemonc.events.services._shared import _require_organizer
from hemonc.members.models import User


@transaction.atomic
def guest_create(
    *, actor: User | None, name: str, member: User | None = None, **fields: Any
) -> Guest:
    _require_organizer(actor)
    allowed = {"title", "bio", "handle", "photo"}
    if set(fields) - allowed:
        raise DomainError(f"Unknown guest fields: {', '.join(sorted(set(fields) - allowed))}.")
    if member is not None and Guest.objects.filter(member=member).exists():
        raise DomainError(f"{member} is already a guest.")
    _one_line_guest_fields(fields)
    guest = Guest.objects.create(name=one_line(name), member=member, **fields)
    audit(actor=actor, action="guest.create", target=guest)
    return guest


@transaction.atomic
def guest_update(*, guest: Guest, actor: User | None, **fields: Any) -> Guest:
    _require_organizer(actor)
    allowed = {"name", "title", "bio", "handle", "photo", "member"}
    if set(fields) - allowed:
        raise DomainError(f"Unknown guest fields: {', '.join(sorted(set(fields) - allowed))}.")
    _one_line_guest_fields(fields)
    changed = sorted(name for name, value in fields.items() if getattr(guest, name) != value)
    for name, value in fields.items():
        setattr(guest, name, value)
    guest.save()
    audit(actor=actor, action="guest.update", target=guest, changes={"fields": changed})
    return guest


def _one_line_guest_fields(fields: dict[str, Any]) -> None:
    for name in ("name", "title", "handle"):
        if isinstance(fields.get(name), str):
            fields[name] = one_line(fields[name])


def guest_for_name(*, name: str) -> Guest:
    """The guest an organizer names, by a key members cannot choose. Runs inside the caller's
    transaction.

    A member's email address links that member (their guest, created when new); any other text
    is the name of a guest (an existing one of that name, else a new external guest). A
    member's display name never links them: they choose it, and could take a guest's.
    """
    return guests_for_names(names=[name])[_guest_key(name)]


def _guest_key(name: str) -> str:
    return one_line(name).lower()


class UnknownGuestAddress(DomainError):
    """A guest given by an email address that no active member has."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(f"no member has the address {address}")


# Names looked up per query: far below the parameters SQLite and PostgreSQL take.
_NAMES_PER_QUERY = 20_000


def _chunks(keys: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(keys), _NAMES_PER_QUERY):
        yield keys[start : start + _NAMES_PER_QUERY]


def guests_for_names(*, names: Iterable[str]) -> dict[str, Guest]:
    """`guest_for_name` for many names at once, in a number of queries that does not grow
    with the names (one for the members given by address, one for their guests, one for the
    guests given by name, one insert of the new ones): each name's guest, keyed by
    `_guest_key`. An address of no member raises `UnknownGuestAddress` before anything is
    created. Runs inside the caller's transaction."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(_guest_key(name), one_line(name))
    addresses = [key for key in wanted if "@" in key]
    plain = [key for key in wanted if "@" not in key]
    found: dict[str, Guest] = {}
    new: list[Guest] = []
    if addresses:
        members: dict[str, User] = {}
        for chunk in _chunks(addresses):
            matches = (
                User.objects.filter(is_active=True)
                .annotate(email_key=Lower("email"))
                .filter(email_key__in=chunk)
                .select_related("profile")
                .order_by("id")
            )
            for match in matches:
                members.setdefault(match.email_key, match)
        missing = [key for key in addresses if key not in members]
        if missing:
            raise UnknownGuestAddress(wanted[missing[0]])
        by_member = {
            guest.member_id: guest
            for guest in Guest.objects.filter(member__in=[m.pk for m in members.values()])
        }
        for key, member in members.items():
            guest = by_member.get(member.pk)
            if guest is None:
                guest = by_member[member.pk] = Guest(member=member, name=str(member))
                new.append(guest)
            found[key] = guest
    for chunk in _chunks(plain):
        named = Guest.objects.annotate(name_key=Lower("name")).filter(name_key__in=chunk)
        for guest in named.order_by("id"):
            found.setdefault(guest.name_key, guest)
    for key in plain:
        if key not in found:
            found[key] = Guest(name=wanted[key])
            new.append(found[key])
    Guest.objects.bulk_create(new)
    return found
