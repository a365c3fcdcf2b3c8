"""What waits for people in the marketplace: orders to approve, acknowledge, dispatch, receive."""

from __future__ import annotations

from django.urls import reverse

from consortium.core.worklist import WorkItem
from consortium.orders.constants import OrderStatus as S
from consortium.orders.models import Order
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission


def items_for(actor: Actor) -> list[WorkItem]:
    org = actor.organisation
    url = reverse("order-list")
    items: list[WorkItem] = []

    def count(**where: object) -> int:
        return Order.objects.filter(**where).count()

    if actor.has(Permission.ORDERS_APPROVE) and not org.is_supplier:
        waiting = Order.objects.filter(buyer=org, status=S.AWAITING_APPROVAL).exclude(placed_by=actor.person)
        items.append(
            WorkItem(
                waiting.count(),
                "order waiting for your approval",
                "orders waiting for your approval",
                f"{url}?status={S.AWAITING_APPROVAL}",
                order=10,
            )
        )
    if actor.has(Permission.ORDERS_FULFIL) and org.is_supplier:
        items.append(
            WorkItem(
                count(supplier=org, status=S.SENT),
                "new order to acknowledge",
                "new orders to acknowledge",
                f"{url}?status={S.SENT}",
                order=10,
            )
        )
        items.append(
            WorkItem(
                count(supplier=org, status=S.ACKNOWLEDGED),
                "order to dispatch",
                "orders to dispatch",
                f"{url}?status={S.ACKNOWLEDGED}",
                order=20,
            )
        )
    if actor.has(Permission.ORDERS_PLACE) and not org.is_supplier:
        items.append(
            WorkItem(
                count(buyer=org, status=S.DISPATCHED),
                "dispatched order to receive",
                "dispatched orders to receive",
                f"{url}?status={S.DISPATCHED}",
                order=30,
            )
        )
    return items
