from django.apps import AppConfig


class SustainabilityConfig(AppConfig):
    name = "consortium.sustainability"
    verbose_name = "Sustainable procurement"
