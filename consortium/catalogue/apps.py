from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "consortium.catalogue"
    label = "catalogue"
    verbose_name = "Supplier catalogues"

    def ready(self) -> None:
        from consortium.catalogue.worklist import items_for
        from consortium.core import worklist

        worklist.register(items_for)
