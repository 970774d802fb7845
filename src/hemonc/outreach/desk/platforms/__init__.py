"""Cross-posting adapters: one per platform, each speaking that platform's documented API.

`adapter_for(connection)` picks the adapter; see `base` for the shared vocabulary.
"""

from hemonc.outreach.desk.platforms.base import (
    Adapter,
    Connection,
    Image,
    Part,
    PermanentError,
    PublishError,
    Ref,
    TemporaryError,
    adapter_for,
    new_key,
)

__all__ = [
    "Adapter",
    "Connection",
    "Image",
    "Part",
    "PermanentError",
    "PublishError",
    "Ref",
    "TemporaryError",
    "adapter_for",
    "new_key",
]
