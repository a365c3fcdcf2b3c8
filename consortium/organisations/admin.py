from __future__ import annotations

from django.contrib import admin

from consortium.organisations.models import Membership, Organisation, Person, RoleAssignment


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name", "kind", "identifier", "postcode")
    list_filter = ("kind",)
    search_fields = ("name", "identifier")

    # Changes go through the pages and API so they are audited; the admin only reads.
    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ("full_name", "email", "is_active", "is_staff")
    search_fields = ("full_name", "email")
    exclude = ("password",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(Membership)
admin.site.register(RoleAssignment)
admin.site.site_header = "Consortium administration (read-only)"
