"""Markup every template shares: only attributes that HTML allows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

import hemonc
from tests.factories import make_member

SOURCE = Path(hemonc.__file__).resolve().parent
# An htmx attribute without the data- prefix: `hx-get`, not `data-hx-get`.
BARE_HTMX = re.compile(r"(?<![\w-])hx-[a-z]+(?:-[a-z]+)*\s*=")


def test_templates_write_htmx_attributes_as_valid_data_attributes() -> None:
    offenders = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in sorted(SOURCE.rglob("templates/**/*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if BARE_HTMX.search(line)
    ]

    assert offenders == []


@pytest.mark.django_db
def test_directory_page_drives_htmx_through_data_attributes(client) -> None:
    client.force_login(make_member(display_name="Ada Reader"))

    page = client.get(reverse("members:directory")).content.decode()

    assert f'data-hx-get="{reverse("members:directory")}"' in page
    assert 'data-hx-target="#results"' in page
    assert not BARE_HTMX.search(page)
