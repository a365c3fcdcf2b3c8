from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from consortium.care.constants import Element
from consortium.core.templatetags.money import pounds

register = template.Library()


@register.filter
def element_label(code: str) -> str:
    try:
        return str(Element(code).label)
    except ValueError:
        return code


register.filter("pounds", pounds)


@register.filter
def unit_pounds(value: Any) -> str:
    """A unit price: pennies, or 4 places when a ratio scaling left a fraction of a penny."""
    if value is None or value == "":
        return "—"
    d = Decimal(str(value))
    return f"£{d:,.2f}" if d == d.quantize(Decimal("0.01")) else f"£{d.normalize():,f}"


@register.filter
def qty(value: Any) -> str:
    d = Decimal(str(value))
    return f"{d.normalize():f}" if d == d.to_integral() else f"{d:f}".rstrip("0").rstrip(".")
