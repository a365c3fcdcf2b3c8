"""Money: Decimal pounds, rounded half-up to the penny at stated points only."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")


def to_penny(amount: Decimal) -> Decimal:
    """Round half-up to the penny: £1.005 → £1.01."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def pounds(amount: Decimal) -> str:
    """£1,234.50 — for messages and exports."""
    return f"£{to_penny(amount):,.2f}"
