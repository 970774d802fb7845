from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "hemonc.analytics"
    label = "analytics"
    verbose_name = "Analytics"
    organizer_nav_items = (("Analytics", "analytics:dashboard"),)
    console_links = (
        ("Dashboard", "analytics:dashboard", "Outreach, sessions and the newsletter at a glance."),
        ("Network report", "analytics:report", "The figures organizers publish, as PDF or text."),
    )

    def ready(self) -> None:
        # Imported here: an app's configuration loads before the models and the other modules.
        from hemonc.analytics import rules  # noqa: F401
