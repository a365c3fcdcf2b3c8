"""Pages: invoices sent and received, entering one on an order, uploading an e-invoice, the
buyer's decisions, the finance export and the consortium's match tolerances."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from consortium.core.errors import ConsortiumError, PermissionDenied
from consortium.core.files import csv_response
from consortium.core.forms import posted, read_form, rows_where
from consortium.core.views import actor_required, form_errors, uploaded_file
from consortium.invoices import downloads, peppol, selectors, services
from consortium.invoices.constants import InvoiceKind, InvoiceStatus
from consortium.invoices.schemas import DecisionIn, InvoiceIn, PaidIn, ToleranceIn
from consortium.orders.models import Order
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission

S = InvoiceStatus


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


@actor_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    status = request.GET.get("status", "")
    status = status if status in S.values else ""
    qs = selectors.with_has_pdf(selectors.invoices_for(actor, status=status or None))
    order_id = request.GET.get("order", "")
    if order_id.isdigit() and len(order_id) < 18:
        qs = qs.filter(order_id=int(order_id))
    else:
        order_id = ""
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    org = actor.organisation
    return render(
        request,
        "invoices/invoice_list.html",
        {
            "invoices": page,
            "page": page,
            "count": page.paginator.count,
            "statuses": S.choices,
            "status": status,
            "query": urlencode({k: v for k, v in (("status", status), ("order", order_id)) if v}),
            "is_supplier": org.is_supplier,
            "summary": None if org.is_supplier else selectors.summary(actor),
            "may_set_tolerances": org.is_consortium and actor.has(Permission.INVOICES_VIEW_ALL),
        },
    )


@actor_required
def invoice_export(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", S.APPROVED)
    if status not in S.values:
        raise Http404("No such status")
    qs = selectors.invoices_for(_actor(request), status=status).prefetch_related("lines__order_line")[:20000]
    return csv_response(selectors.export_csv(qs), f"invoices-{status}.csv")


@actor_required
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = _actor(request)
    invoice = selectors.invoice_get_for(actor, invoice_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            reason = read_form(DecisionIn, request.POST).reason
            values: dict[str, Any] = {"reason": reason}
            if action == "pay":
                values = {"paid_on": read_form(PaidIn, request.POST).paid_on}
            invoice = services.invoice_act(actor=actor, invoice=invoice, action=action, **values)
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, f"{invoice.reference}: {invoice.get_status_display().lower()}.")
            return redirect("invoice-detail", invoice_id=invoice.pk)
        invoice = selectors.invoice_get_for(actor, invoice_id)
    return render(
        request,
        "invoices/invoice_detail.html",
        {
            "invoice": invoice,
            "actions": services.invoice_actions_for(actor, invoice),
            "errors": errors,
            "typed": request.POST if errors else None,
        },
        status=400 if errors else 200,
    )


@actor_required
def invoice_ubl(request: HttpRequest, invoice_id: int) -> HttpResponse:
    return downloads.ubl_response(selectors.invoice_get_for(_actor(request), invoice_id))


@actor_required
def invoice_document(request: HttpRequest, invoice_id: int) -> HttpResponse:
    return downloads.pdf_response(selectors.invoice_get_for(_actor(request), invoice_id))


def _supplier_order(actor: Actor, order_id: int) -> Order:
    services.require_supplier(actor)
    order = Order.objects.filter(pk=order_id, supplier=actor.organisation).select_related("buyer").first()
    if order is None:
        raise Http404("No order with that id was placed with your organisation")
    return order


@actor_required
def invoice_new(request: HttpRequest, order_id: int) -> HttpResponse:
    """The supplier bills an order line by line: what was received and not yet invoiced is
    filled in at the order's prices; a PDF of their own invoice may go with it."""
    actor = _actor(request)
    order = _supplier_order(actor, order_id)
    lines = list(order.lines.order_by("id"))
    before = services.invoiced_before(order)
    rows: list[dict[str, Any]] = [
        {
            "position": i,
            "line": ln,
            "outstanding": max(Decimal(ln.quantity_delivered) - before.get(ln.pk, Decimal(0)), Decimal(0)),
        }
        for i, ln in enumerate(lines, start=1)
    ]
    errors: dict[str, str] = {}
    if request.method == "POST":
        given = [
            {
                "line": r["position"],
                "quantity": request.POST.get(f"quantity_{r['position']}", "").strip() or "0",
                "unit_price": request.POST.get(f"unit_price_{r['position']}", "").strip() or "0",
            }
            for r in rows
        ]
        try:
            data = read_form(
                InvoiceIn,
                {
                    # A page that lost its hidden key still submits once: a fresh key stands in.
                    "submit_key": request.POST.get("submit_key", "").strip()[:64] or uuid.uuid4().hex,
                    **posted(request.POST, "kind", "number", "issue_date", "credited_invoice"),
                    "lines": given,
                },
                raw=True,
                where=rows_where("lines", [r["position"] for r in rows], lambda i: f"Line {i + 1}"),
                summary="Check the invoice",
            )
            document = None
            if request.FILES.get("document") is not None:
                document, _ = uploaded_file(request, max_bytes=services.MAX_PDF_BYTES, field="document")
            invoice = services.invoice_enter(
                actor=actor,
                order_id=order.pk,
                **data.dict(exclude={"lines"}),
                lines=[ln.dict() for ln in data.lines],
                document=document,
            )
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = {_row_field(k): v for k, v in form_errors(exc).items()}
        else:
            messages.success(request, _outcome(invoice))
            return redirect("invoice-detail", invoice_id=invoice.pk)
    return render(
        request,
        "invoices/invoice_new.html",
        {
            "order": order,
            "rows": rows,
            "errors": errors,
            "typed": request.POST if request.method == "POST" else None,
            "submit_key": request.POST.get("submit_key") or uuid.uuid4().hex,
            "kinds": InvoiceKind.choices,
        },
        status=400 if errors else 200,
    )


def _row_field(key: str) -> str:
    # The service names rows as lines.<i>.<field>; the page's inputs are <field>_<position>.
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit():
        return f"{'quantity' if parts[2] == 'line' else parts[2]}_{int(parts[1]) + 1}"
    return key


def _outcome(invoice: Any) -> str:
    if invoice.status == S.APPROVED:
        return (
            f"{invoice.reference} matched the order and goods received: approved for payment by "
            f"{invoice.due_date:%-d %B %Y}."
        )
    return f"{invoice.reference} is held for the buyer: {len(invoice.reasons)} difference(s) from the order."


MAX_FILES = 500


@actor_required
def invoice_upload(request: HttpRequest) -> HttpResponse:
    """One e-invoice, or many at once (a month's): each checked and matched; the page lists what
    became of each file, naming the rule a refused one broke."""
    actor = _actor(request)
    services.require_supplier(actor)
    errors: dict[str, str] = {}
    outcomes: list[services.UploadOutcome] = []
    if request.method == "POST":
        uploads = request.FILES.getlist("file")
        if not uploads:
            errors = {"file": "Choose one or more e-invoice files"}
        elif len(uploads) > MAX_FILES:
            errors = {"file": f"Upload at most {MAX_FILES} files at a time"}
        else:
            files = [
                (u.name or f"file {n}", u.read(peppol.MAX_BYTES + 1)) for n, u in enumerate(uploads, start=1)
            ]
            outcomes = services.invoice_upload_many(actor=actor, files=files)
            if len(outcomes) == 1:
                if outcomes[0].invoice is not None:
                    messages.success(request, _outcome(outcomes[0].invoice))
                    return redirect("invoice-detail", invoice_id=outcomes[0].invoice.pk)
                errors = {"file": outcomes[0].error}
                outcomes = []
    refused = sum(1 for o in outcomes if o.invoice is None)
    return render(
        request,
        "invoices/invoice_upload.html",
        {"errors": errors, "outcomes": outcomes, "refused": refused},
        status=400 if errors or refused else 200,
    )


@actor_required
def tolerances(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not (actor.organisation.is_consortium and actor.has(Permission.INVOICES_VIEW_ALL)):
        raise PermissionDenied("The consortium's admins and category managers set the match tolerances.")
    errors: dict[str, str] = {}
    row = services.tolerance()
    if request.method == "POST":
        try:
            data = read_form(ToleranceIn, request.POST, summary="Check the tolerances")
            services.tolerance_set(actor=actor, **data.dict())
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, "Match tolerances saved: they apply to invoices from now on.")
            return redirect("invoice-tolerances")
    return render(
        request,
        "invoices/tolerances.html",
        {"row": row, "errors": errors, "typed": request.POST if errors else None},
        status=400 if errors else 200,
    )
