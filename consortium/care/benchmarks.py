"""Computing benchmark spreads over a population of unit prices.

Prices repeat a great deal (they are pounds and pence), so the database is
asked only for a frequency table — each distinct price of each element with
how many times it occurs — and the quartiles are read off its cumulative
counts in Decimal, exactly as PERCENTILE.INC defines them. Grouping 1,000,000
rates this way is several times faster than sorting them for percentile_cont,
works the same on SQLite and PostgreSQL, and never passes through floating point.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet

from consortium.care.statistics import Spread, spread_from_counts

Key = tuple[str, int | None, str]


@dataclass(frozen=True)
class KeyedSpread:
    element: str
    ratio: int | None
    grade: str
    providers: int
    spread: Spread


def spreads(population: QuerySet) -> list[KeyedSpread]:  # type: ignore[type-arg]
    """Spreads per (element, ratio, grade) of a query set with those columns, `unit_price`
    and `provider_id` (annotate it where the provider is a join away)."""
    population = population.order_by()
    frequencies = (
        population.values_list("element", "ratio", "grade", "unit_price")
        .annotate(occurrences=Count("*"))
        .order_by("element", "ratio", "grade", "unit_price")
    )
    providers: dict[Key, int] = defaultdict(int)
    for element, ratio, grade, _provider in population.values_list(
        "element", "ratio", "grade", "provider_id"
    ).distinct():
        providers[(element, ratio, grade or "")] += 1
    result = []
    for (element, ratio, grade), rows in itertools.groupby(
        frequencies, key=lambda r: (r[0], r[1], r[2] or "")
    ):
        counts: Sequence[tuple[Decimal, int]] = [(Decimal(r[3]), r[4]) for r in rows]
        result.append(
            KeyedSpread(element, ratio, grade, providers[(element, ratio, grade)], spread_from_counts(counts))
        )
    return result
