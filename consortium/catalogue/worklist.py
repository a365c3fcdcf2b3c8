"""What waits in the catalogue: suppliers' new prices for the category manager's decision."""

from __future__ import annotations

from django.urls import reverse

from consortium.catalogue.constants import PriceChangeStatus
from consortium.catalogue.models import PriceChange
from consortium.core.worklist import WorkItem
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission


def items_for(actor: Actor) -> list[WorkItem]:
    if not (actor.has(Permission.PRICE_CHANGES_DECIDE) and actor.organisation.is_consortium):
        return []
    # Never one's own (separation of duties): those wait for someone else.
    pending = PriceChange.objects.filter(status=PriceChangeStatus.PENDING).exclude(requested_by=actor.person)
    return [
        WorkItem(
            pending.count(),
            "price change waiting for your decision",
            "price changes waiting for your decision",
            reverse("price-changes"),
            order=20,
        )
    ]
