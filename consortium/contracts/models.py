"""Contracts members may buy from: frameworks and call-off contracts, their lots and suppliers."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from consortium.contracts.constants import Access, ContractKind, ContractStatus, Scope
from consortium.core.models import TimestampedModel


class Contract(TimestampedModel):
    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=ContractKind.choices, default=ContractKind.FRAMEWORK)
    cpv_codes = models.JSONField(default=list, blank=True, help_text="CPV codes, e.g. ['30192000-1']")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    let_by = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="contracts_let",
        help_text="The consortium, or a member as lead buyer",
    )
    access = models.CharField(max_length=20, choices=Access.choices, default=Access.ALL_MEMBERS)
    # ",school,academy_trust," — delimited so one query works on SQLite and PostgreSQL.
    access_kinds = models.CharField(
        max_length=300, blank=True, help_text="Organisation kinds allowed, for access=kinds"
    )
    access_named = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="contracts_usable"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    extension_months = models.PositiveSmallIntegerField(
        default=0, help_text="Extension options available, in months"
    )
    status = models.CharField(max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    rebate_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, help_text="% of spend ex VAT payable to the consortium"
    )

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="contract_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(rebate_percent__gte=0) & Q(rebate_percent__lte=100),
                name="contract_rebate_is_a_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Lot(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    suppliers = models.ManyToManyField("organisations.Organisation", blank=True, related_name="lots_awarded")

    class Meta:
        ordering = ["contract", "number"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="lot_number_unique")]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.title}"
