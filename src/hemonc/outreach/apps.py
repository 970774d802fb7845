from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "hemonc.outreach"
    label = "outreach"
    verbose_name = "Outreach"
