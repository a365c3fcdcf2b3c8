from django.apps import AppConfig


class TenderingConfig(AppConfig):
    name = "consortium.tendering"
    label = "tendering"
    verbose_name = "Collaborative tendering"
