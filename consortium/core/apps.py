from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "consortium.core"
    label = "core"
    verbose_name = "Core"
