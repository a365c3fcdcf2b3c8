"""The home page's task list: what is waiting for this person, with counts and links.

Each system contributes its own items through a provider registered in its AppConfig.ready(),
so the page that shows them (in organisations) imports no system, and a new system adds its
work by registering one function. A provider returns only what the actor may open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WorkItem:
    """ "2 orders waiting for your approval": a count, what it counts, and where to do it."""

    count: int
    singular: str
    plural: str
    url: str
    order: int = 50  # lower first

    @property
    def label(self) -> str:
        return f"{self.count} {self.singular if self.count == 1 else self.plural}"


Provider = Callable[[Any], list[WorkItem]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def work_for(actor: Any) -> list[WorkItem]:
    """Every item with something waiting (count above 0), most pressing first."""
    items = [item for provider in _PROVIDERS for item in provider(actor) if item.count > 0]
    return sorted(items, key=lambda i: (i.order, i.singular))
