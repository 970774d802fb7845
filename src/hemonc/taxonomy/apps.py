from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "hemonc.taxonomy"
    label = "taxonomy"
    verbose_name = "Topics and career paths"
