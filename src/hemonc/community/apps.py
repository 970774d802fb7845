from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "hemonc.community"
    label = "community"
    verbose_name = "Community"
