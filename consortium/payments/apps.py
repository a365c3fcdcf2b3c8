from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "consortium.payments"
    verbose_name = "Payments"
