"""Sustainable procurement: the Flexible Framework's criteria (data the consortium keeps),
each member's self-assessment per year with evidence, and its action plan."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from consortium.core.models import TimestampedModel
from consortium.sustainability.constants import ActionStatus, Theme


class Criterion(models.Model):
    """One criterion of one cell (theme × level) of the Flexible Framework."""

    theme = models.CharField(max_length=20, choices=Theme.choices)
    level = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    source = models.CharField(max_length=500)
    retired = models.BooleanField(default=False, help_text="no longer asked; past answers keep it")

    class Meta:
        ordering = ["theme", "level", "position"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "level", "position"], name="criterion_once_per_cell"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="criterion_level_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.theme} L{self.level}.{self.position}"


class Assessment(TimestampedModel):
    """A member's self-assessment against the framework for one financial year."""

    member = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(help_text="the financial year starting in April")

    class Meta:
        ordering = ["member__name", "-year"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="assessment_once_per_year")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}"


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(default=False)
    evidence = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.criterion_id}: {self.met}"


class Action(TimestampedModel):
    """A step in the member's plan to reach the next level of a theme."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="actions")
    theme = models.CharField(max_length=20, choices=Theme.choices)
    description = models.CharField(max_length=500)
    owner = models.CharField(max_length=120)
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description


class FactorTable(TimestampedModel):
    """A spend-based emission factor table (kgCO2e per £ by category), imported with its source,
    edition and year. Each import is a new version; the newest is current, the old ones are kept."""

    name = models.CharField(max_length=200)
    source = models.CharField(max_length=500)
    edition = models.CharField(max_length=120)
    year = models.PositiveIntegerField(help_text="the year the factors describe")
    version = models.PositiveIntegerField(unique=True)
    illustrative = models.BooleanField(
        default=False, help_text="figures not verified against the published source: labelled wherever shown"
    )
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Factor(models.Model):
    table = models.ForeignKey(FactorTable, on_delete=models.CASCADE, related_name="factors")
    category = models.CharField(max_length=30)
    kg_per_pound = models.DecimalField(
        max_digits=10, decimal_places=4, help_text="kgCO2e per £ spent, ex VAT"
    )

    class Meta:
        ordering = ["category"]
        constraints = [models.UniqueConstraint(fields=["table", "category"], name="factor_once_per_table")]

    def __str__(self) -> str:
        return f"{self.category}: {self.kg_per_pound}"


class LocalArea(TimestampedModel):
    """What "local" means for one member: the postcode districts (ST16, WS11…) it counts."""

    member = models.OneToOneField("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    districts = models.JSONField(default=list)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.member_id}: {', '.join(self.districts)}"


class Lm3Survey(TimestampedModel):
    """A supplier's answers for NEF's Local Multiplier 3 on one contract for one financial year:
    what it re-spends locally (round 2) and, if it knows, what those it pays re-spend (round 3).
    Round 1 is the members' spend with it under the contract, from the orders."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(help_text="the financial year starting in April")
    r2_staff = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="£ paid to staff living locally"
    )
    r2_suppliers = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="£ spent with local suppliers"
    )
    r3_amount = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="£ re-spent locally by those paid in round 2",
    )
    r3_ratio = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.25"),
        help_text="round 3 as a share of round 2 when not surveyed",
    )
    evidence = models.TextField()
    status = models.CharField(max_length=20, default="submitted")  # submitted, published
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "contract__reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "supplier", "year"], name="lm3_once_per_contract_year"
            )
        ]

    def __str__(self) -> str:
        return f"LM3 {self.contract_id}/{self.supplier_id} {self.year}"


class Appraisal(TimestampedModel):
    """A supplier's sustainability appraisal: answered once (with evidence), scored by the
    consortium, valid for a year, shown on the marketplace and reused rather than retyped."""

    supplier = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict, help_text="{question code: answer}")
    evidence = models.JSONField(default=dict, help_text="{question code: evidence}")
    # The questions asked: the common ones and those of the categories the supplier sells in.
    asked = models.JSONField(default=list)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    expires_on = models.DateField()
    points = models.JSONField(default=dict, blank=True, help_text="{question code: points awarded}")
    score_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scored_at = models.DateTimeField(null=True, blank=True)
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier"],
                condition=models.Q(current=True),
                name="appraisal_one_current_per_supplier",
            )
        ]

    def __str__(self) -> str:
        return f"Appraisal of {self.supplier_id} ({self.submitted_at:%Y-%m-%d})"
