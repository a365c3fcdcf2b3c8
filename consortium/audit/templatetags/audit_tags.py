from __future__ import annotations

from django import template
from django.core.paginator import Paginator

from consortium.audit.labels import action_label as _action_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return _action_label(action)


@register.filter
def page_range(paginator: Paginator, current: int) -> list[int | None]:
    """GOV.UK pagination's numbers: first, last, and those around the current page; None for a gap."""
    return [
        n if isinstance(n, int) else None
        for n in paginator.get_elided_page_range(current, on_each_side=1, on_ends=1)
    ]
