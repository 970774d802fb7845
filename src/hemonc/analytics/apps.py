from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "hemonc.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from hemonc.analytics import rules  # noqa: F401
