"""Benchmark statistics, computed as Excel's QUARTILE.INC and PERCENTILE.INC do.

PERCENTILE.INC(values, p): sort; rank = p × (n − 1); interpolate linearly
between the values either side of the rank. PostgreSQL's percentile_cont is the
same definition, which lets the database compute it for large populations.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from consortium.core.money import to_penny


def percentile_inc(sorted_values: Sequence[Decimal], p: Decimal) -> Decimal:
    if not sorted_values:
        raise ValueError("no values")
    if not Decimal(0) <= p <= Decimal(1):
        raise ValueError("p must be between 0 and 1")
    rank = p * (len(sorted_values) - 1)
    lower = int(rank)
    fraction = rank - lower
    if lower + 1 >= len(sorted_values):
        return sorted_values[lower]
    below, above = sorted_values[lower], sorted_values[lower + 1]
    return below + fraction * (above - below)


@dataclass(frozen=True)
class Spread:
    """count, min, lower quartile, median, upper quartile, max (exact; round to show)."""

    count: int
    minimum: Decimal
    lower_quartile: Decimal
    median: Decimal
    upper_quartile: Decimal
    maximum: Decimal

    def rounded(self) -> Spread:
        return Spread(
            self.count,
            to_penny(self.minimum),
            to_penny(self.lower_quartile),
            to_penny(self.median),
            to_penny(self.upper_quartile),
            to_penny(self.maximum),
        )

    def position_of(self, value: Decimal) -> str:
        """Where a price sits: 'below minimum', 'lowest quarter', ..., 'above maximum'."""
        if value < self.minimum:
            return "below minimum"
        if value > self.maximum:
            return "above maximum"
        if value < self.lower_quartile:
            return "lowest quarter"
        if value <= self.median:
            return "below median"
        if value <= self.upper_quartile:
            return "above median"
        return "highest quarter"


def spread(values: Iterable[Decimal]) -> Spread:
    ordered = sorted(values)
    return Spread(
        count=len(ordered),
        minimum=ordered[0],
        lower_quartile=percentile_inc(ordered, Decimal("0.25")),
        median=percentile_inc(ordered, Decimal("0.5")),
        upper_quartile=percentile_inc(ordered, Decimal("0.75")),
        maximum=ordered[-1],
    )


def spread_from_counts(counts: Sequence[tuple[Decimal, int]]) -> Spread:
    """The same spread from a frequency table: (value, occurrences) pairs in ascending value order."""
    n = sum(c for _, c in counts)
    if n == 0:
        raise ValueError("no values")
    # Cumulative end index (exclusive) of each distinct value in the sorted multiset.
    ends = list(itertools.accumulate(c for _, c in counts))

    def at(index: int) -> Decimal:
        return counts[bisect.bisect_right(ends, index)][0]

    def percentile(p: Decimal) -> Decimal:
        rank = p * (n - 1)
        lower = int(rank)
        fraction = rank - lower
        below = at(lower)
        if lower + 1 >= n or fraction == 0:
            return below
        return below + fraction * (at(lower + 1) - below)

    return Spread(
        count=n,
        minimum=counts[0][0],
        lower_quartile=percentile(Decimal("0.25")),
        median=percentile(Decimal("0.5")),
        upper_quartile=percentile(Decimal("0.75")),
        maximum=counts[-1][0],
    )


# --- disclosure control ---------------------------------------------------------------------
#
# A benchmark shared across councils must not reveal any provider's rate. The rule (stated in
# docs/security.md with the attacks it stops) is applied to *provider values* — one figure per
# provider, the mean of its rates in the viewer's scope — never to individual rates, so no
# provider weighs more than another however many placements it has:
#
# 1. No end is one provider's price: the low and high ends are the means of the three lowest
#    and three highest provider values (never an exact minimum or maximum).
# 2. No quartile is one provider's price: PERCENTILE.INC over provider values, except that a
#    quartile landing exactly on one provider's value is the mean of that value and its two
#    neighbours.
# The threshold (at least k providers, k never below 5) and the viewer's own contributions
# being left out are applied by the caller (`consortium.care.benchmarks`).

ENDS_WINDOW = 3


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def _protected_quantile(ordered: Sequence[Decimal], p: Decimal) -> Decimal:
    n = len(ordered)
    rank = p * (n - 1)
    lower = int(rank)
    fraction = rank - lower
    if fraction == 0:
        start = min(max(lower - 1, 0), n - ENDS_WINDOW)
        return _mean(ordered[start : start + ENDS_WINDOW])
    return ordered[lower] + fraction * (ordered[lower + 1] - ordered[lower])


def protected_spread(provider_values: Iterable[Decimal], *, count: int | None = None) -> Spread:
    """The published spread of provider values under the disclosure-control rule above.

    `count` is the number of rates behind the values (shown, not used). Needs at least three
    provider values (ValueError otherwise); the caller withholds anything under its threshold."""
    ordered = sorted(provider_values)
    if len(ordered) < ENDS_WINDOW:
        raise ValueError(f"at least {ENDS_WINDOW} provider values are needed")
    lower_quartile = _protected_quantile(ordered, Decimal("0.25"))
    upper_quartile = _protected_quantile(ordered, Decimal("0.75"))
    return Spread(
        count=count if count is not None else len(ordered),
        minimum=min(_mean(ordered[:ENDS_WINDOW]), lower_quartile),
        lower_quartile=lower_quartile,
        median=_protected_quantile(ordered, Decimal("0.5")),
        upper_quartile=upper_quartile,
        maximum=max(_mean(ordered[-ENDS_WINDOW:]), upper_quartile),
    )
