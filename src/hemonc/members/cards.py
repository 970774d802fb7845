"""Member cards: the piece of member markup the directory, the home page and others show."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString

from hemonc.core.caching import render_fragments
from hemonc.members.models import Profile
from hemonc.members.selectors import Viewer, profile_view, visibility_levels


def member_cards(
    *, members: list[tuple[int, int]], viewer: Viewer, version: str
) -> list[SafeString]:
    """The cards of (profile id, user id) pairs, as `viewer` may see them.

    A card is rendered once per profile, directory `version` and audience, then comes from the
    cache: only the profiles of cards not in the cache are read.
    """
    levels = sorted(visibility_levels(viewer=viewer))
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None

    def contexts(indexes: list[int]) -> list[dict[str, Any] | None]:
        profiles = Profile.objects.order_by().in_bulk([members[index][0] for index in indexes])
        shown = [profiles.get(members[index][0]) for index in indexes]
        return [
            None if profile is None else {"view": profile_view(profile=profile, viewer=viewer)}
            for profile in shown
        ]

    cards = render_fragments(
        "members/_member_card.html",
        [(version, profile_id, levels, user_id == viewer_id) for profile_id, user_id in members],
        contexts,
    )
    return [card for card in cards if card]
