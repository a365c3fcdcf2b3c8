"""Figures other systems add to the MI page (invoiced and paid spend, from supplier invoices),
registered in their AppConfig.ready() so the MI page imports no system of a higher layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Panel:
    """A titled row of figures: (label, value as shown) pairs, the period they cover, a link."""

    title: str
    period: str
    figures: list[tuple[str, str]] = field(default_factory=list)
    link: tuple[str, str] | None = None  # (text, url)
    note: str = ""


Provider = Callable[[Any], Panel | None]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def panels_for(actor: Any) -> list[Panel]:
    """Every registered panel the actor may see (a provider returns None for those who may not)."""
    return [p for p in (provider(actor) for provider in _PROVIDERS) if p is not None]
