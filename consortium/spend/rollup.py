"""Keeping `DailySpend` in step with the order lines that count as spend.

A line's spend is what approved invoices billed on it where there are any (`invoiced_net`),
else what was ordered (`line_total`): the MI's on-contract figure comes from invoices where
they exist. Savings against baseline stay on ordered prices (the baseline is per unit ordered).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from consortium.spend.models import DailySpend

KEY = ("ordered_on", "buyer_id", "supplier_id", "contract_id", "category")
ZERO = Decimal("0.00")


def move_lines(lines: QuerySet[Any], *, into_spend: bool) -> None:
    """Add `lines` (order lines entering spend) to the daily totals, or take them out.
    Call in the transaction that changes the lines' `in_spend`."""
    sign = 1 if into_spend else -1
    groups = (
        lines.order_by()
        .values(*KEY)
        .annotate(
            total=Sum(Coalesce("invoiced_net", "line_total")),
            with_baseline=Sum("line_total", filter=Q(baseline_total__isnull=False)),
            at_baseline=Sum("baseline_total"),
            n=Count("id"),
        )
    )
    for g in groups:
        key = {
            "day": g["ordered_on"],
            "buyer_id": g["buyer_id"],
            "supplier_id": g["supplier_id"],
            "contract_id": g["contract_id"],
            "category": g["category"],
        }
        if not DailySpend.objects.filter(**key).exists():
            try:
                with transaction.atomic():
                    DailySpend.objects.create(**key)
            except IntegrityError:
                pass  # a concurrent order made the row first
        # One UPDATE with F(): concurrent orders on the same day add up rather than overwrite.
        DailySpend.objects.filter(**key).update(
            spend=F("spend") + sign * (g["total"] or ZERO),
            spend_with_baseline=F("spend_with_baseline") + sign * (g["with_baseline"] or ZERO),
            baseline=F("baseline") + sign * (g["at_baseline"] or ZERO),
            lines=F("lines") + sign * g["n"],
        )


def rebuild() -> int:
    """Recompute every daily total from the order lines (after a bulk load or a repair)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM spend_dailyspend")
        cursor.execute(
            """
            INSERT INTO spend_dailyspend
                (day, buyer_id, supplier_id, contract_id, category, spend, spend_with_baseline, baseline, lines)
            SELECT ordered_on, buyer_id, supplier_id, contract_id, category,
                   SUM(COALESCE(invoiced_net, line_total)),
                   SUM(CASE WHEN baseline_total IS NULL THEN 0 ELSE line_total END),
                   SUM(COALESCE(baseline_total, 0)), COUNT(*)
            FROM orders_orderline WHERE in_spend
            GROUP BY ordered_on, buyer_id, supplier_id, contract_id, category
            """
        )
        return int(cursor.rowcount)


def add_to_days(deltas: dict[tuple[Any, ...], Decimal]) -> None:
    """Move the daily spend totals by `deltas` (keyed as KEY: the day ordered, buyer, supplier,
    contract and category of lines already in spend) when what counts for those lines changes,
    e.g. an invoice approved at another amount. Call in that change's transaction."""
    for key, delta in sorted(deltas.items(), key=lambda kv: tuple(str(k) for k in kv[0])):
        if delta:
            # F(): concurrent changes to the same day add up rather than overwrite.
            DailySpend.objects.filter(
                day=key[0], buyer_id=key[1], supplier_id=key[2], contract_id=key[3], category=key[4]
            ).update(spend=F("spend") + delta)
