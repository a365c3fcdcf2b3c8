"""Management information over order lines: spend by member, category, supplier, contract and
month; savings against baseline; rebate due per supplier per quarter; local and SME share.

A member sees its own figures; the consortium's admins and category managers see everyone's.
Each figure is one aggregate over the order-line table (which carries buyer, supplier,
contract and date for exactly this purpose).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter

from consortium.catalogue.constants import Category
from consortium.core.errors import PermissionDenied
from consortium.core.money import to_penny
from consortium.orders.models import OrderLine
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")
DIMENSIONS = {
    "member": ("buyer__name", "Member"),
    "category": ("category", "Category"),
    "supplier": ("supplier__name", "Supplier"),
    "contract": ("contract__reference", "Contract"),
    "month": ("month", "Month"),
}


def spend_lines_for(actor: Actor, *, since: dt.date | None = None) -> QuerySet[OrderLine]:
    org = actor.organisation
    qs = OrderLine.objects.filter(in_spend=True)
    if org.is_consortium:
        if not actor.holds(Role.CONSORTIUM_ADMIN, Role.CATEGORY_MANAGER):
            raise PermissionDenied("Consortium-wide figures are for its admins and category managers.")
    elif org.is_supplier:
        raise PermissionDenied("Management information is for members and the consortium.")
    else:
        qs = qs.filter(buyer=org)
    if since is not None:
        qs = qs.filter(ordered_on__gte=since)
    return qs.order_by()


def spend_by(
    actor: Actor, dimension: str, *, since: dt.date | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    field, _label = DIMENSIONS[dimension]
    qs = spend_lines_for(actor, since=since)
    if dimension == "month":
        qs = qs.annotate(month=TruncMonth("ordered_on"))
    rows = (
        qs.values(field)
        .annotate(spend=Sum("line_total"))
        .order_by(field if dimension == "month" else "-spend")
    )
    labels = dict(Category.choices)
    out = []
    for r in rows[: limit if dimension != "month" else 36]:
        key = r[field]
        if dimension == "category":
            key = labels.get(key, key)
        if dimension == "month" and key is not None:
            key = key.strftime("%b %Y") if hasattr(key, "strftime") else str(key)
        out.append({"label": str(key), "spend": to_penny(r["spend"] or ZERO)})
    return out


def savings(actor: Actor, *, since: dt.date | None = None) -> dict[str, Decimal]:
    """Saving against baseline = Σ (baseline price − price paid) × quantity, where a baseline is known."""
    qs = spend_lines_for(actor, since=since).filter(baseline_price__isnull=False)
    saving = ExpressionWrapper((F("baseline_price") - F("unit_price")) * F("quantity"), output_field=MONEY)
    baseline = ExpressionWrapper(F("baseline_price") * F("quantity"), output_field=MONEY)
    totals = qs.aggregate(
        saving=Coalesce(Sum(saving), ZERO),
        baseline=Coalesce(Sum(baseline), ZERO),
        spend=Coalesce(Sum("line_total"), ZERO),
    )
    rate = (
        (totals["saving"] / totals["baseline"] * 100).quantize(Decimal("0.1")) if totals["baseline"] else ZERO
    )
    return {**totals, "rate_percent": rate}


def rebates(actor: Actor, *, since: dt.date | None = None) -> list[dict[str, Any]]:
    """Rebate due from each supplier each quarter: spend ex VAT × the contract's rebate %."""
    rebate = ExpressionWrapper(F("line_total") * F("contract__rebate_percent") / 100, output_field=MONEY)
    rows = (
        spend_lines_for(actor, since=since)
        .annotate(quarter=TruncQuarter("ordered_on"))
        .values("supplier__name", "quarter")
        .annotate(spend=Sum("line_total"), rebate=Sum(rebate))
        .order_by("quarter", "supplier__name")
    )
    return [
        {
            "supplier": r["supplier__name"],
            "quarter": _quarter(r["quarter"]),
            "spend": r["spend"],
            "rebate": (r["rebate"] or ZERO).quantize(Decimal("0.01")),
        }
        for r in rows
    ]


def _quarter(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.year} Q{(value.month - 1) // 3 + 1}"


def local_and_sme(actor: Actor, *, since: dt.date | None = None) -> dict[str, Any]:
    totals = spend_lines_for(actor, since=since).aggregate(
        total=Coalesce(Sum("line_total"), ZERO),
        local=Coalesce(Sum("line_total", filter=Q(supplier__is_local=True)), ZERO),
        sme=Coalesce(Sum("line_total", filter=Q(supplier__is_sme=True)), ZERO),
        voluntary=Coalesce(Sum("line_total", filter=Q(supplier__is_voluntary_sector=True)), ZERO),
    )

    def share(part: Decimal) -> Decimal:
        return (part / totals["total"] * 100).quantize(Decimal("0.1")) if totals["total"] else ZERO

    return {
        **totals,
        "local_percent": share(totals["local"]),
        "sme_percent": share(totals["sme"]),
        "voluntary_percent": share(totals["voluntary"]),
    }
