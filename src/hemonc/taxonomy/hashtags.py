"""Hashtag rules: normalizing tags and recognizing conference tags such as #ASH21."""

from __future__ import annotations

import re
from typing import NamedTuple

CONFERENCE_SOCIETIES = {"ash": "ASH", "asco": "ASCO", "eha": "EHA", "esmo": "ESMO",
                        "bmttandem": "BMTTandem"}  # fmt: skip
_CONFERENCE = re.compile(r"^(ash|asco|eha|esmo|bmttandem)(\d{2}|\d{4})$", re.IGNORECASE)


class ConferenceTag(NamedTuple):
    society: str
    year: int

    @property
    def hashtag(self) -> str:
        return f"{self.society}{self.year % 100:02d}"


def normalize_hashtag(tag: str) -> str:
    """'#BCSM ' -> 'BCSM' (the # and spaces removed, case kept)."""
    return tag.strip().lstrip("#").strip()


def conference_tag(tag: str) -> ConferenceTag | None:
    """#ASH21, #ASCO2022, #BMTTandem23 -> the society and the four-digit year."""
    match = _CONFERENCE.match(normalize_hashtag(tag))
    if not match:
        return None
    society, year = match.groups()
    number = int(year)
    return ConferenceTag(
        CONFERENCE_SOCIETIES[society.lower()], 2000 + number if number < 100 else number
    )
