"""Reads of baskets and orders: a member its own orders, a supplier the orders it
received, the consortium all of them (for management information)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum

from consortium.core.errors import NotFound, PermissionDenied
from consortium.core.files import csv_text, timestamp
from consortium.orders.models import ApprovalRule, BasketLine, Order, OrderLine, SavedList
from consortium.organisations.acting import Actor
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission


def _member_buyer(actor: Actor, what: str) -> Organisation:
    """The actor's organisation, when it is a member and the actor orders for it."""
    org = actor.organisation
    if org.is_supplier or org.is_consortium or not actor.has(Permission.ORDERS_PLACE):
        raise PermissionDenied(f"{what} for member buyers and approvers.")
    return org


def basket_for(actor: Actor) -> QuerySet[BasketLine]:
    org = _member_buyer(actor, "Baskets are")
    return BasketLine.objects.filter(person=actor.person, organisation=org).select_related(
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


def approval_rule_hit(buyer_id: int, subtotal: Decimal, categories: set[str]) -> ApprovalRule | None:
    """The organisation's approval rule an order of `subtotal` (ex VAT) in `categories` breaks,
    if any: the lowest threshold that applies."""
    rules = ApprovalRule.objects.filter(organisation_id=buyer_id).order_by("threshold")
    return next(
        (r for r in rules if subtotal > r.threshold and (not r.category or r.category in categories)), None
    )


def basket_summary(actor: Actor) -> dict[str, Any]:
    """The basket as checkout will turn it into orders: one per supplier and contract, each with
    its lines' totals, VAT by rate, and whether it waits for an approver (and who they are);
    then the whole basket's totals. Money to the penny, line by line, as the orders will be."""
    from consortium.core.money import to_penny
    from consortium.organisations.constants import Role
    from consortium.organisations.models import Person

    lines = list(basket_for(actor))
    groups: dict[tuple[int, int], list[BasketLine]] = {}
    for ln in lines:
        groups.setdefault((ln.item.supplier_id, ln.item.lot.contract_id), []).append(ln)
    approvers = [
        p.full_name
        for p in Person.objects.filter(
            role_assignments__organisation=actor.organisation,
            role_assignments__role=Role.APPROVER,
            is_active=True,
        )
        .exclude(pk=actor.person.pk)
        .distinct()
        .order_by("full_name")
    ]
    orders: list[dict[str, Any]] = []
    vat_by_rate: dict[Decimal, Decimal] = {}
    for group in groups.values():
        totals = [to_penny(ln.item.unit_price * ln.quantity) for ln in group]
        rows = [{"line": ln, "total": t} for ln, t in zip(group, totals, strict=True)]
        subtotal = sum(totals, Decimal(0))
        rates: dict[Decimal, Decimal] = {}
        for ln, t in zip(group, totals, strict=True):
            rates[ln.item.vat_rate] = rates.get(ln.item.vat_rate, Decimal(0)) + to_penny(
                t * ln.item.vat_rate / 100
            )
        for rate, v in rates.items():
            vat_by_rate[rate] = vat_by_rate.get(rate, Decimal(0)) + v
        vat = sum(rates.values(), Decimal(0))
        rule = approval_rule_hit(actor.organisation.pk, subtotal, {ln.item.category for ln in group})
        orders.append(
            {
                "supplier": group[0].item.supplier,
                "contract": group[0].item.lot.contract,
                "rows": rows,
                "subtotal": subtotal,
                "vat_by_rate": sorted(rates.items()),
                "vat": vat,
                "total": subtotal + vat,
                "approval_rule": rule,
            }
        )
    subtotal = sum((o["subtotal"] for o in orders), Decimal(0))
    vat = sum((o["vat"] for o in orders), Decimal(0))
    return {
        "orders": orders,
        "subtotal": subtotal,
        "vat_by_rate": sorted(vat_by_rate.items()),
        "vat": vat,
        "total": subtotal + vat,
        "approvers": approvers,
        "needs_approval": any(o["approval_rule"] for o in orders),
    }


def order_filter_options(actor: Actor) -> dict[str, list[tuple[int, str]]]:
    """The members and suppliers the actor's order list can be narrowed to (those it has
    orders from or to), for the filters: one read each."""
    from consortium.organisations.models import Organisation

    qs = order_list_for(actor).order_by()
    members = (
        Organisation.objects.filter(pk__in=qs.values("buyer_id")).order_by("name").values_list("pk", "name")
    )
    suppliers = (
        Organisation.objects.filter(pk__in=qs.values("supplier_id"))
        .order_by("name")
        .values_list("pk", "name")
    )
    return {"members": list(members), "suppliers": list(suppliers)}


def saved_lists_for(actor: Actor) -> QuerySet[SavedList]:
    org = _member_buyer(actor, "Saved lists are")
    return (
        SavedList.objects.filter(organisation=org)
        .annotate(items=Count("entries"))
        .select_related("created_by")
    )


def saved_list_get_for(actor: Actor, list_id: int) -> SavedList:
    try:
        return saved_lists_for(actor).prefetch_related("entries__item__supplier").get(pk=list_id)
    except SavedList.DoesNotExist:
        raise NotFound("No saved list of your organisation with that id") from None


def buy_again_for(actor: Actor, *, limit: int = 100) -> list[dict[str, Any]]:
    """What the organisation has ordered in the last 12 months, most often first, with when it
    was last ordered and how many; each marked whether it can still be bought today."""
    import datetime as dt

    from consortium.catalogue.models import CatalogueItem
    from consortium.catalogue.selectors import buyable_items
    from consortium.core.dates import today_in_london

    org = _member_buyer(actor, "Buy again is")
    since = today_in_london() - dt.timedelta(days=365)
    rows = list(
        OrderLine.objects.filter(buyer=org, in_spend=True, ordered_on__gte=since)
        .values("item_id")
        .annotate(times=Count("order_id", distinct=True), last=Max("ordered_on"), quantity=Sum("quantity"))
        .order_by("-times", "-last")[:limit]
    )
    items = CatalogueItem.objects.select_related("supplier").in_bulk([r["item_id"] for r in rows])
    buyable = set(buyable_items(actor).filter(pk__in=list(items)).values_list("pk", flat=True))
    return [
        {**r, "item": items[r["item_id"]], "buyable": r["item_id"] in buyable}
        for r in rows
        if r["item_id"] in items
    ]
