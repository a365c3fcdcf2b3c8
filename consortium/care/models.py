"""Care price benchmarking: homes, price menus, needs, negotiations, placements, benchmarks.

Money is Decimal pounds with two places (unit prices keep four, because a
price scaled for a carer ratio may not be a whole number of pence).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from consortium.care.constants import (
    AccommodationType,
    Element,
    Grade,
    NegotiationStatus,
    Population,
)
from consortium.core.models import TimestampedModel


class CareLevel(models.Model):
    """A level of care (Low, Moderate, High by default); rank orders them."""

    rank = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=50, unique=True)
    description = models.TextField()

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class CareHome(TimestampedModel):
    """A home or supported-living scheme run by a provider (a supplier organisation)."""

    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="care_homes"
    )
    name = models.CharField(max_length=200)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["provider", "name"], name="care_home_unique_name")]

    def __str__(self) -> str:
        return self.name


class PriceMenu(TimestampedModel):
    """A home's itemised prices (Home Fees), in force from a date; a newer menu ends the older."""

    home = models.ForeignKey(CareHome, on_delete=models.PROTECT, related_name="menus")
    highest_level = models.ForeignKey(CareLevel, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["home__name", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="price_menu_dates_in_order",
            ),
            models.UniqueConstraint(fields=["home", "effective_from"], name="price_menu_one_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.home} from {self.effective_from:%d %b %Y}"


class PriceMenuItem(models.Model):
    menu = models.ForeignKey(PriceMenu, on_delete=models.CASCADE, related_name="items")
    element = models.CharField(max_length=60, choices=Element.choices)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2, help_text="£, per the element's unit")
    ratio = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Priced at 1 carer to this many clients"
    )
    grade = models.CharField(max_length=20, choices=Grade.choices, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["menu", "element", "ratio", "grade"], name="price_menu_item_unique"
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="price_menu_item_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_element_display()}: £{self.unit_price}"


class NeedsAssessment(TimestampedModel):
    """About Client: what one client needs each week. The client is a reference, never a name."""

    council = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="care_assessments"
    )
    commissioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_reference = models.CharField(max_length=40)
    level = models.ForeignKey(CareLevel, on_delete=models.PROTECT, related_name="+")
    weekly_budget = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    accommodation_type = models.CharField(max_length=40, choices=AccommodationType.choices, blank=True)
    supplements = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    daytime_hours = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    daytime_ratio = models.PositiveSmallIntegerField(null=True, blank=True)
    night_sleeping_nights = models.DecimalField(max_digits=4, decimal_places=2, default=0)
    night_sleeping_ratio = models.PositiveSmallIntegerField(null=True, blank=True)
    night_waking_nights = models.DecimalField(max_digits=4, decimal_places=2, default=0)
    night_waking_ratio = models.PositiveSmallIntegerField(null=True, blank=True)
    one_to_one_hours = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    one_to_one_day_shifts = models.DecimalField(max_digits=4, decimal_places=2, default=0)
    one_to_one_night_shifts = models.DecimalField(max_digits=4, decimal_places=2, default=0)
    one_to_one_grade = models.CharField(max_length=20, choices=Grade.choices, default=Grade.DOMICILIARY)
    specialist_hours = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    life_skills_hours = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    transition_weeks = models.PositiveSmallIntegerField(default=0)
    transition_hours = models.DecimalField(max_digits=6, decimal_places=2, default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Client {self.client_reference}"


class Negotiation(TimestampedModel):
    """Home Negotiation: one home's quote for one assessment, element by element."""

    assessment = models.ForeignKey(NeedsAssessment, on_delete=models.PROTECT, related_name="negotiations")
    menu = models.ForeignKey(PriceMenu, on_delete=models.PROTECT, related_name="negotiations")
    status = models.CharField(
        max_length=20, choices=NegotiationStatus.choices, default=NegotiationStatus.OPEN
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quoted_total = models.DecimalField(max_digits=10, decimal_places=2)
    agreed_total = models.DecimalField(max_digits=10, decimal_places=2)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Negotiation with {self.menu.home} for client {self.assessment.client_reference}"

    @property
    def weekly_saving(self):  # type: ignore[no-untyped-def]
        return self.quoted_total - self.agreed_total


class NegotiationLine(models.Model):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="lines")
    element = models.CharField(max_length=60, choices=Element.choices)
    ratio = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The client's 1:m")
    grade = models.CharField(max_length=20, blank=True)
    quantity = models.DecimalField(max_digits=8, decimal_places=2)
    quoted_unit_price = models.DecimalField(max_digits=12, decimal_places=4)
    quoted_total = models.DecimalField(max_digits=10, decimal_places=2)
    is_estimate = models.BooleanField(default=False)
    agreed_unit_price = models.DecimalField(max_digits=12, decimal_places=4)
    agreed_quantity = models.DecimalField(max_digits=8, decimal_places=2)
    agreed_total = models.DecimalField(max_digits=10, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_element_display()}: quoted £{self.quoted_total}, agreed £{self.agreed_total}"


class Placement(TimestampedModel):
    """A client placed with a home at the agreed prices; its rates join the benchmark."""

    negotiation = models.OneToOneField(Negotiation, on_delete=models.PROTECT, related_name="placement")
    council = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    home = models.ForeignKey(CareHome, on_delete=models.PROTECT, related_name="placements")
    start_date = models.DateField()
    weekly_cost = models.DecimalField(max_digits=10, decimal_places=2)
    weekly_saving = models.DecimalField(max_digits=10, decimal_places=2)
    annual_saving = models.DecimalField(max_digits=12, decimal_places=2)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"Placement at {self.home} from {self.start_date:%d %b %Y}"


class CommissionedRate(models.Model):
    """One agreed unit price from a placement: the population benchmarks are drawn from."""

    placement = models.ForeignKey(
        Placement, null=True, blank=True, on_delete=models.CASCADE, related_name="rates"
    )
    council = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    element = models.CharField(max_length=60, choices=Element.choices)
    ratio = models.PositiveSmallIntegerField(null=True, blank=True)
    grade = models.CharField(max_length=20, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=4)
    commissioned_on = models.DateField()

    class Meta:
        ordering = ["id"]
        # One index per benchmark query: prices in order, and providers per element.
        indexes = [
            models.Index(fields=["element", "ratio", "grade", "unit_price"]),
            models.Index(fields=["element", "ratio", "grade", "provider"]),
        ]

    def __str__(self) -> str:
        return f"{self.element} £{self.unit_price}"


class BenchmarkStatistic(models.Model):
    """A computed spread for one element (ratio, grade), population and view, refreshed after
    changes. A view leaves out one council's rates (what that council's commissioners see) or
    one provider (what that provider sees), or nothing (the consortium's view): see
    `consortium.care.benchmarks`. Figures are null when fewer than three providers contribute."""

    population = models.CharField(max_length=20, choices=Population.choices)
    element = models.CharField(max_length=60, choices=Element.choices)
    ratio = models.PositiveSmallIntegerField(null=True, blank=True)
    grade = models.CharField(max_length=20, blank=True)
    excluded_council = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    excluded_provider = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField(help_text="Rates behind the figures")
    providers = models.PositiveIntegerField(help_text="Distinct providers contributing")
    minimum = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, help_text="£: mean of the three lowest provider values"
    )
    lower_quartile = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    median = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    upper_quartile = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    maximum = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, help_text="£: mean of the three highest provider values"
    )
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["population", "element", "ratio", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["population", "element", "ratio", "grade", "excluded_council", "excluded_provider"],
                name="benchmark_statistic_unique_view",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.population} {self.element} median £{self.median}"
