from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from consortium.audit.services import audit_record, diff, snapshot
from consortium.care.models import CareLevel


@admin.register(CareLevel)
class CareLevelAdmin(admin.ModelAdmin[CareLevel]):
    """Levels of care are configurable by staff here; each change is audited."""

    list_display = ("rank", "name", "description")
    ordering = ("rank",)

    def save_model(self, request: HttpRequest, obj: CareLevel, form: Any, change: bool) -> None:
        before = snapshot(CareLevel.objects.get(pk=obj.pk), ("rank", "name", "description")) if change else {}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=None,
            action="care_level.update" if change else "care_level.create",
            obj=obj,
            organisation=None,
            changes={**diff(before, snapshot(obj, ("rank", "name", "description"))), "by": request.user.pk},
        )

    def has_delete_permission(self, request: HttpRequest, obj: CareLevel | None = None) -> bool:
        return False  # assessments and menus refer to levels
