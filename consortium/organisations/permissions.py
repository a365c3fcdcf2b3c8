"""What each role may do, in one place. Selectors and services ask here."""

from __future__ import annotations

import enum

from consortium.organisations.constants import Role


class Permission(enum.StrEnum):
    ORGANISATION_MANAGE = "organisation.manage"  # create and edit any organisation
    MEMBERSHIP_MANAGE = "membership.manage"  # admit members and record leaving
    PEOPLE_VIEW_ALL = "people.view_all"  # people of every organisation
    PEOPLE_MANAGE_ALL = "people.manage_all"  # grant and revoke any role anywhere
    PEOPLE_MANAGE_OWN = "people.manage_own"  # grant and revoke roles in own organisation
    INVITE_ANY = "invitation.any"  # invite anyone to any organisation, any role
    INVITE_SUPPLIER = "invitation.supplier"  # invite suppliers (new or existing)
    INVITE_OWN = "invitation.own"  # invite colleagues to own organisation
    AUDIT_VIEW_ALL = "audit.view_all"  # the whole audit trail


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.CONSORTIUM_ADMIN: frozenset(Permission),
    Role.CATEGORY_MANAGER: frozenset({Permission.INVITE_SUPPLIER}),
    Role.MEMBER_BUYER: frozenset(),
    Role.APPROVER: frozenset({Permission.INVITE_OWN, Permission.PEOPLE_MANAGE_OWN}),
    Role.COMMISSIONER: frozenset(),
    Role.EVALUATOR: frozenset(),
    Role.SUPPLIER_USER: frozenset({Permission.INVITE_OWN, Permission.PEOPLE_MANAGE_OWN}),
    Role.PARTNER_OFFICER: frozenset(),
}

# Roles that only a consortium admin may hand out, whoever else can invite.
ADMIN_ONLY_ROLES = frozenset({Role.CONSORTIUM_ADMIN, Role.CATEGORY_MANAGER})


def permissions_for(roles: frozenset[str]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)
