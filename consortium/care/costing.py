"""The care costing engine: pure functions over Decimal, no database.

Rules (docs/care.md states them for commissioners):

1. A line is unit price × weekly quantity, rounded half-up to the penny; the
   weekly total is the sum of the rounded lines.
2. A home whose highest level of care is below the client's is not offered, and
   the reason is given. An element the client needs that the menu lacks makes
   the quote incomplete, naming the element.
3. A price quoted at 1:n for a client who needs 1:m with m < n is scaled by n/m
   before the line is rounded, and marked as an estimate; with m ≥ n the quoted
   price stands. Of several prices for one element, the one at the largest n
   not above m is used (no scaling); failing that, the smallest n above m.
4. Within budget when the total ≤ the weekly budget, else over by the difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from consortium.care.constants import ACCOMMODATION_ELEMENT, ELEMENT_RULES, Element, Grade
from consortium.core.money import to_penny

ZERO = Decimal("0")


@dataclass(frozen=True)
class Need:
    """One element a client needs each week."""

    element: str
    quantity: Decimal  # weekly: weeks, hours, nights or days
    ratio: int | None = None  # the client needs 1 carer to this many clients
    grade: str | None = None


@dataclass(frozen=True)
class ClientNeeds:
    level_rank: int
    level_name: str
    weekly_budget: Decimal | None
    needs: tuple[Need, ...]


@dataclass(frozen=True)
class MenuPrice:
    element: str
    unit_price: Decimal
    ratio: int | None = None  # priced at 1 carer to this many clients
    grade: str | None = None


@dataclass(frozen=True)
class Menu:
    menu_id: int | str
    home_name: str
    provider_name: str
    highest_level_rank: int
    highest_level_name: str
    prices: tuple[MenuPrice, ...]


@dataclass(frozen=True)
class QuoteLine:
    element: str
    quantity: Decimal
    quoted_unit_price: Decimal  # as on the menu
    unit_price: Decimal  # after any ratio scaling; what the line is costed at
    quoted_ratio: int | None
    needed_ratio: int | None
    grade: str | None
    is_estimate: bool
    total: Decimal  # rounded to the penny


@dataclass(frozen=True)
class Quote:
    menu: Menu
    offered: bool
    reason: str  # why not offered, when it is not
    lines: tuple[QuoteLine, ...] = ()
    missing: tuple[str, ...] = ()  # elements needed that the menu lacks
    total: Decimal = ZERO
    weekly_budget: Decimal | None = None

    @property
    def complete(self) -> bool:
        return self.offered and not self.missing

    @property
    def has_estimates(self) -> bool:
        return any(line.is_estimate for line in self.lines)

    @property
    def within_budget(self) -> bool | None:
        if self.weekly_budget is None:
            return None
        return self.total <= self.weekly_budget

    @property
    def over_budget_by(self) -> Decimal:
        if self.weekly_budget is None or self.total <= self.weekly_budget:
            return ZERO
        return self.total - self.weekly_budget

    @property
    def budget_status(self) -> str:
        if self.weekly_budget is None:
            return "no budget set"
        if self.within_budget:
            return "within budget"
        return f"over by £{self.over_budget_by:,.2f}"


def needs_from_assessment(values: Mapping[str, object]) -> tuple[Need, ...]:
    """The weekly needs implied by an About Client record (field names as in the template)."""

    def dec(name: str) -> Decimal:
        value = values.get(name)
        return Decimal(str(value)) if value not in (None, "") else ZERO

    def ratio(name: str) -> int | None:
        value = values.get(name)
        return int(str(value)) if value not in (None, "", 0) else None

    grade = str(values.get("one_to_one_grade") or Grade.DOMICILIARY)
    needs: list[Need] = []
    accommodation = values.get("accommodation_type")
    if accommodation:
        needs.append(Need(ACCOMMODATION_ELEMENT[str(accommodation)], Decimal(1)))
    if dec("supplements") > 0:
        needs.append(Need(Element.SUPPLEMENT, dec("supplements")))
    for element, qty, rat in (
        (Element.DAYTIME_SHARED, "daytime_hours", "daytime_ratio"),
        (Element.NIGHT_SLEEPING, "night_sleeping_nights", "night_sleeping_ratio"),
        (Element.NIGHT_WAKING, "night_waking_nights", "night_waking_ratio"),
    ):
        if dec(qty) > 0:
            needs.append(Need(element, dec(qty), ratio=ratio(rat) or 1))
    for element, qty in (
        (Element.ONE_TO_ONE, "one_to_one_hours"),
        (Element.ONE_TO_ONE_DAY_SHIFT, "one_to_one_day_shifts"),
        (Element.ONE_TO_ONE_NIGHT_SHIFT, "one_to_one_night_shifts"),
    ):
        if dec(qty) > 0:
            needs.append(Need(element, dec(qty), grade=grade))
    for element, qty in (
        (Element.SPECIALIST, "specialist_hours"),
        (Element.LIFE_SKILLS, "life_skills_hours"),
        (Element.TRANSITION, "transition_hours"),
    ):
        if dec(qty) > 0:
            needs.append(Need(element, dec(qty)))
    return tuple(needs)


def _choose_price(need: Need, prices: Iterable[MenuPrice]) -> MenuPrice | None:
    rule = ELEMENT_RULES[need.element]
    candidates = [
        p for p in prices if p.element == need.element and (not rule.has_grade or p.grade == need.grade)
    ]
    if not candidates:
        return None
    if not rule.has_ratio or need.ratio is None:
        return candidates[0]
    m = need.ratio
    unscaled = [p for p in candidates if (p.ratio or 1) <= m]
    if unscaled:
        return max(unscaled, key=lambda p: p.ratio or 1)
    return min(candidates, key=lambda p: p.ratio or 1)


def cost_line(need: Need, price: MenuPrice) -> QuoteLine:
    unit = price.unit_price
    estimate = False
    if ELEMENT_RULES[need.element].has_ratio and need.ratio and price.ratio and need.ratio < price.ratio:
        unit = price.unit_price * Decimal(price.ratio) / Decimal(need.ratio)
        estimate = True
    return QuoteLine(
        element=need.element,
        quantity=need.quantity,
        quoted_unit_price=price.unit_price,
        unit_price=unit,
        quoted_ratio=price.ratio,
        needed_ratio=need.ratio,
        grade=need.grade,
        is_estimate=estimate,
        total=to_penny(unit * need.quantity),
    )


def quote(client: ClientNeeds, menu: Menu) -> Quote:
    if menu.highest_level_rank < client.level_rank:
        return Quote(
            menu=menu,
            offered=False,
            reason=f"{menu.home_name} caters for up to {menu.highest_level_name} care; "
            f"the client needs {client.level_name}.",
            weekly_budget=client.weekly_budget,
        )
    lines: list[QuoteLine] = []
    missing: list[str] = []
    for need in client.needs:
        price = _choose_price(need, menu.prices)
        if price is None:
            missing.append(need.element)
        else:
            lines.append(cost_line(need, price))
    return Quote(
        menu=menu,
        offered=True,
        reason="",
        lines=tuple(lines),
        missing=tuple(missing),
        total=sum((line.total for line in lines), ZERO),
        weekly_budget=client.weekly_budget,
    )


@dataclass(frozen=True)
class AgreedLine:
    element: str
    quoted_total: Decimal
    agreed_unit_price: Decimal
    agreed_quantity: Decimal

    @property
    def agreed_total(self) -> Decimal:
        return to_penny(self.agreed_unit_price * self.agreed_quantity)


@dataclass(frozen=True)
class NegotiationOutcome:
    quoted_total: Decimal
    agreed_total: Decimal
    weeks_per_year: int
    lines: tuple[AgreedLine, ...] = field(default=())

    @property
    def weekly_saving(self) -> Decimal:
        return self.quoted_total - self.agreed_total

    @property
    def annual_saving(self) -> Decimal:
        return self.weekly_saving * self.weeks_per_year


def negotiate(lines: Iterable[AgreedLine], *, weeks_per_year: int = 52) -> NegotiationOutcome:
    """Weekly saving = quoted total − agreed total; annual = weekly × weeks a year."""
    lines = tuple(lines)
    return NegotiationOutcome(
        quoted_total=sum((line.quoted_total for line in lines), ZERO),
        agreed_total=sum((line.agreed_total for line in lines), ZERO),
        weeks_per_year=weeks_per_year,
        lines=lines,
    )


def saving_at_median(quoted_unit_price: Decimal, median: Decimal, quantity: Decimal) -> Decimal:
    """What agreeing an element at the benchmark median would save each week."""
    return max(ZERO, to_penny(quoted_unit_price * quantity) - to_penny(median * quantity))
