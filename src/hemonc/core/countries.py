"""Countries by ISO 3166-1 alpha-2 code, from pycountry."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def country_choices() -> list[tuple[str, str]]:
    return sorted(
        ((c.alpha_2, getattr(c, "common_name", c.name)) for c in pycountry.countries),
        key=lambda pair: pair[1],
    )


@cache
def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    return getattr(country, "common_name", country.name) if country else ""


def country_flag(code: str) -> str:
    """The flag emoji of a two-letter country code."""
    code = (code or "").upper()
    if len(code) != 2 or not code.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code)
