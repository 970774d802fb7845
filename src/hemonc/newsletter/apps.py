from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "hemonc.newsletter"
    label = "newsletter"
    verbose_name = "Newsletter"
