from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "consortium.organisations"
    label = "organisations"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from consortium.core import worklist
        from consortium.organisations.worklist import items_for

        worklist.register(items_for)
