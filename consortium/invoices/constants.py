"""Invoices and credit notes against call-off orders: their workflow, in one table."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from consortium.organisations.permissions import Permission

# Public bodies pay undisputed invoices within 30 days of receiving them: Procurement Act 2023
# s.68 puts that term into every public contract (as regulation 113 of the Public Contracts
# Regulations 2015 did). Calendar days, from the day the invoice reaches the buyer.
PAYMENT_DAYS = 30
# What the consortium allows before an invoice waits for a person (MatchTolerance overrides).
DEFAULT_PRICE_TOLERANCE_PERCENT = Decimal("2.00")
DEFAULT_PRICE_TOLERANCE_AMOUNT = Decimal("1.00")
DEFAULT_QUANTITY_TOLERANCE_PERCENT = Decimal("0.00")


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoiceSource(models.TextChoices):
    KEYED = "keyed", "Entered on the order"
    UBL = "ubl", "E-invoice (Peppol BIS Billing 3.0)"
    PDF = "pdf", "PDF with figures entered"


class InvoiceStatus(models.TextChoices):
    HELD = "held", "Held for the buyer"
    APPROVED = "approved", "Approved for payment"
    REJECTED = "rejected", "Rejected"
    PAID = "paid", "Paid"


@dataclass(frozen=True)
class InvoiceAction:
    label: str
    from_states: frozenset[str]
    to: str
    permission: Permission
    reason_required: bool = False
    warning: bool = False


S = InvoiceStatus
# The buyer's side: approve what did not match (with the reasons in view), reject it, record
# payment. Matching invoices are approved by the service as they arrive.
INVOICE_ACTIONS: dict[str, InvoiceAction] = {
    "approve": InvoiceAction(
        "Approve for payment", frozenset({S.HELD}), S.APPROVED, Permission.INVOICES_APPROVE
    ),
    "reject": InvoiceAction(
        "Reject",
        frozenset({S.HELD}),
        S.REJECTED,
        Permission.INVOICES_APPROVE,
        reason_required=True,
        warning=True,
    ),
    "pay": InvoiceAction("Record payment", frozenset({S.APPROVED}), S.PAID, Permission.INVOICES_APPROVE),
}
# The statuses that count as invoiced (owed or paid): a rejected invoice counts for nothing.
COUNTED = frozenset({S.HELD, S.APPROVED, S.PAID})
