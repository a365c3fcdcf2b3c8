"""Financial years (April to March, as UK public bodies report) and how a saving falls in them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from consortium.core.dates import financial_year
from consortium.core.dates import financial_year_label as label
from consortium.core.money import to_penny

__all__ = ["bounds", "financial_year", "label", "slices", "total"]


def bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def total(amount: Decimal, *, recurring: bool, months: int) -> Decimal:
    """A recurring saving's amount a year × months ÷ 12 (to the penny, half up); a one-off's amount."""
    return to_penny(amount * months / 12) if recurring else to_penny(amount)


def slices(
    amount: Decimal, *, recurring: bool, starts_on: dt.date, months: int
) -> list[tuple[int, int, Decimal]]:
    """(financial year, months in it, £) for each year a saving runs in. Each year's part is the
    amount a year × its months ÷ 12, to the penny; the last year takes what makes the parts add
    up to the total exactly."""
    if not recurring:
        return [(financial_year(starts_on), 1, to_penny(amount))]
    counts: dict[int, int] = {}
    year, month = starts_on.year, starts_on.month
    for _ in range(months):
        fy = financial_year(dt.date(year, month, 1))
        counts[fy] = counts.get(fy, 0) + 1
        month += 1
        if month == 13:
            year, month = year + 1, 1
    whole = total(amount, recurring=True, months=months)
    out: list[tuple[int, int, Decimal]] = []
    so_far = Decimal("0.00")
    items = sorted(counts.items())
    for i, (fy, n) in enumerate(items):
        part = whole - so_far if i == len(items) - 1 else to_penny(amount * n / 12)
        so_far += part
        out.append((fy, n, part))
    return out
