"""Guests, and finding the guest an organizer names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypedDict, Unpack

from django.core.files import File
from django.db import transaction
from django.db.models.functions import Lower

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import require
from hemonc.core.text import one_line
from hemonc.core.updates import model_update
from hemonc.events.models import Guest
from hemonc.events.services._shared import Actor, _check_fields
from hemonc.members.models import User


class GuestFields(TypedDict, total=False):
    title: str
    bio: str
    handle: str
    photo: File | str


class GuestChanges(GuestFields, total=False):
    name: str
    member: User | None


@transaction.atomic(durable=True)
def guest_create(
    *, actor: Actor, name: str, member: User | None = None, **fields: Unpack[GuestFields]
) -> Guest:
    require(actor, "events.manage_sessions")
    _check_fields(fields, GuestFields, "guest")
    if member is not None and Guest.objects.filter(member=member).exists():
        raise DomainError(f"{member} is already a guest.")
    _one_line_guest_fields(fields)
    guest = Guest.objects.create(name=one_line(name), member=member, **fields)
    audit(actor=actor, action="guest.create", target=guest)
    return guest


@transaction.atomic(durable=True)
def guest_update(*, guest: Guest, actor: Actor, **fields: Unpack[GuestChanges]) -> Guest:
    require(actor, "events.manage_sessions")
    _check_fields(fields, GuestChanges, "guest")
    member = fields.get("member")
    if member is not None and Guest.objects.filter(member=member).exclude(pk=guest.pk).exists():
        raise DomainError(f"{member} is already a guest.")
    _one_line_guest_fields(fields)
    if "name" in fields:
        fields["name"] = one_line(fields["name"])
    changed = model_update(guest, fields)
    guest.save()
    audit(actor=actor, action="guest.update", target=guest, changes={"fields": changed})
    return guest


def _one_line_guest_fields(fields: GuestFields) -> None:
    if "title" in fields:
        fields["title"] = one_line(fields["title"])
    if "handle" in fields:
        fields["handle"] = one_line(fields["handle"])


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


def _guests_for_names(*, names: Iterable[str]) -> dict[str, Guest]:
    """The guests an organizer names, by a key members cannot choose: each name's guest, keyed
    by `_guest_key`, in a number of queries that does not grow with the names (one for the
    members given by address, one for their guests, one for the guests given by name, one
    insert of the new ones). An address of no member raises `UnknownGuestAddress` before
    anything is created. Runs inside the caller's transaction.

    A member's email address links that member (their guest, created when new); any other text
    is the name of a guest (an existing one of that name, else a new external guest). A
    member's display name never links them: they choose it, and could take a guest's.
    """
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
