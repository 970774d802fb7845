from typing import Any

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def _create_cache_table(sender: AppConfig, *, using: str = "default", **kwargs: Any) -> None:
    """The database cache's table (CACHE_URL=db://) is made by `migrate`; no-op if it exists."""
    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "hemonc.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Imported once the apps are ready: registering the system checks needs the settings.
        from hemonc.core import checks  # noqa: F401

        post_migrate.connect(_create_cache_table, sender=self)
