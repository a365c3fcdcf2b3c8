from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "consortium.spend"
    label = "spend"
    verbose_name = "Spend and management information"
