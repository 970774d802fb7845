from typing import Any

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "hemonc.events"
    label = "events"
    verbose_name = "Live sessions"
    nav_items = (("Sessions", "events:upcoming"),)

    def create_demo(self, *, stdout: Any) -> None:
        # Imported when the demo runs: the app's modules need the app registry ready.
        from hemonc.events.demo import demo_sessions_create

        demo_sessions_create(stdout=stdout)
