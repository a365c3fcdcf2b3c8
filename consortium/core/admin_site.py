"""The admin site, read-only for everyone, superusers included.

Every change to who holds power (roles, memberships, organisations, people) goes
through the services, which check permissions and write the audit trail. The
admin is for looking things up: every model registered on it, by any app or by
Django itself, is wrapped so it can be listed and viewed, never added, changed or
deleted, and no admin action runs. Sign-in goes through the service's own page,
which is throttled per account and per client.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


class ReadOnlyAdminSite(admin.AdminSite):
    site_header = "Consortium administration (read-only)"
    site_title = "Consortium administration"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        base = admin_class or admin.ModelAdmin
        if issubclass(base, admin.ModelAdmin) and not issubclass(base, ReadOnlyMixin):
            base = type(f"ReadOnly{base.__name__}", (ReadOnlyMixin, base), {})
        super().register(model_or_iterable, base, **options)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # One sign-in page for the whole service, with its throttling: never the admin's own form.
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{reverse('sign-in')}?{urlencode({'next': target})}")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)


class ConsortiumAdminConfig(AdminConfig):
    default_site = "consortium.core.admin_site.ReadOnlyAdminSite"
