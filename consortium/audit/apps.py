from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "consortium.audit"
    label = "audit"
    verbose_name = "Audit trail"
