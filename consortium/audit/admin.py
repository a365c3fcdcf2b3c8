from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from consortium.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the audit trail can be searched in the admin, never edited."""

    list_display = ("at", "action", "object_type", "object_id", "actor", "actor_organisation")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "object_repr", "request_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
