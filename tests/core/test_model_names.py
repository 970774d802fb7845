"""The names the admin and messages print for each kind of record read as people write them."""

from __future__ import annotations

import re

from django.apps import apps


def test_every_model_has_a_plural_people_would_write() -> None:
    wrong = []
    for model in apps.get_models():
        if not model.__module__.startswith("hemonc."):
            continue
        plural = str(model._meta.verbose_name_plural)
        if (
            re.search(r"[^aeiou]ys$", plural)  # "deliverys"
            or plural.endswith(("ss", "feedbacks"))  # "totalss", "feedbacks"
            or re.search(r"\brsvps?\b", plural)  # an abbreviation is written in capitals
        ):
            wrong.append(f"{model._meta.label}: {plural}")
    assert not wrong, "\n".join(wrong)
