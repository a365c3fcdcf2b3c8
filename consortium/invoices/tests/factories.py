"""Orders ready to invoice, and e-invoices for them, for the invoices' tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from consortium.invoices import peppol
from consortium.invoices.services import _party
from consortium.orders import services as orders
from consortium.orders.models import Order
from consortium.organisations.constants import Role


def delivered_order(world, market, *, paper=10, pens=4, deliver=None, key="inv-order") -> Order:  # type: ignore[no-untyped-def]
    """An order of paper (£5.00) and pens (£2.50) from the world's supplier, dispatched and
    received (all of it, or `deliver` {item name: quantity})."""
    if not world.supplier.vat_number:
        world.supplier.vat_number = "GB123456789"
        world.supplier.save(update_fields=["vat_number"])
    buyer = world.actor(Role.MEMBER_BUYER)
    orders.basket_add(actor=buyer, item_id=market.paper.pk, quantity=paper, cost_centre="4010-STAT")
    if pens:
        orders.basket_add(actor=buyer, item_id=market.pens.pk, quantity=pens)
    (order,) = orders.checkout(actor=buyer, checkout_key=key, delivery_address="Moorside, Leek")
    if order.status == "awaiting_approval":
        order = orders.order_approve(actor=world.actor(Role.APPROVER), order=order)
    supplier = world.actor(Role.SUPPLIER_USER)
    orders.order_acknowledge(actor=supplier, order=order)
    orders.order_dispatch(actor=supplier, order=order)
    delivered = None
    if deliver is not None:
        delivered = {ln.pk: deliver.get(ln.name, 0) for ln in order.lines.all()}
    return orders.order_record_delivery(actor=buyer, order=order, delivered=delivered)


def ubl_for(order: Order, *, number="SI-1001", lines=None, credit=False, billing="") -> bytes:  # type: ignore[no-untyped-def]
    """A Peppol BIS Billing 3.0 e-invoice for `order`: every line at the order's price and
    quantity, or `lines` [(position, quantity, unit price)]."""
    order_lines = list(order.lines.order_by("id"))
    wanted = lines or [(i, D(ln.quantity), ln.unit_price) for i, ln in enumerate(order_lines, start=1)]
    return peppol.build(
        peppol.DocumentIn(
            is_credit_note=credit,
            number=number,
            issue_date=dt.date.today(),
            due_date=dt.date.today() + dt.timedelta(days=30),
            order_reference=order.reference,
            buyer_reference=order.reference,
            seller=_party(order.supplier),
            buyer=_party(order.buyer),
            billing_reference=billing,
            lines=tuple(
                peppol.LineIn(
                    line_id=str(n),
                    order_line_reference=str(pos),
                    seller_code=order_lines[pos - 1].supplier_code,
                    name=order_lines[pos - 1].name,
                    quantity=D(qty),
                    unit_of_measure=order_lines[pos - 1].unit_of_measure,
                    unit_price=D(price),
                    vat_rate=order_lines[pos - 1].vat_rate,
                )
                for n, (pos, qty, price) in enumerate(wanted, start=1)
            ),
        )
    )
