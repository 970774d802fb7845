"""Caching that cannot go stale: a key holds everything its value depends on.

Callers put a version in the key that changes with the data (`hemonc.core.versions`), so
nothing is ever invalidated by hand and every process, whatever its cache backend, sees a
change at once. Entries expire only to bound the cache's size.

These entries live in the "pages" cache (`page_cache`): each process's own memory, as fast as
a cache gets, unless CACHE_URL names Redis. Counters that every process must agree on (rate
limits) use the shared "default" cache instead (`hemonc.core.ratelimit`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import caches
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.connection import ConnectionProxy
from django.utils.safestring import SafeString, mark_safe

page_cache = ConnectionProxy(caches, "pages")

# Long enough to serve many pages, short enough for media URLs that expire (signed storage).
TIMEOUT = 600


def cache_key(prefix: str, *parts: object) -> str:
    """A short key (any cache backend takes it) for `parts`, which must repr() stably."""
    return f"{prefix}:{hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()}"


def render_fragments(
    template_name: str,
    versions: Sequence[object],
    contexts: Callable[[list[int]], list[dict[str, Any] | None]],
) -> list[SafeString]:
    """`template_name` rendered once per version, in order; all read in one cache round trip.

    A version must change whenever its fragment would render differently (the data's version,
    the object, what the viewer may see of it). `contexts(indexes)` gives the template contexts
    of the fragments that were not in the cache, so their data is loaded only when needed.
    The template's source and the URL prefix are part of every key: a changed template never
    meets fragments rendered by the old one.
    """
    if not versions:
        return []
    template = get_template(template_name)
    source = template.template.source  # type: ignore[attr-defined]  # Django's own template
    prefix = cache_key("fragment", template_name, source, get_script_prefix())
    keys = [cache_key(prefix, version) for version in versions]
    found = page_cache.get_many(keys)
    missing = [index for index, key in enumerate(keys) if key not in found]
    if missing:
        rendered = {
            keys[index]: template.render(context)
            for index, context in zip(missing, contexts(missing), strict=True)
            if context is not None
        }
        page_cache.set_many(rendered, TIMEOUT)
        found.update(rendered)
    # Rendered by an autoescaping template, here or when it was cached.
    return [mark_safe(found.get(key, "")) for key in keys]
