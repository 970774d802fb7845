"""How often something may happen, counted in the shared cache so every process agrees.

A `Limit` allows `count` events per key in any `seconds`-long stretch of time. Each key has
`count` places, one cache entry each; an event takes a free place with the cache's atomic
`add`, and the place frees itself when its entry expires `seconds` later. `add` is atomic on
the shared backends: Redis (SET NX), and the database cache, whose row key is unique (its
`get_many` deletes the expired rows it reads, so a freed place is taken by an INSERT too).
Two processes never take the same place, and no counter needs reading and writing back.

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
    return [f"limit:{limit.name}:{digest}:{place}" for place in range(limit.count)]


def limit_take(limit: Limit, key: object, *, cache: BaseCache | None = None) -> bool:
    """Count one event for `key` (anything that repr()s stably); False when over the limit."""
    cache = cache or caches[CACHE_ALIAS]
    keys = _keys(limit, key)
    taken = cache.get_many(keys)
    return any(
        cache.add(place, time.time(), timeout=limit.seconds) for place in keys if place not in taken
    )


def limit_consume(limit: Limit, key: object, *, cache: BaseCache | None = None) -> None:
    """Count one event for `key`, or raise `RateLimited` with the limit's message."""
    if not limit_take(limit, key, cache=cache):
        raise RateLimited(limit.message)
