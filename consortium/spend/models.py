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

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["spend_file", "on_contract"])]

    def __str__(self) -> str:
        return f"{self.supplier_name} £{self.amount}"
