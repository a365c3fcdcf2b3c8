from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "consortium.orders"
    label = "orders"
    verbose_name = "Baskets and call-off orders"

    def ready(self) -> None:
        from consortium.core import worklist
        from consortium.orders.worklist import items_for

        worklist.register(items_for)
