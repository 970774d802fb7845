from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "hemonc.analytics"
    label = "analytics"
    verbose_name = "Analytics"
