"""Writes of the moderation app: the code of conduct's versions and their acceptance."""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import require
from hemonc.core.updates import model_update
from hemonc.moderation.models import ConductAcceptance, ConductVersion
from hemonc.moderation.selectors import conduct_current


class ConductChanges(TypedDict, total=False):
    body: str
    changes: str


@transaction.atomic(durable=True)
def conduct_draft_create(*, actor: Any, body: str, changes: str = "") -> ConductVersion:
    """A new draft, numbered after the last version (published or not)."""
    require(actor, "moderation.manage_conduct")
    number = (ConductVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ConductVersion.objects.create(number=number, body=body, changes=changes)
    audit(actor=actor, action="conduct.draft", target=version)
    return version


@transaction.atomic(durable=True)
def conduct_draft_update(
    *, version: ConductVersion, actor: Any, **fields: Unpack[ConductChanges]
) -> ConductVersion:
    require(actor, "moderation.manage_conduct")
    version = ConductVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise DomainError("A published version stays as members accepted it: write a new one.")
    changed = model_update(version, fields)
    if changed:
        version.save()
        audit(actor=actor, action="conduct.update", target=version, changes={"fields": changed})
    return version


@transaction.atomic(durable=True)
def conduct_publish(*, version: ConductVersion, actor: Any) -> ConductVersion:
    """Publish a draft: from now on every member accepts it before posting again. The
    organizer who publishes it accepts it by doing so."""
    require(actor, "moderation.manage_conduct")
    version = ConductVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise DomainError(f"Version {version.number} is already published.")
    current = conduct_current()
    if current is not None and current.number > version.number:
        raise DomainError(f"Version {current.number} is newer: write a new draft instead.")
    if not version.body.strip():
        raise DomainError("The code of conduct is empty.")
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.save(update_fields=["published_at", "published_by", "updated_at"])
    audit(actor=actor, action="conduct.publish", target=version)
    if getattr(actor, "pk", None):
        ConductAcceptance.objects.get_or_create(user=actor, version=version)
    return version


@transaction.atomic(durable=True)
def conduct_accept(*, user: Any, version: ConductVersion) -> ConductAcceptance:
    """Record that `user` accepts `version` (once; accepting again changes nothing)."""
    require(user, "moderation.accept_conduct")
    if not version.is_published:
        raise DomainError("Only a published version can be accepted.")
    current = conduct_current()
    if current is not None and current.pk != version.pk:
        raise DomainError(
            f"Version {current.number} replaced this one: read and accept it instead."
        )
    try:
        with transaction.atomic():
            acceptance = ConductAcceptance.objects.create(user=user, version=version)
    except IntegrityError:
        return ConductAcceptance.objects.get(user=user, version=version)
    audit(actor=user, action="conduct.accept", target=version)
    return acceptance
