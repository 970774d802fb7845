"""Reads of the weekly digest: who asked for it."""

from __future__ import annotations

from hemonc.community.models.digest import DigestSubscription


def digest_subscribed(*, user_id: int) -> bool:
    return DigestSubscription.objects.filter(user_id=user_id, weekly=True).exists()
