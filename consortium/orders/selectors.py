"""Reads of baskets and orders: a member its own orders, a supplier the orders it
received, the consortium all of them (for management information)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from consortium.core.errors import NotFound, PermissionDenied
from consortium.core.files import csv_text, timestamp
from consortium.orders.models import ApprovalRule, BasketLine, Order
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission


def basket_for(actor: Actor) -> QuerySet[BasketLine]:
    org = actor.organisation
    if org.is_supplier or org.is_consortium or not actor.has(Permission.ORDERS_PLACE):
        raise PermissionDenied("Baskets are for member buyers and approvers.")
    return BasketLine.objects.filter(person=actor.person, organisation=actor.organisation).select_related(
        "item__supplier", "item__lot__contract"
    )


def order_list_for(actor: Actor, *, status: str | None = None) -> QuerySet[Order]:
    qs = Order.objects.select_related("buyer", "supplier", "contract", "placed_by")
    org = actor.organisation
    if org.is_consortium:
        if not actor.has(Permission.ORDERS_VIEW_ALL):
            raise PermissionDenied("Orders across the consortium are for its admins and category managers.")
    elif org.is_supplier:
        qs = qs.filter(supplier=org)
    else:
        qs = qs.filter(buyer=org)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def order_get_for(actor: Actor, order_id: int) -> Order:
    try:
        return order_list_for(actor).prefetch_related("lines", "events__by").get(pk=order_id)
    except Order.DoesNotExist:
        raise NotFound("No order with that id") from None


CSV_COLUMNS = [
    "reference",
    "status",
    "ordered_at",
    "buyer",
    "supplier",
    "contract",
    "supplier_code",
    "item",
    "category",
    "quantity",
    "quantity_delivered",
    "unit_of_measure",
    "unit_price_ex_vat",
    "vat_rate",
    "line_total_ex_vat",
    "cost_centre",
]


def orders_as_csv(orders: Iterable[Order]) -> str:
    """One row per order line, for schools' and councils' finance systems (cells neutralised)."""
    rows = (
        [
            order.reference,
            order.status,
            timestamp(order.created_at),
            order.buyer.name,
            order.supplier.name,
            order.contract.reference,
            line.supplier_code,
            line.name,
            line.category,
            line.quantity,
            line.quantity_delivered,
            line.unit_of_measure,
            line.unit_price,
            line.vat_rate,
            line.line_total,
            line.cost_centre,
        ]
        for order in orders
        for line in order.lines.all()
    )
    return csv_text(CSV_COLUMNS, rows)


def approval_rules_for(actor: Actor) -> QuerySet[ApprovalRule]:
    """The acting organisation's approval rules."""
    return ApprovalRule.objects.filter(organisation=actor.organisation).order_by("category")
