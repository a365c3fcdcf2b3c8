from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from consortium.core.money import to_penny

register = template.Library()


@register.filter
def pounds(value: Any) -> str:
    """£1,234.50, or a dash for nothing."""
    if value is None or value == "":
        return "—"
    return f"£{to_penny(Decimal(str(value))):,.2f}"


@register.filter
def sum_of(rows: Any, key: str) -> Decimal:
    """The total of one column of a table's rows (dicts): for the totals row under a table."""
    return sum((Decimal(str(r.get(key) or 0)) for r in rows or []), Decimal(0))
