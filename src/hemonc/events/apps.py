from typing import Any

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "hemonc.events"
    label = "events"
    verbose_name = "Live sessions"
    nav_items = (("Sessions", "events:upcoming"),)
    console_links = (
        ("Seasons", "events:seasons", "Plan a season and schedule its biweekly sessions."),
        ("New session", "events:session_create", "A session with its guests, hosts and topics."),
        ("Guests", "events:guests", "Invited speakers: their titles, bios and photos."),
        ("Past sessions", "events:past", "Attendance, recordings and check-ins."),
    )

    def create_demo(self, *, stdout: Any) -> None:
        # Imported when the demo runs: the app's modules need the app registry ready.
        from hemonc.events.demo import demo_sessions_create

        demo_sessions_create(stdout=stdout)
