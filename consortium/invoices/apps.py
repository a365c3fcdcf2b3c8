from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "consortium.invoices"
    label = "invoices"
    verbose_name = "Supplier invoices"
