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
