"""Three-way match: each invoice line against the order line it bills (what was ordered, at what
price) and the goods received on it, less what earlier invoices already billed; within the
consortium's tolerances an invoice pays itself, otherwise it waits with the reasons.

Pure arithmetic over plain values, so the rules are tested (and benchmarked) without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from consortium.core.money import pounds, to_penny


@dataclass(frozen=True)
class Tolerance:
    price_percent: Decimal
    price_amount: Decimal
    quantity_percent: Decimal


@dataclass(frozen=True)
class OrderedLine:
    """What the order says about one line, and what has happened to it since."""

    position: int
    name: str
    quantity: int
    received: int
    unit_price: Decimal
    vat_rate: Decimal
    invoiced_before: Decimal  # quantity billed by earlier counted invoices, less credit notes


@dataclass(frozen=True)
class BilledLine:
    position: int  # the invoice's own line number
    ordered: OrderedLine | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal


def _qty(value: Decimal | int) -> str:
    d = Decimal(value)
    return f"{d:,.0f}" if d == d.to_integral() else f"{d.normalize():,f}"


def reasons_for(lines: list[BilledLine], tolerance: Tolerance, *, credit_note: bool) -> list[str]:
    """Why these lines cannot be paid without a person looking: [] when they match."""
    reasons: list[str] = []
    billed: dict[int, Decimal] = {}
    for ln in lines:
        what = f"Line {ln.position} ({ln.description[:60]})"
        o = ln.ordered
        if o is None:
            reasons.append(f"{what} is not on the order.")
            continue
        if ln.vat_rate != o.vat_rate:
            reasons.append(f"{what} charges VAT at {_qty(ln.vat_rate)}%; the order says {_qty(o.vat_rate)}%.")
        # Several invoice lines may bill one order line: they count together.
        billed[o.position] = billed.get(o.position, Decimal(0)) + ln.quantity
        if credit_note:
            if ln.unit_price > o.unit_price:
                reasons.append(
                    f"{what} credits {pounds(ln.unit_price)} a unit, more than the order's {pounds(o.unit_price)}."
                )
            continue
        over = to_penny((ln.unit_price - o.unit_price) * ln.quantity)
        allowed = max(
            to_penny(o.unit_price * ln.quantity * tolerance.price_percent / 100), tolerance.price_amount
        )
        if over > allowed:
            reasons.append(
                f"{what} is priced at {pounds(ln.unit_price)} a unit; the order says {pounds(o.unit_price)} "
                f"({pounds(over)} more over the line, beyond the {pounds(allowed)} allowed)."
            )
    for ln in lines:
        o = ln.ordered
        if o is None or o.position not in billed:
            continue
        total = billed.pop(o.position)
        if credit_note:
            if total > o.invoiced_before:
                reasons.append(
                    f"Order line {o.position} ({o.name[:60]}): credits {_qty(total)} but only "
                    f"{_qty(o.invoiced_before)} were invoiced."
                )
            continue
        limit = Decimal(o.received) * (1 + tolerance.quantity_percent / 100)
        if o.invoiced_before + total > limit:
            before = f" ({_qty(o.invoiced_before)} invoiced before)" if o.invoiced_before else ""
            reasons.append(
                f"Order line {o.position} ({o.name[:60]}): invoices {_qty(total)}{before} but "
                f"{_qty(o.received)} of {_qty(o.quantity)} have been received."
            )
    return reasons
