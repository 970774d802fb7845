"""Validators for profile fields."""

from __future__ import annotations

import re
import warnings
from typing import IO

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

# An avatar is stored at 512 x 512: no photo needs more than this per side. Decoding costs
# width x height x 4 bytes and more for each copy, so the limit is checked on the header,
# before a single pixel is decoded.
AVATAR_MAX_SIDE = 4096
# Pillow refuses to open anything over twice this (DecompressionBombError); no image this
# site decodes is larger than an avatar may be.
Image.MAX_IMAGE_PIXELS = AVATAR_MAX_SIDE * AVATAR_MAX_SIDE

_ORCID = re.compile(r"^(\d{4})-(\d{4})-(\d{4})-(\d{3}[\dX])$")


def orcid_check_character(base_digits: str) -> str:
    """The last character of an ORCID iD from its first 15 digits (ISO 7064 MOD 11-2)."""
    total = 0
    for char in base_digits:
        total = (total + int(char)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def orcid_checksum_ok(orcid: str) -> bool:
    digits = orcid.replace("-", "")
    return digits[-1] == orcid_check_character(digits[:-1])


def normalize_orcid(value: str) -> str:
    value = value.strip().upper()
    for prefix in ("HTTPS://ORCID.ORG/", "HTTP://ORCID.ORG/", "ORCID.ORG/"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value


def validate_orcid(value: str) -> None:
    orcid = normalize_orcid(value)
    if not _ORCID.match(orcid):
        raise ValidationError("An ORCID iD looks like 0000-0002-1825-0097.", code="orcid_format")
    if not orcid_checksum_ok(orcid):
        raise ValidationError(
            "This ORCID iD's check digit is wrong: please copy it again from orcid.org.",
            code="orcid_checksum",
        )


def validate_image_dimensions(file: IO[bytes]) -> None:
    """Refuse an image whose header claims more than AVATAR_MAX_SIDE pixels on a side.

    Pillow opens lazily: only the header is read. A file that is not an image passes here;
    the image checks that follow say so."""
    limit = f"at most {AVATAR_MAX_SIDE} x {AVATAR_MAX_SIDE} pixels, please"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as probe:
                width, height = probe.size
    except Image.DecompressionBombError:
        raise ValidationError(
            f"The photo has too many pixels: {limit}.", code="image_size"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return
    finally:
        file.seek(0)
    if width > AVATAR_MAX_SIDE or height > AVATAR_MAX_SIDE:
        raise ValidationError(
            f"The photo is {width} x {height} pixels: {limit}.", code="image_size"
        )
