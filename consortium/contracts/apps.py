from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "consortium.contracts"
    label = "contracts"
    verbose_name = "Contracts and frameworks"
