from __future__ import annotations

from django.contrib import admin

from consortium.care.models import CareLevel


@admin.register(CareLevel)
class CareLevelAdmin(admin.ModelAdmin[CareLevel]):
    """Levels of care, to look up: read-only like the whole admin (a data migration sets them)."""

    list_display = ("rank", "name", "description")
    ordering = ("rank",)
