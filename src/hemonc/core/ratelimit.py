"""How often something may happen, counted in the shared cache so every process agrees.

A `Limit` allows `count` events per key in each window of `seconds`; each key's windows start
at an offset of their own, so keys do not all reset at once. An event takes one of the
window's `count` places with the cache's atomic `add` of a key never used before, which
stores only when the key is absent: Redis's SET NX, and an INSERT into the database cache,
whose row key is unique. A place is never taken again once it expires (the next window's keys
are new), because neither `add` on an expired row nor the database cache's clean-up of
expired rows is atomic there. So two processes never take the same place, and no counter is
read and written back. The price of windows: a burst across a window's edge may see up to
twice `count`.

The cache is the `default` one: shared by every web and task process (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import BaseCache, caches

from hemonc.core.errors import RateLimited

CACHE_ALIAS = "default"


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int
    message: str = "You did this too often just now. Please wait a little and try again."


def _keys(limit: Limit, key: object) -> list[str]:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()
    offset = int(digest[:8], 16) % limit.seconds
    window = int((time.time() + offset) // limit.seconds)
    return [f"limit:{limit.name}:{digest}:{window}:{place}" for place in range(limit.count)]


def limit_take(limit: Limit, key: object, *, cache: BaseCache | None = None) -> bool:
    """Count one event for `key` (anything that repr()s stably); False when over the limit."""
    cache = cache or caches[CACHE_ALIAS]
    return any(cache.add(place, 1, timeout=limit.seconds) for place in _keys(limit, key))


def limit_consume(limit: Limit, key: object, *, cache: BaseCache | None = None) -> None:
    """Count one event for `key`, or raise `RateLimited` with the limit's message."""
    if not limit_take(limit, key, cache=cache):
        raise RateLimited(limit.message)
