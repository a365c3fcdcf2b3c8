"""Reads of invoices: a supplier sees what it sent, a member what it received, the consortium's
admins and category managers everything."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from consortium.core.dates import today_in_london
from consortium.core.errors import NotFound, PermissionDenied
from consortium.core.files import csv_text
from consortium.invoices.constants import COUNTED, InvoiceKind, InvoiceStatus
from consortium.invoices.models import Invoice
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission
from consortium.spend.mi import latest_months

S = InvoiceStatus


def invoices_for(actor: Actor, *, status: str | None = None) -> QuerySet[Invoice]:
    org = actor.organisation
    qs = Invoice.objects.select_related("order", "buyer", "supplier")
    if org.is_consortium:
        if not actor.has(Permission.INVOICES_VIEW_ALL):
            raise PermissionDenied("Invoices across the consortium are for its admins and category managers.")
    elif org.is_supplier:
        if not actor.has(Permission.INVOICES_SUBMIT):
            raise PermissionDenied("Invoices are for the supplier's users.")
        qs = qs.filter(supplier=org)
    else:
        if not (actor.has(Permission.ORDERS_PLACE) or actor.has(Permission.INVOICES_APPROVE)):
            raise PermissionDenied(
                "Invoices are for the organisation's buyers, approvers and finance officers."
            )
        qs = qs.filter(buyer=org)
    if status:
        qs = qs.filter(status=status)
    # Never the UBL or the PDF (a PDF may be 10 MB: a page or an export of many must not read
    # them); the downloads read the file when asked for it.
    return qs.defer("document", "ubl").order_by("-created_at", "-id")


def with_has_pdf(qs: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Each invoice with `has_pdf`, read without reading the PDF."""
    return qs.annotate(has_pdf=ExpressionWrapper(Q(document__isnull=False), output_field=BooleanField()))


def invoice_get_for(actor: Actor, invoice_id: int) -> Invoice:
    try:
        return (
            with_has_pdf(invoices_for(actor))
            .prefetch_related("lines__order_line", "events__by")
            .get(pk=invoice_id)
        )
    except Invoice.DoesNotExist:
        raise NotFound("No invoice with that id") from None


def invoices_for_order(actor: Actor, order_id: int) -> QuerySet[Invoice]:
    return with_has_pdf(invoices_for(actor)).filter(order_id=order_id)


def summary(actor: Actor, *, months: int = 12) -> dict[str, Any]:
    """Invoiced and paid (ex VAT, credit notes taken off) by month over the latest `months`
    calendar months, this month included; with the period stated."""
    today = today_in_london()
    calendar = latest_months(today, months)
    first = calendar[0]
    qs = invoices_for(actor).filter(status__in=COUNTED, received_on__gte=first).order_by()
    rows = (
        qs.annotate(month=TruncMonth("received_on"))
        .values("month", "kind", "status")
        .annotate(net=Sum("net"), n=Count("id"))
    )
    by_month: dict[dt.date, dict[str, Decimal]] = {}
    for r in rows:
        month = r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"]
        sign = -1 if r["kind"] == InvoiceKind.CREDIT_NOTE else 1
        m = by_month.setdefault(month, {"invoiced": Decimal(0), "paid": Decimal(0), "held": Decimal(0)})
        m["invoiced"] += sign * r["net"]
        if r["status"] == S.PAID:
            m["paid"] += sign * r["net"]
        if r["status"] == S.HELD:
            m["held"] += sign * r["net"]
    table: list[dict[str, Any]] = [
        {
            "month": month,
            **by_month.get(month, {"invoiced": Decimal(0), "paid": Decimal(0), "held": Decimal(0)}),
        }
        for month in calendar
    ]
    totals = {k: sum((row[k] for row in table), Decimal(0)) for k in ("invoiced", "paid", "held")}
    overdue = qs.filter(status=S.APPROVED, kind=InvoiceKind.INVOICE, due_date__lt=today).aggregate(
        n=Count("id"), total=Sum("total")
    )
    return {
        "from": first,
        "to": today,
        "months": table,
        "totals": totals,
        "overdue_count": overdue["n"] or 0,
        "overdue_total": overdue["total"] or Decimal(0),
    }


EXPORT_COLUMNS = [
    "invoice_reference",
    "kind",
    "status",
    "supplier",
    "supplier_vat_number",
    "supplier_invoice_number",
    "issue_date",
    "received_on",
    "due_date",
    "order_reference",
    "ledger_code",
    "line",
    "description",
    "quantity",
    "unit_price_ex_vat",
    "vat_rate",
    "line_net",
    "line_vat",
    "invoice_net",
    "invoice_vat",
    "invoice_total",
]


def export_csv(invoices: Iterable[Invoice]) -> str:
    """One row per invoice line, for the member's finance system: the ledger code is the cost
    centre the order line was bought against; credit notes carry negative amounts."""
    from consortium.core.money import to_penny

    rows = []
    for inv in invoices:
        sign = -1 if inv.is_credit_note else 1
        for i, ln in enumerate(inv.lines.all(), start=1):
            rows.append(
                [
                    inv.reference,
                    inv.get_kind_display(),
                    inv.get_status_display(),
                    inv.supplier.name,
                    inv.supplier.vat_number,
                    inv.number,
                    inv.issue_date.isoformat(),
                    inv.received_on.isoformat(),
                    inv.due_date.isoformat(),
                    inv.order.reference,
                    ln.order_line.cost_centre if ln.order_line else "",
                    i,
                    ln.description,
                    ln.quantity.normalize(),
                    ln.unit_price.normalize(),
                    ln.vat_rate,
                    sign * ln.net,
                    sign * to_penny(ln.net * ln.vat_rate / 100),
                    sign * inv.net,
                    sign * inv.vat,
                    sign * inv.total,
                ]
            )
    return csv_text(EXPORT_COLUMNS, rows)
