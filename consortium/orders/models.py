"""Baskets, approval rules and call-off orders. An order keeps its own copy of what was
bought (code, name, price, VAT), so it stays whole from search to invoice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from consortium.core.models import TimestampedModel
from consortium.orders.constants import OrderStatus


class BasketLine(TimestampedModel):
    """One item in a person's basket, while they act for an organisation."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="basket_lines"
    )
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("catalogue.CatalogueItem", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    cost_centre = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "item"], name="basket_line_unique_item"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="basket_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id}"


class ApprovalRule(TimestampedModel):
    """Orders above `threshold` (ex VAT), in `category` or any, need an approver of the organisation."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="approval_rules"
    )
    threshold = models.DecimalField(max_digits=12, decimal_places=2, help_text="£ ex VAT")
    category = models.CharField(max_length=30, blank=True, help_text="Blank: every category")

    class Meta:
        ordering = ["organisation", "category", "threshold"]

    def __str__(self) -> str:
        return f"{self.organisation}: over £{self.threshold} {self.category or 'any category'}"


class OrderReferenceCounter(models.Model):
    """The last order number issued each year; locked row by row so references never repeat."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Order(TimestampedModel):
    reference = models.CharField(max_length=20, unique=True)
    buyer = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="orders_placed"
    )
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    supplier = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="orders_received"
    )
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=30, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    delivery_address = models.TextField()
    notes = models.TextField(blank=True)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, help_text="£ ex VAT")
    vat = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2, help_text="£ inc VAT")
    # The same checkout submitted twice (a double click, a retried request) makes one set of orders.
    checkout_key = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=300, blank=True)
    cancellation_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "checkout_key", "supplier"], name="order_one_per_checkout_supplier"
            )
        ]
        indexes = [
            models.Index(fields=["buyer", "-created_at"]),
            models.Index(fields=["supplier", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.reference


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # Copied from the order so management information is one scan of one table:
    # who bought, from whom, on which contract, when, and whether it counts as spend
    # (sent to the supplier and not cancelled or rejected).
    buyer = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    ordered_on = models.DateField()
    in_spend = models.BooleanField(default=False)
    item = models.ForeignKey("catalogue.CatalogueItem", on_delete=models.PROTECT, related_name="order_lines")
    supplier_code = models.CharField(max_length=60)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=30)
    unit_of_measure = models.CharField(max_length=30)
    unit_price = models.DecimalField(
        max_digits=10, decimal_places=2, help_text="£ ex VAT at the time of ordering"
    )
    vat_rate = models.DecimalField(max_digits=4, decimal_places=2)
    baseline_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    quantity = models.PositiveIntegerField()
    quantity_delivered = models.PositiveIntegerField(default=0)
    cost_centre = models.CharField(max_length=40, blank=True)
    line_total = models.DecimalField(max_digits=12, decimal_places=2, help_text="£ ex VAT")
    baseline_total = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="£ ex VAT at the baseline price, where one is known: what members paid before",
    )
    # What approved and paid invoices billed on this line, credit notes taken off; None until
    # one is approved. Spend (MI, rebates) counts this where it exists, else the line total.
    invoiced_net = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="£ ex VAT billed by approved or paid invoices, less credit notes",
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["in_spend", "buyer", "ordered_on"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class OrderEvent(models.Model):
    """The order's timeline: one row per step, with who and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, choices=OrderStatus.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} → {self.to_status}"


class SavedList(TimestampedModel):
    """A list of items an organisation orders again and again ("Monthly stationery"), shared by
    its buyers: added to the basket in one go."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="saved_lists"
    )
    name = models.CharField(max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="saved_list_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SavedListItem(models.Model):
    saved_list = models.ForeignKey(SavedList, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey("catalogue.CatalogueItem", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["saved_list", "item"], name="saved_list_item_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="saved_list_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id}"
