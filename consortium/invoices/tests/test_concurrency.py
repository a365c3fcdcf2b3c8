"""Invoices approved and arriving at the same moment on one order, on PostgreSQL: the MI's spend
(which comes from approved invoices) ends as if they had come one after another."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest
from django.db import connection, connections

from consortium.core.dates import today_in_london
from consortium.invoices import services
from consortium.invoices.constants import InvoiceStatus
from consortium.invoices.tests.factories import delivered_order
from consortium.organisations.constants import Role
from consortium.spend.models import DailySpend
from consortium.spend.rollup import rebuild

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def test_approvals_and_arrivals_at_once_keep_the_mi_in_step(world, market):
    order = delivered_order(world, market, paper=10, pens=4)
    supplier = world.actor(Role.SUPPLIER_USER)

    def enter(position: int, quantity: int, price: str, key: str):  # type: ignore[no-untyped-def]
        return services.invoice_enter(
            actor=supplier,
            order_id=order.pk,
            number=key.upper(),
            issue_date=today_in_london(),
            lines=[{"line": position, "quantity": D(quantity), "unit_price": D(price)}],
            submit_key=key,
        )

    # Two invoices held for their prices (£1 a unit over), each on its own line.
    held = [enter(1, 6, "6.00", "si-a"), enter(2, 4, "3.50", "si-b")]
    assert all(h.status == InvoiceStatus.HELD for h in held)
    deciders = [world.actor(Role.APPROVER), world.actor(Role.FINANCE_OFFICER)]
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def run(job):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            job()
        except BaseException as e:
            errors.append(e)
        finally:
            connections.close_all()

    jobs = [
        lambda: services.invoice_act(actor=deciders[0], invoice=held[0], action="approve"),
        lambda: services.invoice_act(actor=deciders[1], invoice=held[1], action="approve"),
        # The rest of the paper, invoiced at the order's price as the approvals happen.
        lambda: enter(1, 4, "5.00", "si-c"),
    ]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    lines = {ln.name: ln.invoiced_net for ln in order.lines.all()}
    assert lines == {"Recycled copier paper A4": D("56.00"), "Blue ballpoint pens": D("14.00")}
    kept = sorted(DailySpend.objects.values_list("day", "buyer_id", "contract_id", "category", "spend"))
    rebuild()
    assert (
        sorted(DailySpend.objects.values_list("day", "buyer_id", "contract_id", "category", "spend")) == kept
    )
