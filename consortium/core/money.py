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


def parse_pounds(value: object, *, maximum: Decimal = Decimal("100000000")) -> Decimal:
    """Pounds and pence as typed ("£1,234.5", "12", Decimal) → Decimal to the penny.

    Raises ValueError with a message a person can act on; callers name the field or cell.
    """
    from decimal import InvalidOperation

    text = str(value).strip().replace(",", "").removeprefix("£").strip()
    if not text:
        raise ValueError("Enter an amount in pounds, for example 1250.00")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("Enter an amount in pounds, for example 1250.00") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError("Enter an amount of £0 or more")
    if amount >= maximum:
        raise ValueError(f"Enter an amount below £{maximum:,}")
    if amount != amount.quantize(PENNY):
        raise ValueError("Enter pounds and pence, with no more than two decimal places")
    return amount.quantize(PENNY)
