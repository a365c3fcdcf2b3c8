from __future__ import annotations

from django.contrib import admin

from consortium.organisations.models import Membership, Organisation, Person, RoleAssignment


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name", "kind", "identifier", "postcode")
    list_filter = ("kind",)
    search_fields = ("name", "identifier")
    # Changes go through the pages and API so they are audited; the admin only reads
    # (consortium.core.admin_site makes every registered model read-only).


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ("full_name", "email", "is_active", "is_staff")
    search_fields = ("full_name", "email")
    exclude = ("password",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("organisation", "consortium", "joined_on", "left_on")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin[RoleAssignment]):
    list_display = ("person", "organisation", "role", "created_at")
    list_filter = ("role",)
