"""An invoice's files as downloads, for the pages and the API alike."""

from __future__ import annotations

from django.http import HttpResponse

from consortium.core.errors import NotFound
from consortium.invoices.models import Invoice


def ubl_response(invoice: Invoice) -> HttpResponse:
    """The invoice as UBL 2.1 (Peppol BIS Billing 3.0): as received, or as we wrote it."""
    return _attachment(invoice.ubl.encode(), "application/xml", f"{invoice.reference}.xml")


def pdf_response(invoice: Invoice) -> HttpResponse:
    """The supplier's PDF of the invoice; NotFound when it sent none."""
    if not invoice.document:
        raise NotFound("This invoice came without a PDF")
    return _attachment(bytes(invoice.document), "application/pdf", f"{invoice.reference}.pdf")


def _attachment(content: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
