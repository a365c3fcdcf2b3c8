"""Management information over order lines: spend by member, category, supplier, contract and
month; savings against baseline; rebate due per supplier per quarter; local and SME share.

A member sees its own figures; the consortium's admins and category managers see everyone's.
Each figure is one aggregate over the daily spend totals (spend.models.DailySpend), which
the orders service keeps in step with the order lines that count as spend.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, QuerySet, Sum
from django.db.models.functions import Coalesce

from consortium.catalogue.constants import Category
from consortium.core.errors import PermissionDenied
from consortium.core.money import to_penny
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission
from consortium.spend.models import DailySpend

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")
# dimension -> (the order line's own column, label). Lines are grouped by their own columns
# and the names looked up afterwards for the few groups: joining every line to its
# organisation or contract first costs more than the sum itself over millions of lines.
DIMENSIONS = {
    "member": ("buyer_id", "Member"),
    "category": ("category", "Category"),
    "supplier": ("supplier_id", "Supplier"),
    "contract": ("contract_id", "Contract"),
    "month": ("month", "Month"),
}


def daily_spend_for(actor: Actor, *, since: dt.date | None = None) -> QuerySet[DailySpend]:
    """The daily spend totals the actor may see: its own organisation's, or (for the
    consortium's admins and category managers) everyone's."""
    org = actor.organisation
    qs = DailySpend.objects.all()
    if org.is_consortium:
        if not actor.has(Permission.SPEND_VIEW_ALL):
            raise PermissionDenied("Consortium-wide figures are for its admins and category managers.")
    elif org.is_supplier:
        raise PermissionDenied("Management information is for members and the consortium.")
    else:
        qs = qs.filter(buyer=org)
    if since is not None:
        qs = qs.filter(day__gte=since)
    return qs.order_by()


def spend_by(
    actor: Actor, dimension: str, *, since: dt.date | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    if dimension == "month":
        return _spend_by_month(actor, since=since)
    field, _label = DIMENSIONS[dimension]
    rows = list(
        daily_spend_for(actor, since=since)
        .values(field)
        .annotate(total=Sum("spend"))
        .order_by("-total")[:limit]
    )
    names = _names(dimension, [r[field] for r in rows])
    return [
        {"label": names.get(r[field], str(r[field])), "spend": to_penny(r["total"] or ZERO)} for r in rows
    ]


def _names(dimension: str, keys: list[Any]) -> dict[Any, str]:
    from consortium.contracts.models import Contract
    from consortium.organisations.models import Organisation

    if dimension in ("member", "supplier"):
        return dict(Organisation.objects.filter(pk__in=keys).values_list("pk", "name"))
    if dimension == "contract":
        # Contracts by name, with the reference people quote: "CBC-0101 Office supplies".
        return {
            pk: f"{reference} {title}"
            for pk, reference, title in Contract.objects.filter(pk__in=keys).values_list(
                "pk", "reference", "title"
            )
        }
    labels = dict(Category.choices)
    return {k: labels.get(k, k) for k in keys}


def _spend_by_day(actor: Actor, *keys: str, since: dt.date | None) -> list[dict[str, Any]]:
    """Spend per day (and `keys`), which Python folds into months or quarters."""
    return list(
        daily_spend_for(actor, since=since).values(*keys, "day").annotate(total=Sum("spend")).order_by()
    )


def _as_date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value  # type: ignore[no-any-return]


MONTHS = 12


def latest_months(today: dt.date | None = None, months: int = MONTHS) -> list[dt.date]:
    """The first days of the latest `months` calendar months, this one (part gone) included."""
    from consortium.core.dates import today_in_london

    today = today or today_in_london()
    index = today.year * 12 + today.month - 1
    return [dt.date((index - k) // 12, (index - k) % 12 + 1, 1) for k in range(months - 1, -1, -1)]


def _spend_by_month(actor: Actor, *, since: dt.date | None) -> list[dict[str, Any]]:
    """Spend in each of the latest 12 months, this one included, months without spend as £0
    (a chart that skips them misleads); `since` narrows further."""
    months = latest_months()
    first = max(months[0], since) if since else months[0]
    totals: dict[dt.date, Decimal] = dict.fromkeys(months, ZERO)
    for r in _spend_by_day(actor, since=first):
        month = _as_date(r["day"]).replace(day=1)
        if month in totals:
            totals[month] += r["total"] or ZERO
    return [{"label": m.strftime("%b %Y"), "month": m, "spend": to_penny(v)} for m, v in totals.items()]


def savings(actor: Actor, *, since: dt.date | None = None) -> dict[str, Decimal]:
    """Saving against baseline = Σ baseline totals − Σ line totals, over lines where a baseline
    price is known (the baseline total is stored on each line: no arithmetic per line here)."""
    sums = daily_spend_for(actor, since=since).aggregate(
        baseline=Coalesce(Sum("baseline"), ZERO), spend=Coalesce(Sum("spend_with_baseline"), ZERO)
    )
    baseline, spend = to_penny(sums["baseline"]), to_penny(sums["spend"])
    rate = ((baseline - spend) / baseline * 100).quantize(Decimal("0.1")) if baseline else ZERO
    return {"saving": baseline - spend, "baseline": baseline, "spend": spend, "rate_percent": rate}


def rebates(actor: Actor, *, since: dt.date | None = None) -> list[dict[str, Any]]:
    """Rebate due from each supplier each quarter: spend ex VAT × the contract's rebate %,
    rounded half-up to the penny per supplier, contract and quarter."""
    from collections import defaultdict

    from consortium.contracts.models import Contract
    from consortium.organisations.models import Organisation

    rows = _spend_by_day(actor, "supplier_id", "contract_id", since=since)
    rates = dict(
        Contract.objects.filter(pk__in={r["contract_id"] for r in rows}).values_list("pk", "rebate_percent")
    )
    names = dict(
        Organisation.objects.filter(pk__in={r["supplier_id"] for r in rows}).values_list("pk", "name")
    )
    # Spend per supplier, contract and quarter first; the rebate is rounded once per
    # supplier, contract and quarter (as before), then added up per supplier and quarter.
    by_contract: dict[tuple[str, int, int], Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        by_contract[(_quarter(_as_date(r["day"])), r["supplier_id"], r["contract_id"])] += r["total"] or ZERO
    totals: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for (quarter, supplier_id, contract_id), spend in by_contract.items():
        key = (quarter, names[supplier_id])
        totals[key][0] += spend
        totals[key][1] += to_penny(spend * rates[contract_id] / 100)
    return [
        {"supplier": supplier, "quarter": quarter, "spend": to_penny(spend), "rebate": rebate}
        for (quarter, supplier), (spend, rebate) in sorted(totals.items())
    ]


def _quarter(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.year} Q{(value.month - 1) // 3 + 1}"


def local_and_sme(actor: Actor, *, since: dt.date | None = None) -> dict[str, Any]:
    from consortium.organisations.models import Organisation

    by_supplier = dict(
        daily_spend_for(actor, since=since)
        .values("supplier_id")
        .annotate(total=Sum("spend"))
        .values_list("supplier_id", "total")
    )
    flags: dict[int, dict[str, Any]] = {
        pk: {"is_local": local, "is_sme": sme, "is_voluntary_sector": voluntary}
        for pk, local, sme, voluntary in Organisation.objects.filter(pk__in=list(by_supplier)).values_list(
            "pk", "is_local", "is_sme", "is_voluntary_sector"
        )
    }
    totals = {"total": ZERO, "local": ZERO, "sme": ZERO, "voluntary": ZERO}
    for supplier_id, spend in by_supplier.items():
        spend = spend or ZERO
        totals["total"] += spend
        for name, flag in (("local", "is_local"), ("sme", "is_sme"), ("voluntary", "is_voluntary_sector")):
            if flags.get(supplier_id, {}).get(flag):
                totals[name] += spend

    def share(part: Decimal) -> Decimal:
        return (part / totals["total"] * 100).quantize(Decimal("0.1")) if totals["total"] else ZERO

    return {
        **{name: to_penny(value) for name, value in totals.items()},
        "local_percent": share(totals["local"]),
        "sme_percent": share(totals["sme"]),
        "voluntary_percent": share(totals["voluntary"]),
    }


def period(actor: Actor) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day with spend the actor may see: the period the figures cover."""
    from django.db.models import Max, Min

    span = daily_spend_for(actor).aggregate(first=Min("day"), last=Max("day"))
    return _as_date(span["first"]) if span["first"] else None, _as_date(span["last"]) if span[
        "last"
    ] else None
