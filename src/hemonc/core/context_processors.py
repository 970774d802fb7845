from functools import cache

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest


@cache
def _nav_items() -> tuple[tuple[str, str], ...]:
    """(label, URL name) of the links apps declare in `nav_items` on their AppConfig. Pages
    for organizers are listed in their console instead (`console_links`)."""
    items: list[tuple[str, str]] = []
    for config in apps.get_app_configs():
        items += getattr(config, "nav_items", ())
    return tuple(items)


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_NAME": "Hem-Onc Network",
        "SITE_URL": settings.SITE_URL,
        "NAV_ITEMS": _nav_items(),
    }
