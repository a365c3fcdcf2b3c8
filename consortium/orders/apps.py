from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "consortium.orders"
    label = "orders"
    verbose_name = "Baskets and call-off orders"
