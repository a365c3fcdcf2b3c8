"""The read-only admin shows the catalogue and the routing agreements. Service requests are not
registered: a citizen's details are read on the request page, where each read is audited."""

from __future__ import annotations

from django.contrib import admin

from consortium.citizen.models import Area, RoutingRule, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ("code", "name", "partner", "is_public", "active")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin[Area]):
    list_display = ("code", "name", "defined_by")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = ("service", "area", "handled_by", "valid_from", "valid_to")
