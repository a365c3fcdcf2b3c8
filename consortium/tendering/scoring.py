"""Scoring: the award criteria tree's weights, price and whole-life cost scores, totals and
ranking. Pure Decimal arithmetic with no database, so each rule is unit- and property-tested.

Rounding is stated once: each criterion's weighted score is rounded half-up to two places,
and a total is the sum of the rounded parts (so the parts shown add up to the total shown).
Whole-life costs are rounded to the penny at the end.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def _two(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CriterionNode:
    id: int
    parent_id: int | None
    title: str
    weight: Decimal  # per cent of its parent (of the whole, at the top)
    kind: str = "quality"


def weight_problems(nodes: Iterable[CriterionNode]) -> list[str]:
    """Each level of the tree must share out exactly 100%."""
    children: dict[int | None, list[CriterionNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    problems = []
    if not children[None]:
        return ["Add at least one award criterion"]
    titles = {n.id: n.title for group in children.values() for n in group}
    for parent_id, group in children.items():
        total = sum((n.weight for n in group), Decimal(0))
        if total != HUNDRED:
            where = (
                "The top-level criteria"
                if parent_id is None
                else f"The sub-criteria of “{titles.get(parent_id, parent_id)}”"
            )
            problems.append(f"{where} add up to {total.normalize():f}%, not 100%")
        for n in group:
            if n.weight <= 0:
                problems.append(f"“{n.title}” needs a weight above 0%")
    return problems


def effective_weights(nodes: Iterable[CriterionNode]) -> dict[int, Decimal]:
    """Each leaf's share of the whole, in per cent: the product of the weights on its path."""
    nodes = list(nodes)
    by_id = {n.id: n for n in nodes}
    parents = {n.parent_id for n in nodes if n.parent_id is not None}
    weights: dict[int, Decimal] = {}
    for n in nodes:
        if n.id in parents:
            continue
        share = n.weight
        parent = n.parent_id
        while parent is not None:
            share = share * by_id[parent].weight / HUNDRED
            parent = by_id[parent].parent_id
        weights[n.id] = share
    return weights


def kind_share(nodes: Iterable[CriterionNode], kind: str) -> Decimal:
    nodes = list(nodes)
    weights = effective_weights(nodes)
    kinds = {n.id: n.kind for n in nodes}
    return sum((w for i, w in weights.items() if kinds[i] == kind), Decimal(0))


def quality_points(score: int | Decimal, scale_max: int, weight: Decimal) -> Decimal:
    """A judged score on its scale, as points of the criterion's weight."""
    if not 0 <= Decimal(score) <= scale_max:
        raise ValueError(f"A score must be from 0 to {scale_max}")
    return _two(Decimal(score) / Decimal(scale_max) * weight)


def price_points(lowest: Decimal, price: Decimal, weight: Decimal) -> Decimal:
    """Lowest price ÷ bid price × weight (the same for whole-life costs: lowest cost wins all)."""
    if price <= 0 or lowest <= 0:
        raise ValueError("Prices must be above zero to be compared")
    return _two(lowest / price * weight)


@dataclass(frozen=True)
class CostProfile:
    """What a bidder states for whole-life costing, in pounds ex VAT."""

    acquisition: Decimal
    annual_running: Decimal = Decimal(0)
    annual_maintenance: Decimal = Decimal(0)
    end_of_life: Decimal = Decimal(0)
    residual_value: Decimal = Decimal(0)
    annual_emissions: Decimal = Decimal(0)  # tCO2e a year, priced when the tender prices carbon


def whole_life_cost(
    profile: CostProfile, years: int, discount_rate_percent: Decimal, carbon_price: Decimal = Decimal(0)
) -> Decimal:
    """Acquisition now, plus running and maintenance (and, where the tender prices carbon, the
    stated tonnes a year × the price per tonne) at the end of each year and end-of-life costs at
    the end of the last, less the residual value then, each discounted to today at the stated
    rate: cost_t / (1 + r)^t. Rounded half-up to the penny."""
    if years < 1:
        raise ValueError("A whole-life cost needs a life of at least one year")
    rate = Decimal(discount_rate_percent) / HUNDRED
    factor = Decimal(1) + rate
    total = Decimal(profile.acquisition)
    yearly = Decimal(profile.annual_running) + Decimal(profile.annual_maintenance)
    yearly += Decimal(profile.annual_emissions) * Decimal(carbon_price)
    for year in range(1, years + 1):
        total += yearly / factor**year
    total += (Decimal(profile.end_of_life) - Decimal(profile.residual_value)) / factor**years
    return _two(total)


@dataclass(frozen=True)
class BidResult:
    bid_id: int
    points: Mapping[int, Decimal]  # criterion id -> weighted points (rounded)
    quality: Decimal  # points from quality and social value criteria
    price: Decimal  # the price (or whole-life cost) compared
    submitted_at: dt.datetime

    @property
    def total(self) -> Decimal:
        return sum(self.points.values(), Decimal(0))


def rank(results: Iterable[BidResult]) -> list[tuple[int, BidResult]]:
    """(rank, result), best first. Ties on total go to the higher quality score, then the lower
    price, then the earlier final submission; the bid id only makes the order total."""
    ordered = sorted(results, key=lambda r: (-r.total, -r.quality, r.price, r.submitted_at, r.bid_id))
    return [(i + 1, r) for i, r in enumerate(ordered)]
