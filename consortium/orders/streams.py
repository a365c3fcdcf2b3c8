"""The marketplace's stream for "check": an order from the buyer's submitting it to its
delivery, in working days."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Min, Q

from consortium.core.streams import CaseRow, Stream, scope_by, working_days_taken
from consortium.orders.constants import OrderStatus
from consortium.orders.models import Order
from consortium.organisations.permissions import Permission


def _rows(ids: Sequence[int] | None) -> Iterable[CaseRow]:
    delivered = (
        Order.objects.filter(
            status__in=[OrderStatus.DELIVERED, OrderStatus.CLOSED], submitted_at__isnull=False
        )
        .annotate(delivered_at=Min("events__at", filter=Q(events__to_status=OrderStatus.DELIVERED)))
        .filter(delivered_at__isnull=False)
    )
    if ids is not None:
        delivered = delivered.filter(pk__in=ids)
    for pk, reference, submitted, at, buyer, supplier, contract_id, contract in delivered.values_list(
        "pk",
        "reference",
        "submitted_at",
        "delivered_at",
        "buyer_id",
        "supplier_id",
        "contract_id",
        "contract__title",
    ).iterator(chunk_size=2000):
        assert submitted is not None and at is not None  # filtered above
        yield CaseRow(
            source_id=pk,
            reference=reference,
            started_at=submitted,
            ended_at=at,
            value=working_days_taken(submitted, at),
            organisation_id=buyer,
            counterpart_id=supplier,
            kind_key=str(contract_id),
            kind_label=contract,
        )


ORDERS = Stream(
    key="orders.orders",
    name="Orders",
    case="order",
    cases="orders",
    starts="the buyer submits the order",
    ends="the supplier delivers it in full",
    unit="working days",
    organisation_label="Member",
    counterpart_label="Supplier",
    kind_label="Contract",
    # An order is delivered by an event beside the order's own save: either may come last.
    watch=[("orders.Order", lambda o: [o.pk]), ("orders.OrderEvent", lambda e: [e.order_id])],
    rows=_rows,
    scope=scope_by(
        Permission.ORDERS_VIEW_ALL,
        own=[Permission.ORDERS_PLACE, Permission.ORDERS_APPROVE],
        as_counterpart=[Permission.ORDERS_FULFIL],
    ),
    mi_page="mi",
)

STREAMS = [ORDERS]
