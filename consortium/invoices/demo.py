"""Demo invoices: a year of paid invoices behind the closed orders (so MI shows invoiced and
paid spend), and for Moorside Primary School's own orders from Midlands Office Supplies one
invoice that matched and was approved, one held for a price difference (for the headteacher
to decide) and one Peppol e-invoice for a partly delivered order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.db.models import Prefetch

from consortium.catalogue.models import CatalogueItem
from consortium.core.dates import today_in_london
from consortium.core.money import to_penny
from consortium.invoices import peppol
from consortium.invoices.constants import PAYMENT_DAYS, InvoiceKind, InvoiceSource, InvoiceStatus
from consortium.invoices.models import Invoice, InvoiceLine, InvoiceReferenceCounter
from consortium.invoices.services import (
    _party,
    count_invoiced_in_spend,
    invoice_enter,
    invoice_upload,
    number_key,
)
from consortium.orders import services as orders
from consortium.orders.constants import OrderStatus
from consortium.orders.models import Order, OrderLine
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person


def _vat_numbers() -> None:
    # Every demo supplier is VAT registered: its invoices carry the number (BT-31).
    for org in Organisation.objects.filter(kind="supplier", vat_number=""):
        org.vat_number = f"GB{(org.pk * 7919 + 100_000_000) % 1_000_000_000:09d}"
        org.save(update_fields=["vat_number"])


def load_invoices_demo() -> None:
    if Invoice.objects.exists():
        return
    _vat_numbers()
    _history()
    _moorside()


def _history() -> None:
    """Closed orders older than five weeks were invoiced a week after ordering and paid within
    30 days; written in bulk, each with its UBL, as if received as e-invoices."""
    today = today_in_london()
    closed = (
        Order.objects.filter(status=OrderStatus.CLOSED, submitted_at__date__lt=today - dt.timedelta(days=35))
        .select_related("buyer", "supplier")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("submitted_at", "id")
    )
    counter, _ = InvoiceReferenceCounter.objects.get_or_create(year=today.year)
    supplier_person = Person.objects.get(email="supplier@midlands-office.example")
    made: list[tuple[Invoice, list[InvoiceLine]]] = []
    for n, order in enumerate(closed, start=1):
        assert order.submitted_at is not None
        issued = order.submitted_at.date() + dt.timedelta(days=5)
        received = issued + dt.timedelta(days=2)
        lines = list(order.lines.all())
        doc_lines = tuple(
            peppol.LineIn(
                str(i),
                str(i),
                ln.supplier_code,
                ln.name,
                D(ln.quantity),
                ln.unit_of_measure,
                ln.unit_price,
                ln.vat_rate,
            )
            for i, ln in enumerate(lines, start=1)
        )
        number = f"{order.supplier.name[:3].upper()}-{n:05d}"
        ubl = peppol.build(
            peppol.DocumentIn(
                is_credit_note=False,
                number=number,
                issue_date=issued,
                due_date=issued + dt.timedelta(days=PAYMENT_DAYS),
                order_reference=order.reference,
                buyer_reference=order.reference,
                seller=_party(order.supplier),
                buyer=_party(order.buyer),
                lines=doc_lines,
            )
        )
        net, _, vat = peppol.totals(doc_lines)
        counter.last_number += 1
        invoice = Invoice(
            reference=f"INV-{today.year}-{counter.last_number:06d}",
            kind=InvoiceKind.INVOICE,
            source=InvoiceSource.UBL,
            order=order,
            supplier=order.supplier,
            buyer=order.buyer,
            submitted_by=supplier_person,
            number=number,
            number_key=number_key(number),
            issue_date=issued,
            received_on=received,
            due_date=received + dt.timedelta(days=PAYMENT_DAYS),
            net=net,
            vat=vat,
            total=net + vat,
            status=InvoiceStatus.PAID,
            ubl=ubl.decode("utf-8"),
            submit_key=f"demo-{n}",
            paid_on=received + dt.timedelta(days=12 + n % 15),
        )
        made.append(
            (
                invoice,
                [
                    InvoiceLine(
                        order_line=ln,
                        description=ln.name,
                        quantity=D(ln.quantity),
                        unit_price=ln.unit_price,
                        vat_rate=ln.vat_rate,
                        net=to_penny(ln.unit_price * ln.quantity),
                    )
                    for ln in lines
                ],
            )
        )
    counter.save()
    Invoice.objects.bulk_create([inv for inv, _ in made], batch_size=500)
    all_lines: list[InvoiceLine] = []
    for inv, invoice_lines in made:
        for il in invoice_lines:
            il.invoice = inv
            all_lines.append(il)
    InvoiceLine.objects.bulk_create(all_lines, batch_size=1000)
    # Paid invoices: the MI's spend comes from them.
    count_invoiced_in_spend({il.order_line_id for il in all_lines if il.order_line_id})


def _moorside() -> None:
    moorside = Organisation.objects.get(name="Moorside Primary School")
    midlands = Organisation.objects.get(name="Midlands Office Supplies Ltd")
    buyer = actor_for(Person.objects.get(email="buyer@moorside.example"), moorside.pk)
    supplier = actor_for(Person.objects.get(email="supplier@midlands-office.example"), midlands.pk)
    assert buyer is not None and supplier is not None
    items = list(CatalogueItem.objects.filter(supplier=midlands, vat_rate__gt=0).order_by("unit_price")[:3])
    today = today_in_london()

    def delivered(key: str, quantities: list[int], received: list[int] | None = None) -> Order:
        for item, qty in zip(items, quantities, strict=False):
            orders.basket_add(actor=buyer, item_id=item.pk, quantity=qty, cost_centre="E19-STATIONERY")
        (order,) = orders.checkout(
            actor=buyer, checkout_key=key, delivery_address="Moorside Primary School, Leek"
        )
        orders.order_acknowledge(actor=supplier, order=order)
        orders.order_dispatch(actor=supplier, order=order)
        got = None
        if received is not None:
            got = {ln.pk: r for ln, r in zip(order.lines.order_by("id"), received, strict=False)}
        return orders.order_record_delivery(actor=buyer, order=order, delivered=got)

    matched = delivered("demo-invoice-1", [10, 5])
    lines = list(matched.lines.order_by("id"))
    invoice_enter(
        actor=supplier,
        order_id=matched.pk,
        number="MOS-24017",
        issue_date=today,
        lines=[
            {"line": i, "quantity": D(ln.quantity), "unit_price": ln.unit_price}
            for i, ln in enumerate(lines, 1)
        ],
        submit_key="demo-moorside-1",
    )
    dearer = delivered("demo-invoice-2", [20, 6])
    lines = list(dearer.lines.order_by("id"))
    invoice_enter(
        actor=supplier,
        order_id=dearer.pk,
        number="MOS-24018",
        issue_date=today,
        # The supplier billed last year's price on the first line: held for the headteacher.
        lines=[
            {
                "line": 1,
                "quantity": D(lines[0].quantity),
                "unit_price": to_penny(lines[0].unit_price * D("1.15")),
            },
            {"line": 2, "quantity": D(lines[1].quantity), "unit_price": lines[1].unit_price},
        ],
        submit_key="demo-moorside-2",
    )
    part = delivered("demo-invoice-3", [12, 3, 2], received=[8, 3, 0])
    lines = list(part.lines.order_by("id"))
    wanted = [(1, 8), (2, 3)]
    content = peppol.build(
        peppol.DocumentIn(
            is_credit_note=False,
            number="MOS-24019",
            issue_date=today,
            due_date=today + dt.timedelta(days=PAYMENT_DAYS),
            order_reference=part.reference,
            buyer_reference=part.reference,
            seller=_party(midlands),
            buyer=_party(moorside),
            lines=tuple(
                peppol.LineIn(
                    str(n),
                    str(pos),
                    lines[pos - 1].supplier_code,
                    lines[pos - 1].name,
                    D(q),
                    lines[pos - 1].unit_of_measure,
                    lines[pos - 1].unit_price,
                    lines[pos - 1].vat_rate,
                )
                for n, (pos, q) in enumerate(wanted, start=1)
            ),
        )
    )
    invoice_upload(actor=supplier, content=content)
