"""What the invoices API and pages accept: one definition of each field and its limits."""

from __future__ import annotations

from decimal import Decimal

from ninja import Field

from consortium.core.schemas import Date, Pounds, StrictIn
from consortium.invoices.constants import InvoiceKind


class InvoiceLineIn(StrictIn):
    line: int = Field(..., ge=1, le=10000, title="Order line", description="The order's line number, from 1")
    quantity: Decimal = Field(..., ge=0, le=10**7, decimal_places=3, title="Quantity")
    unit_price: Pounds = Field(..., ge=0, lt=10**7, decimal_places=4, title="Unit price")


class InvoiceIn(StrictIn):
    kind: InvoiceKind = InvoiceKind.INVOICE
    number: str = Field(..., min_length=1, max_length=60, title="Invoice number")
    issue_date: Date = Field(..., title="Invoice date")
    lines: list[InvoiceLineIn] = Field(..., min_length=1, max_length=1000)
    submit_key: str = Field(..., min_length=1, max_length=64, description="Send the same key to retry safely")
    credited_invoice: str = Field(
        "", max_length=60, title="Invoice credited", description="For a credit note: the invoice it corrects"
    )


class DecisionIn(StrictIn):
    reason: str = Field("", max_length=300)


class PaidIn(StrictIn):
    paid_on: Date | None = Field(None, title="Date paid", description="Blank: today")


class ToleranceIn(StrictIn):
    price_percent: Decimal = Field(..., ge=0, le=50, decimal_places=2, title="Price tolerance (%)")
    price_amount: Pounds = Field(..., ge=0, le=1000, decimal_places=2, title="Price tolerance (£ a line)")
    quantity_percent: Decimal = Field(..., ge=0, le=50, decimal_places=2, title="Quantity tolerance (%)")
