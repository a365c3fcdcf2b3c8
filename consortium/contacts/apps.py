from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "consortium.contacts"
    label = "contacts"
    verbose_name = "Contact routing"
    default_auto_field = "django.db.models.BigAutoField"
