from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def field_error(errors: dict[str, str] | None, name: str) -> str:
    """The error message for one field, or an empty string."""
    return (errors or {}).get(name, "")


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def plain_errors(form_errors: Any) -> dict[str, str]:
    """A Django form's errors as {field: message}, the shape our error summary takes."""
    return {field: " ".join(str(m) for m in messages) for field, messages in (form_errors or {}).items()}


@register.filter
def pairs(mapping: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """A dict's items in key order. Templates can't call .items() on a dict that has an 'items' key."""
    return sorted((mapping or {}).items())


# GOV.UK tag colours by meaning: blue waiting on someone, green done well, yellow in progress,
# red refused or ended early, grey finished or not started.
STATUS_COLOURS = {
    "awaiting_approval": "blue",
    "pending": "blue",
    "demand": "blue",
    "open": "blue",
    "draft": "grey",
    "preparation": "grey",
    "submitted": "blue",
    "approved": "green",
    "sent_to_supplier": "light-blue",
    "acknowledged": "light-blue",
    "dispatched": "yellow",
    "part_delivered": "yellow",
    "evaluation": "yellow",
    "standstill": "yellow",
    "delivered": "green",
    "placed": "green",
    "live": "green",
    "awarded": "green",
    "closed": "grey",
    "expired": "grey",
    "withdrawn": "grey",
    "rejected": "red",
    "cancelled": "red",
}


@register.filter
def status_colour(status: str) -> str:
    """The GOV.UK tag modifier for a status, by what it means to the person reading it."""
    return STATUS_COLOURS.get(str(status), "grey")


@register.filter
def page_numbers(page: Any) -> list[int | None]:
    """GOV.UK pagination's numbers for a Django page: first, last and those around the current
    one; None where numbers are left out."""
    return [
        n if isinstance(n, int) else None
        for n in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    ]


@register.simple_tag
def row_field(prefix: str, key: Any) -> str:
    """The input name of one row's field in a multi-row form: row_field "quantity" 3 → quantity_3."""
    return f"{prefix}_{key}"


@register.simple_tag
def date_parts(form: Any, name: str, value: Any = None) -> tuple[str, str, str]:
    """Day, month and year for a GOV.UK date input: as typed when the form came back with
    errors, else from the stored date (a date, or text such as 15/12/2026 or 2026-12-15)."""
    import datetime as dt

    if form and any(f"{name}-{p}" in form for p in ("day", "month", "year")):
        return (form.get(f"{name}-day", ""), form.get(f"{name}-month", ""), form.get(f"{name}-year", ""))
    if isinstance(value, str) and value:
        from consortium.core.dates import parse_date

        try:
            value = parse_date(value)
        except ValueError:
            return ("", "", "")
    if isinstance(value, dt.date):
        return (str(value.day), str(value.month), str(value.year))
    return ("", "", "")


@register.filter
def values_of(mapping: Any, key: str) -> list[str]:
    """Every value posted under `key` (checkboxes), or none."""
    if mapping is None:
        return []
    getlist = getattr(mapping, "getlist", None)
    if getlist is not None:
        return list(getlist(key))
    value = mapping.get(key) if hasattr(mapping, "get") else None
    return value if isinstance(value, list) else ([value] if value else [])
