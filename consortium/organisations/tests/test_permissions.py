"""The permission table: every check asks it, so its shape is the security model."""

from __future__ import annotations

from consortium.organisations.constants import (
    CONSORTIUM_ROLES,
    SUPPLIER_ROLES,
    Role,
    roles_allowed_for_kind,
)
from consortium.organisations.permissions import ROLE_PERMISSIONS, Permission

SUPPLIER_SIDE = {
    Permission.CATALOGUE_KEEP,
    Permission.ORDERS_FULFIL,
    Permission.BIDS_SUBMIT,
    Permission.CARE_PROVIDE,
}
BUYER_SIDE = {
    Permission.ORDERS_PLACE,
    Permission.ORDERS_APPROVE,
    Permission.APPROVAL_RULES_SET,
    Permission.SPEND_UPLOAD,
    Permission.DEMAND_REGISTER,
    Permission.CARE_COMMISSION,
}
CONSORTIUM_ONLY = {
    Permission.CONTRACTS_MANAGE,
    Permission.PRICE_CHANGES_DECIDE,
    Permission.BASELINES_SET,
    Permission.PROCUREMENTS_RUN,
    Permission.AWARDS_APPROVE,
    Permission.ORDERS_VIEW_ALL,
    Permission.SPEND_VIEW_ALL,
    Permission.CARE_OVERSEE,
    Permission.AUDIT_VIEW_ALL,
    Permission.PEOPLE_MANAGE_ALL,
}


def test_every_role_is_in_the_table_and_every_permission_is_held():
    assert set(ROLE_PERMISSIONS) == set(Role.values)
    held = set().union(*ROLE_PERMISSIONS.values())
    assert held == set(Permission)


def test_supplier_permissions_are_held_only_by_supplier_roles_and_never_buyer_ones():
    for role, permissions in ROLE_PERMISSIONS.items():
        if role in SUPPLIER_ROLES:
            assert not permissions & (BUYER_SIDE | CONSORTIUM_ONLY), role
        else:
            assert not permissions & SUPPLIER_SIDE, role


def test_consortium_powers_belong_to_roles_only_the_consortium_holds():
    for role, permissions in ROLE_PERMISSIONS.items():
        if permissions & CONSORTIUM_ONLY:
            assert role in CONSORTIUM_ROLES, role
            assert role not in roles_allowed_for_kind("school"), role


def test_nobody_at_the_consortium_places_orders_bids_or_commissions():
    for role in (Role.CONSORTIUM_ADMIN, Role.CATEGORY_MANAGER):
        assert not ROLE_PERMISSIONS[role] & (SUPPLIER_SIDE | BUYER_SIDE), role
