"""Supplier invoices and credit notes against call-off orders, matched line by line to what was
ordered and received."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from consortium.core.models import TimestampedModel
from consortium.invoices.constants import (
    DEFAULT_PRICE_TOLERANCE_AMOUNT,
    DEFAULT_PRICE_TOLERANCE_PERCENT,
    DEFAULT_QUANTITY_TOLERANCE_PERCENT,
    InvoiceKind,
    InvoiceSource,
    InvoiceStatus,
)


class MatchTolerance(models.Model):
    """How far an invoice may differ from the order and the goods received and still be approved
    without a person: one row, set by the consortium."""

    price_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_PRICE_TOLERANCE_PERCENT,
        help_text="% over the order's unit price",
    )
    price_amount = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=DEFAULT_PRICE_TOLERANCE_AMOUNT,
        help_text="£ over a line's ordered value",
    )
    quantity_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_QUANTITY_TOLERANCE_PERCENT,
        help_text="% over the quantity received",
    )
    modified_at = models.DateTimeField(auto_now=True)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"price {self.price_percent}% or £{self.price_amount}, quantity {self.quantity_percent}%"


class InvoiceReferenceCounter(models.Model):
    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Invoice(TimestampedModel):
    reference = models.CharField(max_length=20, unique=True, help_text="Ours: INV-2026-000123")
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    source = models.CharField(max_length=10, choices=InvoiceSource.choices)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="invoices")
    supplier = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="invoices_sent"
    )
    buyer = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="invoices_received"
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=60, help_text="The supplier's own invoice number")
    # Upper-cased, spaces and punctuation gone: "inv 001" and "INV-001" are one number.
    number_key = models.CharField(max_length=60, editable=False)
    credited_invoice = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    issue_date = models.DateField()
    received_on = models.DateField()
    due_date = models.DateField(help_text="30 days from receipt: the prompt payment term")
    net = models.DecimalField(max_digits=12, decimal_places=2, help_text="£ ex VAT")
    vat = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2, help_text="£ inc VAT")
    status = models.CharField(max_length=20, choices=InvoiceStatus.choices)
    # Why the invoice did not match, one sentence per difference, in the buyer's words.
    reasons = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True, help_text="Peppol rules' warnings")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ubl = models.TextField(
        help_text="The invoice as UBL 2.1 (Peppol BIS Billing 3.0): received or written by us"
    )
    document = models.BinaryField(null=True, blank=True, help_text="The supplier's PDF, where they sent one")
    submit_key = models.CharField(max_length=64, help_text="The same submission twice makes one invoice")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=300, blank=True)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "submit_key"], name="invoice_one_per_submission"),
            models.CheckConstraint(
                condition=Q(net__gte=0) & Q(vat__gte=0), name="invoice_amounts_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "status", "-created_at"]),
            models.Index(fields=["supplier", "-created_at"]),
            models.Index(fields=["supplier", "number_key"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(max_digits=12, decimal_places=4, help_text="£ ex VAT")
    vat_rate = models.DecimalField(max_digits=4, decimal_places=2)
    net = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"


class InvoiceEvent(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=InvoiceStatus.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.from_status} → {self.to_status}"
