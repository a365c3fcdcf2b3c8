from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "consortium.care"
    label = "care"
    verbose_name = "Care price benchmarking"

    def ready(self) -> None:
        from consortium.care.worklist import items_for
        from consortium.core import worklist

        worklist.register(items_for)
