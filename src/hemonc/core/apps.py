from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hemonc.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from hemonc.core import checks  # noqa: F401  (registers the system checks)
