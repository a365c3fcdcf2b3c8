from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "consortium.organisations"
    label = "organisations"
    verbose_name = "Organisations and people"
