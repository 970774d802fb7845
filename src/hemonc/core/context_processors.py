from functools import cache

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest


@cache
def _nav_items() -> tuple[tuple[str, str], ...]:
    """(label, URL name) pairs that apps declare as `nav_items` on their AppConfig."""
    return tuple(
        item for config in apps.get_app_configs() for item in getattr(config, "nav_items", ())
    )


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_NAME": "Hem-Onc Network",
        "SITE_URL": settings.SITE_URL,
        "NAV_ITEMS": _nav_items(),
    }
