"""Every change to an invoice: entered on the order, uploaded as a Peppol e-invoice, matched,
approved, rejected, paid; and the consortium's match tolerances.

Submissions are idempotent (the same submission key, or the same e-invoice file, returns the
invoice it made) and our references are numbered under a row lock, so they never repeat.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from consortium.audit.services import audit_record
from consortium.core.dates import today_in_london
from consortium.core.email import absolute_url, send_email_on_commit
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.core.files import sniff_document
from consortium.core.money import pounds, to_penny
from consortium.core.references import next_number
from consortium.invoices import peppol
from consortium.invoices.constants import (
    COUNTED,
    INVOICE_ACTIONS,
    PAYMENT_DAYS,
    InvoiceAction,
    InvoiceKind,
    InvoiceSource,
    InvoiceStatus,
)
from consortium.invoices.matching import BilledLine, OrderedLine, Tolerance, reasons_for
from consortium.invoices.models import (
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    InvoiceReferenceCounter,
    MatchTolerance,
)
from consortium.orders.constants import OrderStatus
from consortium.orders.models import Order, OrderLine
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission
from consortium.organisations.selectors import notification_emails

S = InvoiceStatus
MAX_PDF_BYTES = 10 * 1024 * 1024
# Orders a supplier may bill: placed with them and not cancelled or rejected.
INVOICEABLE = frozenset(
    {
        OrderStatus.SENT,
        OrderStatus.ACKNOWLEDGED,
        OrderStatus.DISPATCHED,
        OrderStatus.PART_DELIVERED,
        OrderStatus.DELIVERED,
        OrderStatus.CLOSED,
    }
)


# --- tolerances --------------------------------------------------------------------------------


def tolerance() -> MatchTolerance:
    row = MatchTolerance.objects.order_by("pk").first()
    return row if row is not None else MatchTolerance()


def tolerance_for(actor: Actor) -> MatchTolerance:
    if not (actor.organisation.is_consortium and actor.has(Permission.INVOICES_VIEW_ALL)):
        raise PermissionDenied("The match tolerances are for the consortium's admins and category managers.")
    return tolerance()


def tolerance_set(
    *, actor: Actor, price_percent: Decimal, price_amount: Decimal, quantity_percent: Decimal
) -> MatchTolerance:
    if not (actor.organisation.is_consortium and actor.has(Permission.INVOICES_VIEW_ALL)):
        raise PermissionDenied("The consortium's admins and category managers set the match tolerances.")
    errors = {}
    for name, value, top in (
        ("price_percent", price_percent, Decimal(50)),
        ("price_amount", price_amount, Decimal(1000)),
        ("quantity_percent", quantity_percent, Decimal(50)),
    ):
        if not Decimal(0) <= value <= top:
            errors[name] = f"Enter a number from 0 to {top}"
    if errors:
        raise ValidationFailed("Check the tolerances", field_errors=errors)
    with transaction.atomic():
        row = MatchTolerance.objects.select_for_update().order_by("pk").first() or MatchTolerance()
        before = [str(row.price_percent), str(row.price_amount), str(row.quantity_percent)]
        row.price_percent = to_penny(price_percent)
        row.price_amount = to_penny(price_amount)
        row.quantity_percent = to_penny(quantity_percent)
        row.modified_by = actor.person
        row.save()
        audit_record(
            actor=actor,
            action="match_tolerance.set",
            obj=row,
            organisation=actor.organisation,
            changes={
                "before": before,
                "after": [str(row.price_percent), str(row.price_amount), str(row.quantity_percent)],
            },
        )
    return row


# --- submitting --------------------------------------------------------------------------------


def number_key(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", number.upper())[:60]


def _next_reference(year: int) -> str:
    return f"INV-{year}-{next_number(InvoiceReferenceCounter, year):06d}"


def require_supplier(actor: Actor) -> None:
    if not actor.organisation.is_supplier or not actor.has(Permission.INVOICES_SUBMIT):
        raise PermissionDenied("Invoices are sent by the supplier an order was placed with.")


def _order_of(actor: Actor, *, order_id: int | None = None, reference: str = "") -> Order:
    qs = Order.objects.filter(supplier=actor.organisation).select_related("buyer", "supplier")
    order = qs.filter(pk=order_id).first() if order_id is not None else qs.filter(reference=reference).first()
    if order is None:
        if order_id is not None:
            raise NotFound("No order with that id was placed with your organisation")
        raise ValidationFailed(
            "Which order?",
            field_errors={
                "file": f"OrderReference (BT-13) {reference[:30] or '(missing)'} is not an order placed with "
                "your organisation: give the call-off order's reference, e.g. CO-2026-000123"
            },
        )
    if order.status not in INVOICEABLE:
        raise Conflict(
            f"Order {order.reference} is {order.get_status_display().lower()}: it cannot be invoiced."
        )
    return order


def invoiced_before(order: Order, *, exclude: int | None = None) -> dict[int, Decimal]:
    """Quantity billed so far on each order line by counted invoices, less counted credit notes."""
    rows = (
        InvoiceLine.objects.filter(
            invoice__order=order, invoice__status__in=COUNTED, order_line__isnull=False
        )
        .exclude(invoice_id=exclude)
        .values("order_line_id", "invoice__kind")
        .annotate(q=Sum("quantity"))
    )
    out: dict[int, Decimal] = {}
    for r in rows:
        sign = -1 if r["invoice__kind"] == InvoiceKind.CREDIT_NOTE else 1
        out[r["order_line_id"]] = out.get(r["order_line_id"], Decimal(0)) + sign * r["q"]
    return out


@dataclass(frozen=True)
class Billed:
    order_line: OrderLine | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal


def _endpoint(org: Organisation) -> tuple[str, str]:
    # Peppol needs an electronic address for each party: the UK VAT number (EAS 9932) where we
    # know it, else a GLN in GS1's format made from our record (EAS 0088).
    return ("9932", org.vat_number) if org.vat_number else ("0088", peppol.gln(org.pk))


def _party(org: Organisation) -> peppol.Party:
    scheme, endpoint = _endpoint(org)
    return peppol.Party(
        name=org.name,
        endpoint_scheme=scheme,
        endpoint=endpoint,
        street=", ".join(p for p in (org.address_line_1, org.address_line_2) if p)[:200],
        town=org.town,
        postcode=org.postcode,
        vat_number=org.vat_number,
        company_id=org.identifier if org.is_supplier else "",
    )


def _positions(order: Order) -> dict[int, OrderLine]:
    return {i: ln for i, ln in enumerate(order.lines.order_by("id"), start=1)}


def invoice_enter(
    *,
    actor: Actor,
    order_id: int,
    number: str,
    issue_date: dt.date,
    lines: list[dict[str, Any]],
    submit_key: str,
    kind: str = InvoiceKind.INVOICE,
    credited_invoice: str = "",
    document: bytes | None = None,
) -> Invoice:
    """An invoice or credit note entered on the order's page (or sent as JSON), optionally with
    the supplier's PDF of it: `lines` are {line: the order's line number, quantity, unit_price}."""
    require_supplier(actor)
    order = _order_of(actor, order_id=order_id)
    existing = Invoice.objects.filter(supplier=actor.organisation, submit_key=submit_key).first()
    if existing is not None:
        return existing
    errors: dict[str, str] = {}
    number = number.strip()
    if not number or len(number) > 60 or not number.isprintable():
        errors["number"] = "Enter your invoice number (up to 60 characters)"
    if issue_date > today_in_london():
        errors["issue_date"] = "The invoice date cannot be in the future"
    if document is not None:
        if len(document) > MAX_PDF_BYTES:
            errors["document"] = "The PDF must be 10 MB or smaller"
        elif sniff_document(document) != "application/pdf":
            errors["document"] = "The file must be a PDF"
    positions = _positions(order)
    billed: list[Billed] = []
    seen: set[int] = set()
    for i, row in enumerate(lines):
        pos = row.get("line")
        qty = Decimal(str(row.get("quantity", 0)))
        price = Decimal(str(row.get("unit_price", 0)))
        if qty == 0:
            continue
        if not isinstance(pos, int) or pos not in positions:
            errors[f"lines.{i}.line"] = f"Row {i + 1}: choose a line of order {order.reference}"
            continue
        if pos in seen:
            errors[f"lines.{i}.line"] = f"Row {i + 1}: order line {pos} is billed twice"
            continue
        seen.add(pos)
        if qty < 0 or qty > 10**7:
            errors[f"lines.{i}.quantity"] = f"Row {i + 1}: enter a quantity of 0 or more"
            continue
        if price < 0 or price >= 10**7:
            errors[f"lines.{i}.unit_price"] = f"Row {i + 1}: enter a unit price of £0 or more"
            continue
        ol = positions[pos]
        billed.append(Billed(ol, ol.name, qty, price, ol.vat_rate))
    if not billed and not errors:
        errors["lines"] = "Bill at least one line: enter a quantity"
    credited = None
    if kind == InvoiceKind.CREDIT_NOTE and credited_invoice.strip():
        credited = (
            Invoice.objects.filter(order=order, kind=InvoiceKind.INVOICE, status__in=COUNTED)
            .filter(Q(reference=credited_invoice.strip()) | Q(number=credited_invoice.strip()))
            .first()
        )
        if credited is None:
            errors["credited_invoice"] = f"Give one of your invoices on order {order.reference}"
    if any(b.vat_rate > 0 for b in billed) and not actor.organisation.vat_number:
        errors["number"] = (
            "These lines carry VAT: add your VAT registration number to your organisation's details first"
        )
    if errors:
        raise ValidationFailed("Check the invoice", field_errors=errors)
    doc = peppol.DocumentIn(
        is_credit_note=kind == InvoiceKind.CREDIT_NOTE,
        number=number,
        issue_date=issue_date,
        due_date=issue_date + dt.timedelta(days=PAYMENT_DAYS),
        order_reference=order.reference,
        buyer_reference=order.reference,
        seller=_party(actor.organisation),
        buyer=_party(order.buyer),
        billing_reference=credited.number if credited else "",
        lines=tuple(
            peppol.LineIn(
                line_id=str(i),
                order_line_reference=str(next(p for p, ol in positions.items() if ol == b.order_line)),
                seller_code=b.order_line.supplier_code if b.order_line else "",
                name=b.description,
                quantity=b.quantity,
                unit_of_measure=b.order_line.unit_of_measure if b.order_line else "each",
                unit_price=b.unit_price,
                vat_rate=b.vat_rate,
            )
            for i, b in enumerate(billed, start=1)
        ),
    )
    ubl = peppol.build(doc)
    return _intake(
        actor=actor,
        order=order,
        kind=kind,
        source=InvoiceSource.PDF if document is not None else InvoiceSource.KEYED,
        number=number,
        issue_date=issue_date,
        billed=billed,
        ubl=ubl.decode("utf-8"),
        document=document,
        credited=credited,
        submit_key=submit_key,
        warnings=[],
    )


def invoice_upload(*, actor: Actor, content: bytes, submit_key: str = "") -> Invoice:
    """A Peppol BIS Billing 3.0 invoice or credit note (UBL 2.1): checked against the official
    rules, refused with each broken rule's id, else routed to its order and matched."""
    require_supplier(actor)
    key = submit_key.strip() or "ubl:" + hashlib.sha256(content).hexdigest()[:60]
    existing = Invoice.objects.filter(supplier=actor.organisation, submit_key=key).first()
    if existing is not None:
        return existing
    doc = peppol.check_and_read(content)
    if doc.currency != "GBP":
        raise ValidationFailed(
            "Invoice in pounds",
            field_errors={
                "file": f"DocumentCurrencyCode (BT-5) is {doc.currency[:3]}: invoice members in GBP"
            },
        )
    supplier = actor.organisation
    if doc.seller_vat and supplier.vat_number and _vat(doc.seller_vat) != _vat(supplier.vat_number):
        raise ValidationFailed(
            "Not your VAT number",
            field_errors={
                "file": f"The seller's VAT number (BT-31) {doc.seller_vat[:20]} is not {supplier.name}'s "
                f"({supplier.vat_number})"
            },
        )
    order = _order_of(actor, reference=doc.order_reference or doc.buyer_reference)
    positions = _positions(order)
    by_code: dict[str, list[OrderLine]] = {}
    for ol in positions.values():
        by_code.setdefault(ol.supplier_code.strip().upper(), []).append(ol)
    billed = []
    for ln in doc.lines:
        ref = ln.order_line_reference
        ol = positions.get(int(ref)) if ref.isdigit() and len(ref) < 6 else None
        if ol is None and ln.seller_code:
            found = by_code.get(ln.seller_code.strip().upper(), [])
            ol = found[0] if len(found) == 1 else None
        billed.append(
            Billed(
                ol, ln.name or ln.seller_code or f"line {ln.line_id}", ln.quantity, ln.unit_price, ln.vat_rate
            )
        )
    credited = None
    if doc.is_credit_note and doc.billing_reference:
        credited = Invoice.objects.filter(
            order=order, kind=InvoiceKind.INVOICE, number_key=number_key(doc.billing_reference)
        ).first()
    return _intake(
        actor=actor,
        order=order,
        kind=InvoiceKind.CREDIT_NOTE if doc.is_credit_note else InvoiceKind.INVOICE,
        source=InvoiceSource.UBL,
        number=doc.number[:60],
        issue_date=doc.issue_date,
        billed=billed,
        ubl=content.decode("utf-8", errors="replace"),
        document=None,
        credited=credited,
        submit_key=key,
        warnings=[f"[{w.rule}] {w.message[:300]}" for w in doc.warnings[:20]],
        stated=(doc.net, doc.vat, doc.total),
    )


def _vat(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", number.upper()).removeprefix("GB")


def _intake(
    *,
    actor: Actor,
    order: Order,
    kind: str,
    source: str,
    number: str,
    issue_date: dt.date,
    billed: list[Billed],
    ubl: str,
    document: bytes | None,
    credited: Invoice | None,
    submit_key: str,
    warnings: list[str],
    stated: tuple[Decimal, Decimal, Decimal] | None = None,
) -> Invoice:
    net, breakdown, vat = peppol.totals(
        [peppol.LineIn("", "", "", "", b.quantity, "", b.unit_price, b.vat_rate) for b in billed]
    )
    if stated is not None:
        # The e-invoice's own totals are what the supplier asks for (the rules have checked them).
        net, vat = stated[0], stated[1]
    credit = kind == InvoiceKind.CREDIT_NOTE
    try:
        with transaction.atomic():
            order = Order.objects.select_for_update().select_related("buyer", "supplier").get(pk=order.pk)
            made = Invoice.objects.filter(supplier=order.supplier, submit_key=submit_key).first()
            if made is not None:
                return made
            before = invoiced_before(order)
            positions = {ol.pk: pos for pos, ol in _positions(order).items()}
            lines = [
                BilledLine(
                    position=i,
                    ordered=(
                        OrderedLine(
                            position=positions[b.order_line.pk],
                            name=b.order_line.name,
                            quantity=b.order_line.quantity,
                            received=b.order_line.quantity_delivered,
                            unit_price=b.order_line.unit_price,
                            vat_rate=b.order_line.vat_rate,
                            invoiced_before=before.get(b.order_line.pk, Decimal(0)),
                        )
                        if b.order_line is not None
                        else None
                    ),
                    description=b.description,
                    quantity=b.quantity,
                    unit_price=b.unit_price,
                    vat_rate=b.vat_rate,
                )
                for i, b in enumerate(billed, start=1)
            ]
            t = tolerance()
            reasons = reasons_for(
                lines,
                Tolerance(t.price_percent, t.price_amount, t.quantity_percent),
                credit_note=credit,
            )
            key = number_key(number)
            duplicate = (
                Invoice.objects.filter(supplier=order.supplier, kind=kind, status__in=COUNTED)
                .filter(Q(number_key=key) | Q(order=order, net=net, vat=vat, issue_date=issue_date))
                .order_by("pk")
                .first()
            )
            if duplicate is not None:
                same = "number" if duplicate.number_key == key else "order, amount and date"
                reasons.insert(0, f"Possible duplicate: {duplicate.reference} has the same {same}.")
            received = today_in_london()
            invoice = Invoice.objects.create(
                reference=_next_reference(received.year),
                kind=kind,
                source=source,
                order=order,
                supplier=order.supplier,
                buyer=order.buyer,
                submitted_by=actor.person,
                number=number,
                number_key=key,
                credited_invoice=credited,
                issue_date=issue_date,
                received_on=received,
                due_date=received + dt.timedelta(days=PAYMENT_DAYS),
                net=to_penny(net),
                vat=to_penny(vat),
                total=to_penny(net + vat),
                status=S.HELD if reasons else S.APPROVED,
                reasons=reasons,
                warnings=warnings,
                duplicate_of=duplicate,
                ubl=ubl,
                document=document,
                submit_key=submit_key,
            )
            InvoiceLine.objects.bulk_create(
                InvoiceLine(
                    invoice=invoice,
                    order_line=b.order_line,
                    description=b.description[:200],
                    quantity=b.quantity,
                    unit_price=b.unit_price,
                    vat_rate=b.vat_rate,
                    net=to_penny(b.quantity * b.unit_price),
                )
                for b in billed
            )
            InvoiceEvent.objects.create(
                invoice=invoice,
                from_status="",
                to_status=invoice.status,
                by=None,
                note="Matched the order and goods received"
                if not reasons
                else f"{len(reasons)} difference(s)",
            )
            audit_record(
                actor=actor,
                action="invoice.submit",
                obj=invoice,
                organisation=order.buyer,
                changes={
                    "reference": invoice.reference,
                    "number": number,
                    "order": order.reference,
                    "total": invoice.total,
                    "status": invoice.status,
                    "breakdown": {str(rate): str(v) for rate, (_, v) in breakdown.items()},
                },
            )
            _notify_arrival(invoice)
            return invoice
    except IntegrityError:
        made = Invoice.objects.filter(supplier=order.supplier, submit_key=submit_key).first()
        if made is not None:
            return made
        raise


# --- the buyer's decisions ------------------------------------------------------------------------


def invoice_actions_for(actor: Actor, invoice: Invoice) -> list[tuple[str, InvoiceAction]]:
    return [(name, a) for name, a in INVOICE_ACTIONS.items() if _may(actor, invoice, a) is None]


def _may(actor: Actor, invoice: Invoice, action: InvoiceAction) -> str | None:
    """None when the actor may take `action` now, else why not."""
    if actor.organisation.pk != invoice.buyer_id or not actor.has(action.permission):
        return "Only an approver or finance officer of the buying organisation decides on its invoices."
    if action.to in (S.APPROVED, S.REJECTED) and invoice.order.placed_by_id == actor.person.pk:
        return "You placed this order: another approver or finance officer decides on its invoice."
    if invoice.status not in action.from_states:
        return f"This invoice is {invoice.get_status_display().lower()}: it cannot be changed that way now."
    return None


def invoice_act(
    *, actor: Actor, invoice: Invoice, action: str, reason: str = "", paid_on: dt.date | None = None
) -> Invoice:
    step = INVOICE_ACTIONS.get(action)
    if step is None:
        raise ValidationFailed("Choose one of the buttons on the invoice page")
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update()
            .select_related("order", "buyer", "supplier")
            .get(pk=invoice.pk)
        )
        refusal = _may(actor, invoice, step)
        if refusal is not None:
            if invoice.status not in step.from_states and actor.organisation.pk == invoice.buyer_id:
                raise Conflict(refusal)
            raise PermissionDenied(refusal)
        if step.reason_required and not reason.strip():
            raise ValidationFailed("Give a reason", field_errors={"reason": "Say why, for the supplier"})
        if step.to == S.PAID:
            paid_on = paid_on or today_in_london()
            if paid_on > today_in_london() or paid_on < invoice.issue_date:
                raise ValidationFailed(
                    "Check the date", field_errors={"paid_on": "Give the day it was paid: not in the future"}
                )
            invoice.paid_on = paid_on
        before = invoice.status
        invoice.status = step.to
        if step.to in (S.APPROVED, S.REJECTED):
            invoice.decided_by = actor.person
            invoice.decided_at = timezone.now()
        if step.to == S.REJECTED:
            invoice.rejection_reason = reason.strip()[:300]
        invoice.save()
        InvoiceEvent.objects.create(
            invoice=invoice,
            from_status=before,
            to_status=invoice.status,
            by=actor.person,
            note=reason.strip()[:300],
        )
        audit_record(
            actor=actor,
            action=f"invoice.{action}",
            obj=invoice,
            organisation=invoice.buyer,
            changes={"status": [before, invoice.status], "reason": reason, "paid_on": invoice.paid_on},
        )
        _notify_supplier(invoice)
    return invoice


# --- e-mails -------------------------------------------------------------------------------------


def _body(invoice: Invoice) -> str:
    lines = [
        f"{invoice.get_kind_display()} {invoice.number} ({invoice.reference}) from {invoice.supplier} "
        f"to {invoice.buyer}, on order {invoice.order.reference}",
        f"Total: {pounds(invoice.total)} inc VAT ({pounds(invoice.net)} ex VAT)",
        f"Status: {invoice.get_status_display()}",
    ]
    if invoice.status in (S.APPROVED, S.HELD) and not invoice.is_credit_note:
        lines.append(f"Payment due by {invoice.due_date:%-d %B %Y} (30 days from receipt)")
    lines += [f"- {r}" for r in invoice.reasons]
    if invoice.rejection_reason:
        lines.append(f"Reason: {invoice.rejection_reason}")
    lines.append(f"See it at {absolute_url(f'/invoices/{invoice.pk}/')}")
    return "\n".join(lines) + "\n"


def _notify_arrival(invoice: Invoice) -> None:
    if invoice.status == S.HELD:
        for email in notification_emails([invoice.buyer_id], [Role.APPROVER, Role.FINANCE_OFFICER]):
            send_email_on_commit(
                to=email,
                subject=f"Invoice waiting for your decision: {invoice.reference}",
                body=_body(invoice),
            )
    _notify_supplier(invoice)


def _notify_supplier(invoice: Invoice) -> None:
    for email in notification_emails([invoice.supplier_id], [Role.SUPPLIER_USER]):
        send_email_on_commit(
            to=email,
            subject=f"{invoice.get_kind_display()} {invoice.number}: {invoice.get_status_display().lower()}",
            body=_body(invoice),
        )
