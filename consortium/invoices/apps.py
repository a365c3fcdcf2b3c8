from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "consortium.invoices"
    label = "invoices"
    verbose_name = "Supplier invoices"

    def ready(self) -> None:
        from consortium.core import mi_panels, worklist
        from consortium.invoices.worklist import items_for, mi_panel

        worklist.register(items_for)
        mi_panels.register(mi_panel)
