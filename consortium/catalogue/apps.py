from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "consortium.catalogue"
    label = "catalogue"
    verbose_name = "Supplier catalogues"
