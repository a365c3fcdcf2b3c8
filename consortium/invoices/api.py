import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from consortium.core.api_errors import ERRORS
from consortium.core.files import csv_response
from consortium.core.pagination import Page
from consortium.invoices import downloads, peppol, selectors, services
from consortium.invoices.constants import InvoiceStatus
from consortium.invoices.models import Invoice
from consortium.invoices.schemas import DecisionIn, InvoiceIn, PaidIn, ToleranceIn
from consortium.organisations.api_auth import actor_of

router = Router(tags=["invoices"])


class InvoiceLineOut(Schema):
    id: int
    order_line_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    net: Decimal


class InvoiceEventOut(Schema):
    from_status: str
    to_status: str
    at: dt.datetime
    note: str


class InvoiceOut(Schema):
    id: int
    reference: str
    kind: str
    source: str
    status: str
    number: str
    order_id: int
    order_reference: str = Field(..., alias="order.reference")
    supplier_id: int
    supplier_name: str = Field(..., alias="supplier.name")
    buyer_id: int
    buyer_name: str = Field(..., alias="buyer.name")
    issue_date: dt.date
    received_on: dt.date
    due_date: dt.date = Field(..., description="30 days from receipt: the prompt payment term")
    net: Decimal
    vat: Decimal
    total: Decimal
    reasons: list[str] = Field(..., description="Why it did not match the order and goods received")
    paid_on: dt.date | None
    rejection_reason: str
    has_pdf: bool = Field(..., description="The supplier's PDF of it is at /api/v1/invoices/{id}/pdf")

    @staticmethod
    def resolve_has_pdf(obj: Invoice) -> bool:
        has_pdf = getattr(obj, "has_pdf", None)
        return bool(obj.document) if has_pdf is None else bool(has_pdf)


class InvoiceDetailOut(InvoiceOut):
    warnings: list[str]
    lines: list[InvoiceLineOut]
    events: list[InvoiceEventOut]


class ToleranceOut(Schema):
    price_percent: Decimal
    price_amount: Decimal
    quantity_percent: Decimal


class MonthOut(Schema):
    month: dt.date
    invoiced: Decimal
    paid: Decimal
    held: Decimal


class SummaryOut(Schema):
    period_from: dt.date = Field(..., alias="from")
    period_to: dt.date = Field(..., alias="to")
    months: list[MonthOut]
    totals: dict[str, Decimal]
    overdue_count: int
    overdue_total: Decimal


def _file(media_type: str) -> dict[str, object]:
    return {
        "responses": {
            200: {
                "description": "The file",
                "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


@router.get("/invoices", response={200: list[InvoiceOut], **ERRORS}, operation_id="invoice_list")
@paginate(Page)
def invoice_list(request: HttpRequest, status: InvoiceStatus | None = None) -> object:
    """Invoices and credit notes: a supplier's own, a member's received, or every one for the consortium."""
    return selectors.with_has_pdf(selectors.invoices_for(actor_of(request), status=status))


@router.get("/invoices.csv", response=ERRORS, operation_id="invoice_export", openapi_extra=_file("text/csv"))
def invoice_export(request: HttpRequest, status: InvoiceStatus = InvoiceStatus.APPROVED) -> HttpResponse:
    """Invoice lines for the finance system (approved ones unless asked otherwise), with ledger codes."""
    qs = selectors.invoices_for(actor_of(request), status=status).prefetch_related("lines__order_line")[
        :20000
    ]
    return csv_response(selectors.export_csv(qs), f"invoices-{status}.csv")


@router.get("/invoices/summary", response={200: SummaryOut, **ERRORS}, operation_id="invoice_summary")
def invoice_summary(request: HttpRequest) -> object:
    """Invoiced, paid and held (£ ex VAT, credit notes taken off) by month, the latest 12 months."""
    return selectors.summary(actor_of(request))


@router.post("/invoices/ubl", response={201: InvoiceDetailOut, **ERRORS}, operation_id="invoice_upload")
def invoice_upload(
    request: HttpRequest, file: File[UploadedFile], submit_key: str = Query("", max_length=64)
) -> Status:
    """A Peppol BIS Billing 3.0 invoice or credit note (UBL 2.1 XML), checked against EN 16931 and
    the Peppol rules; refused (422) with each broken rule's id. The same file twice is one invoice."""
    actor = actor_of(request)
    content = file.read(peppol.MAX_BYTES + 1)
    invoice = services.invoice_upload(actor=actor, content=content, submit_key=submit_key)
    return Status(201, selectors.invoice_get_for(actor, invoice.pk))


@router.get("/invoices/{invoice_id}", response={200: InvoiceDetailOut, **ERRORS}, operation_id="invoice_get")
def invoice_get(request: HttpRequest, invoice_id: int) -> Invoice:
    return selectors.invoice_get_for(actor_of(request), invoice_id)


@router.get(
    "/invoices/{invoice_id}/ubl",
    response=ERRORS,
    operation_id="invoice_ubl",
    openapi_extra=_file("application/xml"),
)
def invoice_ubl(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """The invoice as UBL 2.1 (Peppol BIS Billing 3.0): as received, or as we wrote it."""
    return downloads.ubl_response(selectors.invoice_get_for(actor_of(request), invoice_id))


@router.get(
    "/invoices/{invoice_id}/pdf",
    response=ERRORS,
    operation_id="invoice_pdf",
    openapi_extra=_file("application/pdf"),
)
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """The supplier's PDF of the invoice, where it sent one."""
    return downloads.pdf_response(selectors.invoice_get_for(actor_of(request), invoice_id))


@router.post(
    "/invoices/{invoice_id}/pdf",
    response={200: InvoiceDetailOut, **ERRORS},
    operation_id="invoice_attach_pdf",
)
def invoice_attach_pdf(request: HttpRequest, invoice_id: int, file: File[UploadedFile]) -> Invoice:
    """The supplier attaches its PDF to an invoice it entered without one (multipart `file`, a PDF
    up to 10 MB, checked by its content). Once attached it is never replaced."""
    actor = actor_of(request)
    document = file.read(services.MAX_PDF_BYTES + 1)
    services.invoice_attach_document(actor=actor, invoice_id=invoice_id, document=document)
    return selectors.invoice_get_for(actor, invoice_id)


@router.post(
    "/orders/{order_id}/invoices", response={201: InvoiceDetailOut, **ERRORS}, operation_id="invoice_enter"
)
def invoice_enter(request: HttpRequest, order_id: int, payload: InvoiceIn) -> Status:
    """The supplier invoices (or credits) an order line by line: matched at once, approved when it
    agrees with the order and goods received within the consortium's tolerances. Idempotent."""
    actor = actor_of(request)
    invoice = services.invoice_enter(
        actor=actor,
        order_id=order_id,
        **payload.dict(exclude={"lines"}),
        lines=[ln.dict() for ln in payload.lines],
    )
    return Status(201, selectors.invoice_get_for(actor, invoice.pk))


def _act(request: HttpRequest, invoice_id: int, action: str, **values: object) -> Invoice:
    actor = actor_of(request)
    invoice = selectors.invoice_get_for(actor, invoice_id)
    services.invoice_act(actor=actor, invoice=invoice, action=action, **values)  # type: ignore[arg-type]
    return selectors.invoice_get_for(actor, invoice_id)


@router.post(
    "/invoices/{invoice_id}/approve",
    response={200: InvoiceDetailOut, **ERRORS},
    operation_id="invoice_approve",
)
def invoice_approve(request: HttpRequest, invoice_id: int, payload: DecisionIn) -> Invoice:
    """An approver or finance officer of the buyer approves a held invoice for payment (not on their own order)."""
    return _act(request, invoice_id, "approve", reason=payload.reason)


@router.post(
    "/invoices/{invoice_id}/reject", response={200: InvoiceDetailOut, **ERRORS}, operation_id="invoice_reject"
)
def invoice_reject(request: HttpRequest, invoice_id: int, payload: DecisionIn) -> Invoice:
    """Reject a held invoice, saying why: the supplier is told."""
    return _act(request, invoice_id, "reject", reason=payload.reason)


@router.post(
    "/invoices/{invoice_id}/paid", response={200: InvoiceDetailOut, **ERRORS}, operation_id="invoice_pay"
)
def invoice_pay(request: HttpRequest, invoice_id: int, payload: PaidIn) -> Invoice:
    """Record that an approved invoice was paid (today unless a date is given)."""
    return _act(request, invoice_id, "pay", paid_on=payload.paid_on)


@router.get(
    "/invoice-tolerances", response={200: ToleranceOut, **ERRORS}, operation_id="invoice_tolerance_get"
)
def tolerance_get(request: HttpRequest) -> object:
    """How far an invoice may differ from its order and still be approved automatically: for the
    consortium only (a supplier that knew it could invoice up to it every time)."""
    return services.tolerance_for(actor_of(request))


@router.put(
    "/invoice-tolerances", response={200: ToleranceOut, **ERRORS}, operation_id="invoice_tolerance_set"
)
def tolerance_set(request: HttpRequest, payload: ToleranceIn) -> object:
    """The consortium's admins and category managers set the match tolerances."""
    return services.tolerance_set(actor=actor_of(request), **payload.dict())
