"""Benchmark spreads under disclosure control, per element (ratio, grade) and per viewer.

The database is asked once per population for each provider's total and number of rates per
element, ratio, grade and council (a GROUP BY; no rate leaves the database one by one). From
that, every *view* is computed in Decimal:

- the consortium's view: every council's rates (consortium officers, who contribute none);
- each contributing council's view: every *other* council's rates. A commissioner never sees a
  figure their own placements moved, so adding placements cannot be used to difference out a
  provider's rate, and they cannot subtract their own rates from a published figure;
- each provider's view: every other provider's values (a provider cannot subtract itself).

In each view a provider contributes one value, the mean of its rates there, and the spread is
`statistics.protected_spread` of those values. The threshold (at least k providers) is applied
when a view is read, so raising the setting takes effect at once; docs/security.md states the
rule and the threat.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from consortium.care.constants import Population
from consortium.care.models import BenchmarkStatistic, CommissionedRate, PriceMenuItem
from consortium.care.statistics import ENDS_WINDOW, Spread, protected_spread
from consortium.organisations.constants import ADULT_SOCIAL_CARE_KINDS

Key = tuple[str, int | None, str]
# The floor below which no setting can lower the providers threshold.
MIN_PROVIDERS_FLOOR = 5


def min_providers(setting: int) -> int:
    return max(MIN_PROVIDERS_FLOOR, setting)


@dataclass(frozen=True)
class Contribution:
    key: Key
    provider: int
    council: int | None  # None: quoted prices, which no council contributes
    total: Decimal
    rates: int


@dataclass(frozen=True)
class ViewSpread:
    element: str
    ratio: int | None
    grade: str
    excluded_council: int | None
    excluded_provider: int | None
    providers: int
    rates: int
    spread: Spread | None  # None when fewer than three providers: nothing can be shown


def contributions(population: QuerySet, *, council_field: str | None = "council_id") -> list[Contribution]:  # type: ignore[type-arg]
    """Per (element, ratio, grade, provider, council): the sum and number of rates. The query
    set needs those columns, `unit_price` and `provider_id` (annotate where they are a join away)."""
    fields = ["element", "ratio", "grade", "provider_id"] + ([council_field] if council_field else [])
    rows = population.order_by().values_list(*fields).annotate(total=Sum("unit_price"), rates=Count("*"))
    out = []
    for row in rows:
        element, ratio, grade, provider = row[:4]
        council = row[4] if council_field else None
        out.append(Contribution((element, ratio, grade or ""), provider, council, Decimal(row[-2]), row[-1]))
    return out


def _spread_of(by_provider: dict[int, tuple[Decimal, int]]) -> tuple[int, int, Spread | None]:
    values = [total / n for total, n in by_provider.values() if n]
    rates = sum(n for _, n in by_provider.values())
    if len(values) < ENDS_WINDOW:
        return len(values), rates, None
    return len(values), rates, protected_spread(values, count=rates)


def _providers_in(rows: Iterable[Contribution]) -> dict[int, tuple[Decimal, int]]:
    """Each provider's total and number of rates over these contributions."""
    acc: dict[int, tuple[Decimal, int]] = {}
    for r in rows:
        total, n = acc.get(r.provider, (Decimal(0), 0))
        acc[r.provider] = (total + r.total, n + r.rates)
    return acc


def views(items: Iterable[Contribution]) -> list[ViewSpread]:
    """Every view of every cell (see the module's docstring)."""
    cells: dict[Key, list[Contribution]] = defaultdict(list)
    for c in items:
        cells[c.key].append(c)
    out: list[ViewSpread] = []
    for (element, ratio, grade), contribs in sorted(
        cells.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0, kv[0][2])
    ):
        everyone = _providers_in(contribs)
        n, rates, spread = _spread_of(everyone)
        out.append(ViewSpread(element, ratio, grade, None, None, n, rates, spread))
        for council in sorted({c.council for c in contribs if c.council is not None}):
            n, rates, spread = _spread_of(_providers_in(c for c in contribs if c.council != council))
            out.append(ViewSpread(element, ratio, grade, council, None, n, rates, spread))
        for provider in sorted(everyone):
            others = {p: v for p, v in everyone.items() if p != provider}
            n, rates, spread = _spread_of(others)
            out.append(ViewSpread(element, ratio, grade, None, provider, n, rates, spread))
    return out


def rebuild(*, on: dt.date | None = None) -> int:
    """Recompute every benchmark view, both populations. Returns how many were stored.

    Commissioned rates count only from councils with adult social care duties (the only ones
    that place clients); quoted prices are the menus in force on `on`."""
    from django.db.models import F, Q

    on = on or timezone.localdate()
    commissioned = CommissionedRate.objects.filter(council__kind__in=ADULT_SOCIAL_CARE_KINDS).order_by()
    quoted = (
        PriceMenuItem.objects.filter(menu__effective_from__lte=on)
        .filter(Q(menu__effective_to__isnull=True) | Q(menu__effective_to__gte=on))
        .annotate(provider_id=F("menu__home__provider_id"))
        .order_by()
    )
    now = timezone.now()
    rows = [
        BenchmarkStatistic(
            population=population,
            element=v.element,
            ratio=v.ratio,
            grade=v.grade,
            excluded_council_id=v.excluded_council,
            excluded_provider_id=v.excluded_provider,
            count=v.rates,
            providers=v.providers,
            minimum=v.spread.minimum if v.spread else None,
            lower_quartile=v.spread.lower_quartile if v.spread else None,
            median=v.spread.median if v.spread else None,
            upper_quartile=v.spread.upper_quartile if v.spread else None,
            maximum=v.spread.maximum if v.spread else None,
            computed_at=now,
        )
        for population, qs, council_field in (
            (Population.COMMISSIONED, commissioned, "council_id"),
            (Population.QUOTED, quoted, None),
        )
        for v in views(contributions(qs, council_field=council_field))
    ]
    with transaction.atomic():
        BenchmarkStatistic.objects.all().delete()
        BenchmarkStatistic.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
