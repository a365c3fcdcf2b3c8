from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "consortium.care"
    label = "care"
    verbose_name = "Care price benchmarking"
