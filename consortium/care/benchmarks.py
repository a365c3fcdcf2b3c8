"""Computing benchmark spreads over a population of unit prices, in the database where it can.

PostgreSQL: percentile_cont is PERCENTILE.INC's definition but works in double
precision. Commissioned unit prices have at most 4 decimal places and quartile
ranks fall on quarters, so the exact quartile has at most 6 decimal places;
rounding the double result to 6 places recovers it exactly (the double error is
around 1e-12). SQLite: the values are read in order and `statistics.spread`
computes them in Decimal.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from consortium.care.statistics import Spread, spread


@dataclass(frozen=True)
class KeyedSpread:
    element: str
    ratio: int | None
    grade: str
    providers: int
    spread: Spread


_PG_SQL = """
SELECT element, ratio, grade, count(*), count(DISTINCT provider_id), min(unit_price),
       round(percentile_cont(0.25) WITHIN GROUP (ORDER BY unit_price)::numeric, 6),
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY unit_price)::numeric, 6),
       round(percentile_cont(0.75) WITHIN GROUP (ORDER BY unit_price)::numeric, 6),
       max(unit_price)
FROM ({inner}) AS population
GROUP BY element, ratio, grade
"""


def spreads(population: QuerySet) -> list[KeyedSpread]:  # type: ignore[type-arg]
    """Spreads per (element, ratio, grade) of a query set with those columns plus
    `unit_price` and `provider_id` (annotated where the provider is a join away)."""
    rows = population.values_list("element", "ratio", "grade", "unit_price", "provider_id")
    if connection.vendor == "postgresql":
        inner, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(_PG_SQL.format(inner=inner), params)
            return [
                KeyedSpread(
                    element=r[0],
                    ratio=r[1],
                    grade=r[2] or "",
                    providers=r[4],
                    spread=Spread(
                        r[3], Decimal(r[5]), Decimal(r[6]), Decimal(r[7]), Decimal(r[8]), Decimal(r[9])
                    ),
                )
                for r in cursor.fetchall()
            ]
    return _spreads_in_python(rows.order_by("element", "ratio", "grade", "unit_price"))


def _spreads_in_python(rows: Iterable[tuple]) -> list[KeyedSpread]:  # type: ignore[type-arg]
    result = []
    for (element, ratio, grade), group in itertools.groupby(rows, key=lambda r: (r[0], r[1], r[2])):
        members = list(group)
        result.append(
            KeyedSpread(
                element=element,
                ratio=ratio,
                grade=grade or "",
                providers=len({m[4] for m in members}),
                spread=spread(Decimal(m[3]) for m in members),
            )
        )
    return result
