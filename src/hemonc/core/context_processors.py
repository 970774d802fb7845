from functools import cache

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest


@cache
def _nav_items() -> tuple[tuple[str, str, bool], ...]:
    """(label, URL name, organizers only) for the links apps declare on their AppConfig:
    `nav_items` for everyone, `organizer_nav_items` for organizers."""
    items = []
    for config in apps.get_app_configs():
        items += [(label, name, False) for label, name in getattr(config, "nav_items", ())]
        items += [(label, name, True) for label, name in getattr(config, "organizer_nav_items", ())]
    return tuple(items)


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    organizer = bool(user is not None and user.is_authenticated and user.is_organizer)
    return {
        "SITE_NAME": "Hem-Onc Network",
        "SITE_URL": settings.SITE_URL,
        "NAV_ITEMS": [
            (label, name)
            for label, name, for_organizers in _nav_items()
            if organizer or not for_organizers
        ],
    }
