"""What suppliers sell on the consortium's contracts, at what price."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from consortium.catalogue.constants import Category, PriceChangeStatus
from consortium.core.models import TimestampedModel


class CatalogueItem(TimestampedModel):
    supplier = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="catalogue_items"
    )
    lot = models.ForeignKey("contracts.Lot", on_delete=models.PROTECT, related_name="items")
    supplier_code = models.CharField(max_length=60)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=30, choices=Category.choices)
    unit_of_measure = models.CharField(max_length=30, default="each")
    pack_size = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(
        max_digits=10, decimal_places=2, help_text="£ ex VAT per unit of measure"
    )
    vat_rate = models.DecimalField(max_digits=4, decimal_places=2, default=20, help_text="VAT %")
    minimum_order = models.PositiveIntegerField(default=1)
    lead_time_days = models.PositiveSmallIntegerField(default=3, help_text="Working days")
    eco_label = models.BooleanField(default=False)
    sustainability_marks = models.CharField(max_length=200, blank=True, help_text="e.g. FSC, EU Ecolabel")
    baseline_price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="£ ex VAT members paid before the contract, for savings",
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    image_url = models.URLField(blank=True)
    # The supplier's picture of the item, checked and resized by us (catalogue.images): never
    # the file as uploaded. Alt text says what the picture shows, for screen readers.
    image = models.BinaryField(null=True, blank=True, editable=False)
    image_type = models.CharField(max_length=20, blank=True, editable=False)
    image_alt = models.CharField(max_length=200, blank=True)
    # Variants of one product (colours, sizes, pack sizes) share the supplier's product group
    # and differ by their label: search shows one of them with the others beside it.
    product_group = models.CharField(max_length=60, blank=True)
    variant_label = models.CharField(max_length=100, blank=True, help_text="e.g. Blue, box of 50")
    # Name, description, category and code in one field, indexed for full-text
    # search (FTS5 on SQLite, a GIN tsvector index on PostgreSQL).
    search_document = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "supplier_code"], name="catalogue_item_code_unique"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="catalogue_item_price_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="catalogue_item_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["category", "unit_price"]),
            models.Index(fields=["lot", "supplier"]),
            # A search's variants are read by supplier and product group (catalogue.selectors).
            models.Index(fields=["supplier", "product_group"], name="catalogue_item_variants"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.supplier_code})"

    @property
    def price_each(self) -> Decimal:
        """The price of one of what the pack holds (a box of 10 at £2.50: £0.25), to the penny."""
        from consortium.core.money import to_penny

        return to_penny(self.unit_price / (self.pack_size or 1))

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]

        self.search_document = build_search_document(self)
        super().save(*args, **kwargs)


def build_search_document(item: CatalogueItem) -> str:
    return " ".join(
        part
        for part in (
            item.name,
            item.description,
            item.get_category_display(),
            item.supplier_code,
            item.sustainability_marks,
        )
        if part
    )


class PriceChange(TimestampedModel):
    """A supplier's new price, waiting for the category manager."""

    item = models.ForeignKey(CatalogueItem, on_delete=models.CASCADE, related_name="price_changes")
    old_price = models.DecimalField(max_digits=10, decimal_places=2)
    new_price = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(
        max_length=20, choices=PriceChangeStatus.choices, default=PriceChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.item}: £{self.old_price} → £{self.new_price}"


class PriceHistory(models.Model):
    """Every price an item has had, from when."""

    item = models.ForeignKey(CatalogueItem, on_delete=models.CASCADE, related_name="price_history")
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    effective_at = models.DateTimeField()

    class Meta:
        ordering = ["-effective_at"]

    def __str__(self) -> str:
        return f"{self.item_id} £{self.unit_price} from {self.effective_at:%Y-%m-%d}"


class CatalogueVersion(models.Model):
    """One row counting changes to catalogue items, bumped by database triggers in the same
    transaction as every insert, update of a searched column, and delete (bulk loads and
    raw SQL included). The search index (catalogue.search_index) records the number it was
    built from, and is used only while the number still matches."""

    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Catalogue version {self.number}"
