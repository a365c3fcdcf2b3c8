"""Members' accounts-payable spend files, for on- and off-contract analysis."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from consortium.core.models import TimestampedModel


class SpendFile(TimestampedModel):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="spend_files"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class SpendLine(models.Model):
    spend_file = models.ForeignKey(SpendFile, on_delete=models.CASCADE, related_name="lines")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    supplier_name = models.CharField(max_length=200)
    matched_supplier = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="£ as paid")
    description = models.CharField(max_length=300, blank=True)
    category = models.CharField(max_length=30, blank=True)
    on_contract = models.BooleanField(default=False)
    company_number = models.CharField(max_length=10, blank=True)
    vat_number = models.CharField(max_length=14, blank=True)
    # How the supplier was recognised: Companies House number, VAT number, a name the member
    # confirmed before, the same name; or a likely match (by similar name) waiting for the member.
    match_method = models.CharField(max_length=20, blank=True)
    suggested_supplier = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggestion_score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["spend_file", "on_contract"])]

    def __str__(self) -> str:
        return f"{self.supplier_name} £{self.amount}"


class SupplierAlias(TimestampedModel):
    """A supplier name as a member's finance system spells it, confirmed once by the member as
    one of our suppliers (or as not that supplier, so it is not suggested again)."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    name_key = models.CharField(max_length=200, help_text="The name normalised: lower case, no Ltd/plc")
    supplier = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rejected_supplier = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name_key"], name="supplier_alias_one_per_name")
        ]

    def __str__(self) -> str:
        return f"{self.name_key} → {self.supplier_id}"


class DailySpend(models.Model):
    """Order lines in spend, added up per day, buyer, supplier, contract and category.

    The MI reads this instead of every order line: a year of a consortium's trading is a few
    hundred thousand rows here against millions of lines. Kept in step by the orders service
    whenever lines enter or leave spend (in the same transaction); `spend.rollup.rebuild`
    recomputes it from the lines after a bulk load.
    """

    day = models.DateField()
    buyer = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30)
    spend = models.DecimalField(max_digits=16, decimal_places=2, default=0, help_text="£ ex VAT")
    # For savings: spend on lines with a known baseline price, and those lines at the baseline.
    spend_with_baseline = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    baseline = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    lines = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "buyer", "supplier", "contract", "category"], name="daily_spend_unique_key"
            )
        ]
        indexes = [models.Index(fields=["buyer", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.buyer_id}→{self.supplier_id}: £{self.spend}"
