"""Counts about people beyond organizers: a group under 5 is shown as "<5"."""

from __future__ import annotations

SMALL_GROUP = 5


def is_small_group(count: int) -> bool:
    """A group that could point at a person: some, but fewer than `SMALL_GROUP`."""
    return 0 < count < SMALL_GROUP


def count_for_display(count: int, *, exact: bool) -> int | str:
    """`count`, or "<5" for a small group unless the viewer may see exact counts."""
    if not exact and is_small_group(count):
        return f"<{SMALL_GROUP}"
    return count
