"""Template tags for pages outside the orders app that offer its features (an item's page
offers "Save to a list"), without the catalogue importing the orders app."""

from __future__ import annotations

from typing import Any

from django import template

from consortium.core.errors import PermissionDenied

register = template.Library()


@register.simple_tag
def saved_lists_of(actor: Any) -> list[Any]:
    """The actor's organisation's saved lists, or none for those who have no lists."""
    from consortium.orders.selectors import saved_lists_for

    try:
        return list(saved_lists_for(actor))
    except PermissionDenied:
        return []
