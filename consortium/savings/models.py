"""Savings register, its evidence and its per-year slices; the shared service's budget, the
members' figures it is split by, scenarios and approved (locked, versioned) statements; and
suppliers' quarterly rebates with each member's share."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from consortium.core.models import TimestampedModel
from consortium.savings.constants import (
    Category,
    Key,
    Method,
    RebateStatus,
    Recurrence,
    SavingStatus,
    ScenarioStatus,
    Source,
)


class Saving(TimestampedModel):
    """One member's saving. Generated ones carry `source_key`, so a system creating them twice
    creates them once; validated ones are locked, and a correction is a new entry naming the
    old, which stops counting once the correction is validated."""

    reference = models.CharField(max_length=20, unique=True)
    member = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=30, choices=Category.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    # e.g. "care:placement:12", "tender:CBC-2026-0001:lot:1:member:7", "orders:7:2026-05"
    source_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    method = models.CharField(max_length=30, choices=Method.choices)
    cashable = models.BooleanField(default=True)
    recurrence = models.CharField(max_length=10, choices=Recurrence.choices, default=Recurrence.ONE_OFF)
    # One-off: the amount, on `starts_on`. Recurring: the amount a year, counted for `months`
    # months from `starts_on`.
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    starts_on = models.DateField()
    months = models.PositiveIntegerField(default=12)
    total = models.DecimalField(max_digits=14, decimal_places=2, help_text="£ over all the months counted")
    baseline = models.CharField(max_length=300, blank=True, help_text="what the saving is measured against")
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=SavingStatus.choices, default=SavingStatus.PROPOSED)
    # Several members' shares of one saving (a project, an award) share a group.
    group = models.UUIDField(default=uuid.uuid4, db_index=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["member", "status"]), models.Index(fields=["status", "starts_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(months__gte=1, months__lte=120), name="saving_months_1_to_120")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class SavingYear(models.Model):
    """The part of a saving that falls in one financial year (April to March): reports add
    these up, so a recurring saving counts in each year by the months it runs in it."""

    saving = models.ForeignKey(Saving, on_delete=models.CASCADE, related_name="years")
    # Copied from the saving so a report is one aggregate over this table.
    member = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(help_text="the financial year starting in April of this year")
    months = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    category = models.CharField(max_length=30, choices=Category.choices)
    method = models.CharField(max_length=30, choices=Method.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    cashable = models.BooleanField()
    # "counted" (validated or reported, and not replaced), "proposed", or "" (neither).
    state = models.CharField(max_length=10, default="proposed")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["saving", "year"], name="saving_year_once")]
        indexes = [models.Index(fields=["state", "year", "member"])]

    def __str__(self) -> str:
        return f"{self.saving_id} {self.year}: £{self.amount}"


class Evidence(models.Model):
    saving = models.ForeignKey(Saving, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class SavingCounter(models.Model):
    """The last number issued each year, for references SAV-2026-00001 unique under concurrency."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


# --- cost sharing -------------------------------------------------------------------------------


class Budget(TimestampedModel):
    """The shared service's running cost for one financial year."""

    year = models.PositiveIntegerField(unique=True, help_text="the financial year starting in April")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}"


class BudgetLine(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    name = models.CharField(max_length=120)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["budget", "name"], name="budget_line_name_once")]

    def __str__(self) -> str:
        return f"{self.name} £{self.amount}"


class MemberFigure(TimestampedModel):
    """A member's population or pupils for one year, and where the figure comes from."""

    member = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=20, choices=Key.choices)
    year = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["member__name", "key", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["member", "key", "year"], name="member_figure_once"),
            models.CheckConstraint(condition=Q(value__gte=0), name="member_figure_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.key} {self.year}: {self.value}"


class Scenario(TimestampedModel):
    """One way of splitting a budget: keys with weights, and a floor and cap per member kind.
    Drafts change freely; approving one writes a locked statement."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="scenarios")
    name = models.CharField(max_length=120)
    weights = models.JSONField(help_text="{key: weight %}, adding up to 100")
    limits = models.JSONField(default=dict, blank=True, help_text='{member kind: {"floor": "£", "cap": "£"}}')
    status = models.CharField(max_length=20, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["budget", "id"]
        constraints = [models.UniqueConstraint(fields=["budget", "name"], name="scenario_name_once")]

    def __str__(self) -> str:
        return self.name


class Statement(TimestampedModel):
    """An approved apportionment: locked. A change is a new version; the old one is kept."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="statements")
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="statements")
    version = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=14, decimal_places=2)
    weights = models.JSONField()
    limits = models.JSONField(default=dict)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["budget", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "version"], name="statement_version_once"),
            models.UniqueConstraint(
                fields=["budget"], condition=Q(current=True), name="statement_one_current_per_budget"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget} v{self.version}"


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    member = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    charge = models.DecimalField(max_digits=14, decimal_places=2)
    # The figures each key used for this member, as they were when approved.
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["member__name"]
        constraints = [models.UniqueConstraint(fields=["statement", "member"], name="statement_line_once")]

    def __str__(self) -> str:
        return f"{self.member_id}: £{self.charge}"


# --- rebates ------------------------------------------------------------------------------------


class Rebate(TimestampedModel):
    """What a supplier owes the consortium for one quarter under its contracts' rebate rates."""

    supplier = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField(max_length=7, help_text="2026 Q2")
    spend = models.DecimalField(max_digits=16, decimal_places=2)
    due = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=20, choices=RebateStatus.choices, default=RebateStatus.OUTSTANDING)
    sent_on = models.DateField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    received = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    distributed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-quarter", "supplier__name"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "quarter"], name="rebate_once_per_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id} {self.quarter}: £{self.due}"


class RebateShare(models.Model):
    """A member's part of a received rebate, in proportion to its spend with the supplier that
    quarter; it counts in the member's net benefit for the financial year it was received in."""

    rebate = models.ForeignKey(Rebate, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rebate", "member"], name="rebate_share_once")]

    def __str__(self) -> str:
        return f"{self.member_id}: £{self.amount}"
