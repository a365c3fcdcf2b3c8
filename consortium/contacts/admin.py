"""The read-only admin shows queues and routing rules. Contacts (callers' numbers) and
platforms (sealed secrets) are not registered: they are read on their pages, by those allowed."""

from __future__ import annotations

from django.contrib import admin

from consortium.contacts.models import Queue, Rule


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin[Queue]):
    list_display = ("code", "name", "partner", "strategy", "is_main")


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin[Rule]):
    list_display = ("order", "name", "route_to", "queue", "priority", "active")
