"""Reads of catalogues: buyers' search (only what their organisation may buy today),
suppliers' own items, and price changes for the category manager."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from consortium.catalogue.constants import Category, PriceChangeStatus
from consortium.catalogue.models import CatalogueItem, PriceChange
from consortium.catalogue.search import apply_text_search
from consortium.contracts.selectors import usable_by
from consortium.core.dates import today_in_london
from consortium.core.errors import NotFound, PermissionDenied
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role

SORTS = {
    "relevance": ("-rank", "name", "id"),
    "price": ("unit_price", "name", "id"),
    "-price": ("-unit_price", "name", "id"),
    "name": ("name", "id"),
}


def can_buy(actor: Actor) -> bool:
    return not actor.organisation.is_supplier


def buyable_items(actor: Actor, *, on: dt.date | None = None) -> QuerySet[CatalogueItem]:
    """Items on live, in-date contracts the actor's organisation may use, valid today."""
    if not can_buy(actor):
        raise PermissionDenied("Suppliers see their own catalogue, not buyers' search.")
    on = on or today_in_london()
    return CatalogueItem.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        valid_from__lte=on,
        lot__contract__in=usable_by(actor.organisation, on=on),
    )


@dataclass
class Filters:
    category: str | None = None
    supplier_id: int | None = None
    contract_id: int | None = None
    local_or_sme: bool = False
    eco_label: bool = False


# Counting every match of a broad search costs more than it tells anyone: past
# this many, the result says "10,000 or more".
COUNT_CAP = 10_000


@dataclass
class SearchResult:
    items: list[CatalogueItem]
    count: int
    searched_for: list[str]
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    count_is_capped: bool = False


def search_for(
    actor: Actor,
    query: str,
    filters: Filters,
    *,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
    with_facets: bool = True,
) -> SearchResult:
    items = buyable_items(actor)
    if filters.category:
        items = items.filter(category=filters.category)
    if filters.supplier_id:
        items = items.filter(supplier_id=filters.supplier_id)
    if filters.contract_id:
        items = items.filter(lot__contract_id=filters.contract_id)
    if filters.local_or_sme:
        items = items.filter(Q(supplier__is_local=True) | Q(supplier__is_sme=True))
    if filters.eco_label:
        items = items.filter(eco_label=True)
    matched, searched = apply_text_search(items, query)
    order = SORTS.get(sort, SORTS["relevance"])
    if not searched and order[0] == "-rank":
        order = SORTS["name"]
    page = list(matched.select_related("supplier", "lot__contract").order_by(*order)[offset : offset + limit])
    count = matched.order_by().values("id")[: COUNT_CAP + 1].count()
    result = SearchResult(page, min(count, COUNT_CAP), searched, count_is_capped=count > COUNT_CAP)
    if with_facets:
        result.facets = facets(matched)
    return result


def facets(matched: QuerySet[CatalogueItem]) -> dict[str, list[dict[str, Any]]]:
    base = matched.order_by()
    labels = dict(Category.choices)
    return {
        "category": [
            {"value": r["category"], "label": labels.get(r["category"], r["category"]), "count": r["n"]}
            for r in base.values("category").annotate(n=Count("id")).order_by("-n", "category")
        ],
        "supplier": [
            {"value": r["supplier_id"], "label": r["supplier__name"], "count": r["n"]}
            for r in base.values("supplier_id", "supplier__name").annotate(n=Count("id")).order_by("-n")[:20]
        ],
        "contract": [
            {"value": r["lot__contract_id"], "label": r["lot__contract__title"], "count": r["n"]}
            for r in base.values("lot__contract_id", "lot__contract__title")
            .annotate(n=Count("id"))
            .order_by("-n")
        ],
        "local_or_sme": [
            {
                "value": True,
                "label": "Local or SME supplier",
                "count": base.filter(Q(supplier__is_local=True) | Q(supplier__is_sme=True)).count(),
            }
        ],
        "eco_label": [{"value": True, "label": "Eco-label", "count": base.filter(eco_label=True).count()}],
    }


def item_get_for(actor: Actor, item_id: int) -> CatalogueItem:
    """A buyer sees an item it may buy; a supplier its own items."""
    qs = (
        CatalogueItem.objects.filter(supplier=actor.organisation)
        if actor.organisation.is_supplier
        else buyable_items(actor)
    )
    try:
        return qs.select_related("supplier", "lot__contract").get(pk=item_id)
    except CatalogueItem.DoesNotExist:
        raise NotFound("No such item you may see") from None


def own_items_for(actor: Actor) -> QuerySet[CatalogueItem]:
    if not actor.organisation.is_supplier:
        raise PermissionDenied("Only a supplier has a catalogue of its own.")
    return CatalogueItem.objects.filter(supplier=actor.organisation).select_related("lot__contract")


def price_change_list_for(actor: Actor, *, pending_only: bool = True) -> QuerySet[PriceChange]:
    qs = PriceChange.objects.select_related("item__supplier", "item__lot__contract")
    if actor.holds(Role.CATEGORY_MANAGER, Role.CONSORTIUM_ADMIN) and actor.organisation.is_consortium:
        pass
    elif actor.organisation.is_supplier:
        qs = qs.filter(item__supplier=actor.organisation)
    else:
        raise PermissionDenied("Price changes are for suppliers and the category manager.")
    if pending_only:
        qs = qs.filter(status=PriceChangeStatus.PENDING)
    return qs


def price_change_get_for(actor: Actor, change_id: int) -> PriceChange:
    try:
        return price_change_list_for(actor, pending_only=False).get(pk=change_id)
    except PriceChange.DoesNotExist:
        raise NotFound("No such price change") from None
