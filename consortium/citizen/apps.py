from django.apps import AppConfig


class CitizenConfig(AppConfig):
    name = "consortium.citizen"
    label = "citizen"
    verbose_name = "Shared citizen services"

    def ready(self) -> None:
        from consortium.citizen.worklist import items_for
        from consortium.core import worklist

        worklist.register(items_for)
