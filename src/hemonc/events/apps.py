from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "hemonc.events"
    label = "events"
    verbose_name = "Live sessions"
