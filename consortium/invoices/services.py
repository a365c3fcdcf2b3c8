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
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from consortium.audit.services import audit_record, audit_record_many
from consortium.core.dates import today_in_london
from consortium.core.email import absolute_url, send_email_on_commit
from consortium.core.errors import Conflict, ConsortiumError, NotFound, PermissionDenied, ValidationFailed
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
from consortium.spend.rollup import add_to_days

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


def invoiced_before(order: Order) -> dict[int, Decimal]:
    """Quantity billed so far on each of the order's lines by counted invoices, less credit notes."""
    return _before_many([order.pk])


@dataclass(frozen=True)
class Billed:
    order_line: OrderLine | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    net: Decimal | None = None  # an e-invoice line's own amount (BT-131)


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
    if document is not None and (problem := _pdf_problem(document)):
        errors["document"] = problem
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
    if sum((b.quantity * b.unit_price for b in billed), Decimal(0)) >= 10**9:
        errors["lines"] = "The invoice comes to £1,000,000,000 or more: check the quantities and prices"
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
    draft = _Draft(
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
    return _store(actor, [draft])[0]


def invoice_upload(*, actor: Actor, content: bytes, submit_key: str = "") -> Invoice:
    """A Peppol BIS Billing 3.0 invoice or credit note (UBL 2.1): checked against the official
    rules, refused with each broken rule's id, else routed to its order and matched."""
    require_supplier(actor)
    key = _upload_key(content, submit_key)
    existing = Invoice.objects.filter(supplier=actor.organisation, submit_key=key).first()
    if existing is not None:
        return existing
    draft = _draft_from(actor, peppol.check_and_read(content), content, key)
    return _store(actor, [draft])[0]


@dataclass
class UploadOutcome:
    name: str
    invoice: Invoice | None = None
    error: str = ""


STORE_CHUNK = 250


def invoice_upload_many(
    *, actor: Actor, files: list[tuple[str, bytes]], workers: int | None = None
) -> list[UploadOutcome]:
    """Many e-invoices at once (a supplier's month, an access point's day): checked in parallel
    over the machine's cores and, as each run of 250 is checked, routed, matched and stored in
    one transaction while the next are still being checked. Each file's outcome says which
    invoice it made or why it was refused; a refused file stores nothing and stops no other.
    The same file again returns the invoice it made."""
    require_supplier(actor)
    outcomes = [UploadOutcome(name) for name, _ in files]
    keys = [_upload_key(content, "") for _, content in files]
    made = {i.submit_key: i for i in Invoice.objects.filter(supplier=actor.organisation, submit_key__in=keys)}
    todo = [i for i, key in enumerate(keys) if key not in made]
    for i, key in enumerate(keys):
        if key in made:
            outcomes[i].invoice = made[key]
    checked = peppol.check_stream([files[i][1] for i in todo], workers=workers)
    for start in range(0, len(todo), STORE_CHUNK):
        chunk = todo[start : start + STORE_CHUNK]
        read: list[tuple[int, peppol.EInvoice]] = []
        for i in chunk:
            findings, refusal = next(checked)
            try:
                if findings is None:
                    raise ValidationFailed(
                        "This e-invoice cannot be accepted", field_errors={"file": refusal}
                    )
                read.append((i, peppol.read_checked(files[i][1], findings)))
            except ConsortiumError as e:
                outcomes[i].error = e.field_errors.get("file") or e.detail
        # The chunk's orders and their lines in two reads, not two per invoice.
        references = {doc.order_reference or doc.buyer_reference for _, doc in read}
        orders: dict[str, Order] = {
            o.reference: o
            for o in Order.objects.filter(
                supplier=actor.organisation, reference__in=references
            ).select_related("buyer", "supplier")
        }
        lines: dict[int, list[OrderLine]] = {}
        for ol in OrderLine.objects.filter(order__in=list(orders.values())).order_by("order_id", "id"):
            lines.setdefault(ol.order_id, []).append(ol)
        for order in orders.values():
            setattr(order, _LINES_ATTR, dict(enumerate(lines.get(order.pk, []), start=1)))
        drafts: list[tuple[int, _Draft]] = []
        for i, doc in read:
            try:
                drafts.append((i, _draft_from(actor, doc, files[i][1], keys[i], orders)))
            except ConsortiumError as e:
                outcomes[i].error = e.field_errors.get("file") or e.detail
        for (i, _), invoice in zip(drafts, _store(actor, [d for _, d in drafts]), strict=True):
            outcomes[i].invoice = invoice
    return outcomes


def _upload_key(content: bytes, submit_key: str) -> str:
    return submit_key.strip() or "ubl:" + hashlib.sha256(content).hexdigest()[:60]


def _draft_from(
    actor: Actor, doc: peppol.EInvoice, content: bytes, key: str, orders: dict[str, Order] | None = None
) -> _Draft:
    """What a valid e-invoice asks for, routed to its order and its lines to the order's lines."""
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
    _within_our_limits(doc)
    reference = doc.order_reference or doc.buyer_reference
    cache: dict[str, Order] = orders if orders is not None else {}
    if reference not in cache or cache[reference].status not in INVOICEABLE:
        cache[reference] = _order_of(actor, reference=reference)
    order = cache[reference]
    # The order's lines, numbered, once per order however many invoices in a batch bill it.
    positions = _lines_of(order)
    by_code: dict[str, list[OrderLine]] = {}
    for ol in positions.values():
        by_code.setdefault(ol.supplier_code.strip().upper(), []).append(ol)
    billed = []
    for ln in doc.lines:
        ref = ln.order_line_reference
        found_line = positions.get(int(ref)) if ref.isdigit() and len(ref) < 6 else None
        if found_line is None and ln.seller_code:
            found = by_code.get(ln.seller_code.strip().upper(), [])
            found_line = found[0] if len(found) == 1 else None
        billed.append(
            Billed(
                found_line,
                ln.name or ln.seller_code or f"line {ln.line_id}",
                ln.quantity,
                ln.unit_price.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
                ln.vat_rate,
                ln.net,
            )
        )
    credited = None
    if doc.is_credit_note and doc.billing_reference:
        credited = Invoice.objects.filter(
            order=order, kind=InvoiceKind.INVOICE, number_key=number_key(doc.billing_reference)
        ).first()
    return _Draft(
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
        stated=(doc.net, doc.vat),
    )


_LINES_ATTR = "_numbered_lines"


def _lines_of(order: Order) -> dict[int, OrderLine]:
    """The order's lines by their number on the order (1, 2, …), read once per order object."""
    if not hasattr(order, _LINES_ATTR):
        setattr(order, _LINES_ATTR, _positions(order))
    lines: dict[int, OrderLine] = getattr(order, _LINES_ATTR)
    return lines


def _within_our_limits(doc: peppol.EInvoice) -> None:
    """What the rules allow but an invoice to a member never needs: refused, naming the line,
    rather than stored wrongly. Negative totals are a credit note's job."""
    problems = []
    if doc.net < 0 or doc.vat < 0:
        problems.append("the totals are negative: send a credit note (UBL CreditNote) instead")
    if doc.total >= 10**9:
        problems.append("the total is £1,000,000,000 or more")
    if len(doc.lines) > 1000:
        problems.append("it has more than 1,000 lines")
    for ln in doc.lines:
        where = f"line {ln.line_id[:20]}"
        if not Decimal(-(10**7)) < ln.quantity < Decimal(10**7) or ln.quantity != ln.quantity.quantize(
            Decimal("0.001")
        ):
            problems.append(f"{where}: the quantity must be under 10,000,000 with at most 3 decimal places")
        if not Decimal(0) <= ln.unit_price < Decimal(10**7):
            problems.append(f"{where}: the unit price must be £0 to £10,000,000")
        if not abs(ln.net) < Decimal(10**9):
            problems.append(f"{where}: the line amount is too large")
        if not Decimal(0) <= ln.vat_rate < Decimal(100):
            problems.append(f"{where}: the VAT rate must be 0% to 99%")
    if problems:
        raise ValidationFailed(
            "This e-invoice cannot be accepted", field_errors={"file": "; ".join(problems[:10])}
        )


def _vat(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", number.upper()).removeprefix("GB")


@dataclass
class _Draft:
    order: Order
    kind: str
    source: str
    number: str
    issue_date: dt.date
    billed: list[Billed]
    ubl: str
    document: bytes | None
    credited: Invoice | None
    submit_key: str
    warnings: list[str]
    stated: tuple[Decimal, Decimal] | None = None  # an e-invoice's own net and VAT


def _per_order_line(field: str, statuses: frozenset[str], **where: Any) -> dict[int, Decimal]:
    """Σ `field` of the invoice lines (in invoices of `statuses`, filtered by `where`) per order
    line they bill, credit notes taken off."""
    rows = (
        InvoiceLine.objects.filter(invoice__status__in=statuses, order_line__isnull=False, **where)
        .values("order_line_id", "invoice__kind")
        .annotate(total=Sum(field))
        .order_by()
    )
    out: dict[int, Decimal] = {}
    for r in rows:
        sign = -1 if r["invoice__kind"] == InvoiceKind.CREDIT_NOTE else 1
        out[r["order_line_id"]] = out.get(r["order_line_id"], Decimal(0)) + sign * r["total"]
    return out


def _before_many(order_ids: list[int]) -> dict[int, Decimal]:
    """Quantity billed so far on each line of these orders (counted invoices less credit notes)."""
    return _per_order_line("quantity", COUNTED, invoice__order_id__in=order_ids)


def _billed_lines(d: _Draft, positions: dict[int, int], before: dict[int, Decimal]) -> list[BilledLine]:
    return [
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
        for i, b in enumerate(d.billed, start=1)
    ]


def _store(actor: Actor, drafts: list[_Draft]) -> list[Invoice]:
    """Match and store invoices, in one transaction with their orders locked: each is matched
    against its order, the goods received and every invoice before it (earlier ones in this
    batch included), approved when it agrees within the tolerances, else held with reasons."""
    if not drafts:
        return []
    supplier = actor.organisation
    try:
        with transaction.atomic():
            return _store_locked(actor, drafts)
    except IntegrityError:
        # The same submission ran at the same moment and won: return what it made.
        found = {
            i.submit_key: i
            for i in Invoice.objects.filter(supplier=supplier, submit_key__in=[d.submit_key for d in drafts])
        }
        if len(found) == len({d.submit_key for d in drafts}):
            return [found[d.submit_key] for d in drafts]
        raise


def _store_locked(actor: Actor, drafts: list[_Draft]) -> list[Invoice]:
    supplier = actor.organisation
    order_ids = sorted({d.order.pk for d in drafts})
    # Locked in id order, so two batches touching the same orders never deadlock.
    list(Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk").values_list("pk"))
    made = {
        i.submit_key: i
        for i in Invoice.objects.filter(supplier=supplier, submit_key__in=[d.submit_key for d in drafts])
    }
    before = _before_many(order_ids)
    positions: dict[int, int] = {}
    counts: dict[int, int] = {}
    for ol_id, order_id in (
        OrderLine.objects.filter(order_id__in=order_ids)
        .order_by("order_id", "id")
        .values_list("pk", "order_id")
    ):
        counts[order_id] = counts.get(order_id, 0) + 1
        positions[ol_id] = counts[order_id]
    keys = {number_key(d.number) for d in drafts}
    by_number: dict[tuple[str, str], Invoice] = {}
    by_amount: dict[tuple[Any, ...], Invoice] = {}
    for inv in (
        Invoice.objects.filter(supplier=supplier, status__in=COUNTED)
        .filter(Q(number_key__in=keys) | Q(order_id__in=order_ids))
        .order_by("pk")
    ):
        by_number.setdefault((inv.kind, inv.number_key), inv)
        by_amount.setdefault((inv.kind, inv.order_id, inv.net, inv.vat, inv.issue_date), inv)
    t = tolerance()
    tol = Tolerance(t.price_percent, t.price_amount, t.quantity_percent)
    received = today_in_london()
    results: list[Invoice] = []
    new: list[tuple[Invoice, _Draft, dict[str, str]]] = []
    for d in drafts:
        if d.submit_key in made:
            results.append(made[d.submit_key])
            continue
        net, breakdown, vat = peppol.totals(
            [peppol.LineIn("", "", "", "", b.quantity, "", b.unit_price, b.vat_rate) for b in d.billed]
        )
        if d.stated is not None:
            # An e-invoice's own totals are what the supplier asks for (the rules checked them).
            net, vat = d.stated
        net, vat = to_penny(net), to_penny(vat)
        credit = d.kind == InvoiceKind.CREDIT_NOTE
        reasons = reasons_for(_billed_lines(d, positions, before), tol, credit_note=credit)
        key = number_key(d.number)
        duplicate = by_number.get((d.kind, key))
        same = "number"
        if duplicate is None:
            duplicate = by_amount.get((d.kind, d.order.pk, net, vat, d.issue_date))
            same = "order, amount and date"
        if duplicate is not None:
            reasons.insert(0, f"Possible duplicate: {duplicate.reference} has the same {same}.")
        invoice = Invoice(
            kind=d.kind,
            source=d.source,
            order=d.order,
            supplier=supplier,
            buyer=d.order.buyer,  # the order's, read with it: the e-mails name it
            submitted_by=actor.person,
            number=d.number,
            number_key=key,
            credited_invoice=d.credited,
            issue_date=d.issue_date,
            received_on=received,
            due_date=received + dt.timedelta(days=PAYMENT_DAYS),
            net=net,
            vat=vat,
            total=net + vat,
            status=S.HELD if reasons else S.APPROVED,
            reasons=reasons,
            warnings=d.warnings,
            # A duplicate earlier in this batch has no id yet: linked once both are written.
            duplicate_of=duplicate if duplicate is not None and duplicate.pk else None,
            ubl=d.ubl,
            document=d.document,
            submit_key=d.submit_key,
        )
        # Later invoices in this batch see this one: as billed, and as a possible duplicate.
        sign = -1 if credit else 1
        for b in d.billed:
            if b.order_line is not None:
                before[b.order_line.pk] = before.get(b.order_line.pk, Decimal(0)) + sign * b.quantity
        made[d.submit_key] = invoice
        by_number.setdefault((d.kind, key), invoice)
        by_amount.setdefault((d.kind, d.order.pk, net, vat, d.issue_date), invoice)
        if duplicate is not None and not duplicate.pk:
            invoice._batch_duplicate = duplicate  # type: ignore[attr-defined]
        new.append((invoice, d, {str(rate): str(v) for rate, (_, v) in breakdown.items()}))
        results.append(invoice)
    if new:
        _insert(actor, new, received.year)
    return results


# What the MI counts as billed: an approved or paid invoice (a held one is still in question).
SPEND_COUNTED = frozenset({S.APPROVED, S.PAID})


def count_invoiced_in_spend(order_line_ids: set[int]) -> None:
    """Recompute what approved and paid invoices billed on these order lines (credit notes
    taken off) and move the MI's daily spend by the difference, so spend comes from invoices
    where they exist. Call in the transaction that approved them, with their orders locked."""
    ids = sorted(order_line_ids)
    if not ids:
        return
    billed = _per_order_line("net", SPEND_COUNTED, order_line_id__in=ids)
    changed: list[OrderLine] = []
    deltas: dict[tuple[Any, ...], Decimal] = {}
    for ol in OrderLine.objects.filter(pk__in=ids).only(
        "invoiced_net", "line_total", "in_spend", "ordered_on", "buyer", "supplier", "contract", "category"
    ):
        new = to_penny(billed[ol.pk]) if ol.pk in billed else None
        if new == ol.invoiced_net:
            continue
        if ol.in_spend:
            key = (ol.ordered_on, ol.buyer_id, ol.supplier_id, ol.contract_id, ol.category)
            was = ol.line_total if ol.invoiced_net is None else ol.invoiced_net
            deltas[key] = deltas.get(key, Decimal(0)) + (ol.line_total if new is None else new) - was
        ol.invoiced_net = new
        changed.append(ol)
    if changed:
        # One statement run many times: a batch of 1,000 invoices changes about 3,500 lines,
        # which bulk_update would write as CASE expressions Django takes seconds to build.
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE orders_orderline SET invoiced_net = %s WHERE id = %s",
                [(ol.invoiced_net, ol.pk) for ol in changed],
            )
    add_to_days(deltas)


def _insert(actor: Actor, new: list[tuple[Invoice, _Draft, dict[str, str]]], year: int) -> None:
    """New invoices numbered as one block from the year's counter, then written in bulk with
    their lines, first timeline entries and audit events; e-mails go after commit."""
    last = next_number(InvoiceReferenceCounter, year, count=len(new))
    for n, (invoice, _, _) in enumerate(new):
        invoice.reference = f"INV-{year}-{last - len(new) + 1 + n:06d}"
    Invoice.objects.bulk_create([inv for inv, _, _ in new], batch_size=500)
    for inv, _, _ in new:
        earlier = getattr(inv, "_batch_duplicate", None)
        if earlier is not None:
            inv.duplicate_of = earlier
            Invoice.objects.filter(pk=inv.pk).update(duplicate_of=earlier.pk)
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=inv,
                order_line=b.order_line,
                description=b.description[:200],
                quantity=b.quantity,
                unit_price=b.unit_price,
                vat_rate=b.vat_rate,
                net=b.net if b.net is not None else to_penny(b.quantity * b.unit_price),
            )
            for inv, d, _ in new
            for b in d.billed
        ],
        batch_size=1000,
    )
    # Invoices that matched are approved as they arrive: the MI's spend follows them.
    count_invoiced_in_spend(
        {
            b.order_line.pk
            for inv, d, _ in new
            if inv.status in SPEND_COUNTED
            for b in d.billed
            if b.order_line is not None
        }
    )
    InvoiceEvent.objects.bulk_create(
        [
            InvoiceEvent(
                invoice=inv,
                from_status="",
                to_status=inv.status,
                note=f"{len(inv.reasons)} difference(s)"
                if inv.reasons
                else "Matched the order and goods received",
            )
            for inv, _, _ in new
        ],
        batch_size=1000,
    )
    audit_record_many(
        actor=actor,
        action="invoice.submit",
        records=[
            (
                inv,
                inv.order.buyer,
                {
                    "reference": inv.reference,
                    "number": inv.number,
                    "order": inv.order.reference,
                    "total": inv.total,
                    "status": inv.status,
                    "breakdown": vat_by_rate,
                },
            )
            for inv, _, vat_by_rate in new
        ],
    )
    emails: dict[tuple[int, tuple[str, ...]], list[str]] = {}
    for inv, _, _ in new:
        _notify_arrival(inv, emails)


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
        if step.to in SPEND_COUNTED and before not in SPEND_COUNTED:
            # The order locked (as intake locks it) so two approvals on one order add up.
            list(Order.objects.select_for_update().filter(pk=invoice.order_id).values_list("pk"))
            count_invoiced_in_spend(
                set(invoice.lines.filter(order_line__isnull=False).values_list("order_line_id", flat=True))
            )
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


def _pdf_problem(document: bytes) -> str:
    """What is wrong with a supplier's PDF of an invoice, or nothing."""
    if len(document) > MAX_PDF_BYTES:
        return "The PDF must be 10 MB or smaller"
    if sniff_document(document) != "application/pdf":
        return "The file must be a PDF"
    return ""


def invoice_attach_document(*, actor: Actor, invoice_id: int, document: bytes) -> Invoice:
    """The supplier's PDF of an invoice it sent without one (entered through the API, say).
    Once attached it is part of the record: it is never replaced."""
    require_supplier(actor)
    problem = _pdf_problem(document)
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update()
            .filter(supplier=actor.organisation, pk=invoice_id)
            .select_related("buyer")
            .first()
        )
        if invoice is None:
            raise NotFound("No invoice of yours with that id")
        if invoice.document:
            raise Conflict(
                f"{invoice.reference} already has its PDF: it is part of the record and stays as sent"
            )
        if problem:
            raise ValidationFailed("Check the file", field_errors={"file": problem})
        invoice.document = document
        invoice.save(update_fields=["document", "modified_at"])
        audit_record(
            actor=actor,
            action="invoice.attach_pdf",
            obj=invoice,
            organisation=invoice.buyer,
            changes={"pdf_bytes": len(document)},
        )
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


def _emails(cache: dict[tuple[int, tuple[str, ...]], list[str]], org_id: int, *roles: str) -> list[str]:
    if (org_id, roles) not in cache:
        cache[(org_id, roles)] = notification_emails([org_id], list(roles))
    return cache[(org_id, roles)]


def _notify_arrival(invoice: Invoice, cache: dict[tuple[int, tuple[str, ...]], list[str]]) -> None:
    if invoice.status == S.HELD:
        for email in _emails(cache, invoice.buyer_id, Role.APPROVER, Role.FINANCE_OFFICER):
            send_email_on_commit(
                to=email,
                subject=f"Invoice waiting for your decision: {invoice.reference}",
                body=_body(invoice),
            )
    _notify_supplier(invoice, cache)


def _notify_supplier(
    invoice: Invoice, cache: dict[tuple[int, tuple[str, ...]], list[str]] | None = None
) -> None:
    for email in _emails(cache if cache is not None else {}, invoice.supplier_id, Role.SUPPLIER_USER):
        send_email_on_commit(
            to=email,
            subject=f"{invoice.get_kind_display()} {invoice.number}: {invoice.get_status_display().lower()}",
            body=_body(invoice),
        )
