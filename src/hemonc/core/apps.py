from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hemonc.core"
    label = "core"
    verbose_name = "Core"
