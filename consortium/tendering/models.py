"""Collaborative tendering: the rules in force (as data), procurement projects with their lots
and members' demand, award criteria, bids (sealed until opened), evaluation, award, notices
and published OCDS releases."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from consortium.catalogue.constants import Category
from consortium.core.models import TimestampedModel
from consortium.tendering.constants import (
    GREEN_BOOK_DISCOUNT_RATE,
    AuthorityType,
    BidStatus,
    ContractType,
    CriterionKind,
    Declaration,
    PriceMethod,
    ProcedureCode,
    ProjectStatus,
    ThresholdKind,
)

# --- rules as data ---------------------------------------------------------------


class Threshold(models.Model):
    """A threshold amount (including VAT) in force between two dates, with its source."""

    kind = models.CharField(max_length=20, choices=ThresholdKind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    citation = models.CharField(max_length=300)

    class Meta:
        ordering = ["kind", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} £{self.amount:,} from {self.effective_from}"


class Procedure(models.Model):
    """A procedure and its minimum time limits, in force between two dates."""

    code = models.CharField(max_length=30, choices=ProcedureCode.choices)
    above_threshold = models.BooleanField(help_text="Used above the threshold (else below it)")
    min_tender_days = models.PositiveIntegerField()
    min_tender_days_with_planned_notice = models.PositiveIntegerField()
    standstill_working_days = models.PositiveIntegerField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    citation = models.CharField(max_length=300)

    class Meta:
        ordering = ["code", "-effective_from"]

    def __str__(self) -> str:
        return self.get_code_display()


class NoticeType(models.Model):
    """A notice the Procurement Act 2023 requires or allows (UK1–UK17)."""

    code = models.CharField(max_length=5, unique=True)
    name = models.CharField(max_length=100)
    stage = models.CharField(max_length=40)
    citation = models.CharField(max_length=300)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# --- the procurement ---------------------------------------------------------------


class ReferenceCounter(models.Model):
    """The last procurement number issued each year; locked so references never repeat."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Project(TimestampedModel):
    """One procurement run by the consortium for many members: one notice, one tender, one
    contract (with a lot per need)."""

    reference = models.CharField(max_length=30, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    cpv_codes = models.JSONField(default=list, blank=True)
    contract_type = models.CharField(max_length=20, choices=ContractType.choices, default=ContractType.GOODS)
    # The marketplace category of what the awarded contract sells.
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.STATIONERY)
    authority_type = models.CharField(
        max_length=20, choices=AuthorityType.choices, default=AuthorityType.SUB_CENTRAL
    )
    run_by = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT)
    term_months = models.PositiveIntegerField(default=36)
    extension_months = models.PositiveIntegerField(default=0)
    # Demand aggregation
    invited_members = models.ManyToManyField("organisations.Organisation", related_name="+", blank=True)
    demand_closes_on = models.DateField(null=True, blank=True)
    # Why members were not asked for demand: a direct award, a call-off, a need already known.
    without_demand_reason = models.CharField(max_length=500, blank=True)
    # Procedure and timetable (dates in Europe/London; the tender deadline is at noon)
    procedure = models.ForeignKey(Procedure, null=True, blank=True, on_delete=models.PROTECT)
    planned_notice_on = models.DateField(null=True, blank=True, help_text="UK3 published on")
    publication_on = models.DateField(null=True, blank=True)
    clarification_deadline = models.DateField(null=True, blank=True)
    tender_deadline = models.DateTimeField(null=True, blank=True)
    evaluation_ends_on = models.DateField(null=True, blank=True)
    award_decision_on = models.DateField(null=True, blank=True)
    standstill_ends_on = models.DateField(null=True, blank=True)
    contract_starts_on = models.DateField(null=True, blank=True)
    # Price evaluation, stated before anyone bids
    price_method = models.CharField(
        max_length=20, choices=PriceMethod.choices, default=PriceMethod.LOWEST_PRICE
    )
    discount_rate = models.DecimalField(max_digits=5, decimal_places=2, default=GREEN_BOOK_DISCOUNT_RATE)
    # Whole-life cost may price the carbon bidders state they will emit: £ per tonne CO2e.
    carbon_price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    # Direct award and call-off: only these suppliers may bid; a call-off names its framework.
    invited_suppliers = models.ManyToManyField("organisations.Organisation", related_name="+", blank=True)
    framework = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="call_offs"
    )
    # Opening, award, contract
    opened_at = models.DateTimeField(null=True, blank=True)
    award_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    award_approved_at = models.DateTimeField(null=True, blank=True)
    awarded_contract = models.OneToOneField(
        "contracts.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="procurement"
    )
    cancellation_reason = models.CharField(max_length=500, blank=True)
    # The day the contract was signed, as the manager records it at conclusion (OCDS dateSigned).
    contract_signed_on = models.DateField(null=True, blank=True)
    # The contract ended early (s.80, UK11): when and why.
    terminated_on = models.DateField(null=True, blank=True)
    termination_reason = models.CharField(max_length=500, blank=True)
    # This procurement's bid key, sealed under the server's key (tendering.sealing); created
    # with the first bid, destroyed at the opening.
    bid_key = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def ocid(self) -> str:
        return f"{settings.OCDS_OCID_PREFIX}-{self.reference}"

    @property
    def tender_term_years(self) -> int:
        return max(1, -(-(self.term_months + self.extension_months) // 12))

    @property
    def price_basis(self) -> str:
        """What the "price compared" figure in the results is, in words: which method made it."""
        if self.price_method == PriceMethod.WHOLE_LIFE_COST:
            years = self.tender_term_years
            text = (
                f"Whole-life cost over {years} year{'s' if years != 1 else ''}, discounted at "
                f"{self.discount_rate.normalize():f}% a year, £ ex VAT"
            )
            if self.carbon_price:
                text += f", with carbon at £{self.carbon_price:,.2f} a tonne CO2e"
            return text
        return "Price: the total of the bid's priced schedule, £ ex VAT"


class TenderLot(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    specification = models.TextField(blank=True)
    # Turns members' quantities into value when they give a quantity only.
    estimated_unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True, default="each")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="tender_lot_unique_number")]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.title}"


class TenderDocument(models.Model):
    """A document of the tender (specification, terms, a pricing template), checked for what it
    really is when uploaded; changed until publication, afterwards only by an amendment."""

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)  # sniffed from the content (core.files)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    # The amendment that added it, when it came after publication.
    amendment = models.ForeignKey(
        "TenderAmendment", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )

    class Meta:
        ordering = ["project", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class ScheduleItem(models.Model):
    """A line of a lot's priced schedule, written by the buyer. Every bidder prices the same
    items in the same quantities, so every price compared is like-for-like. An item without a
    quantity takes, at publication, the quantity a year members registered for the lot."""

    lot = models.ForeignKey(TenderLot, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveIntegerField()
    description = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, default="each")
    quantity = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="A year; blank: members' demand"
    )
    cpv_code = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["lot", "number"]
        constraints = [models.UniqueConstraint(fields=["lot", "number"], name="schedule_item_unique_number")]

    def __str__(self) -> str:
        return f"Item {self.number}: {self.description}"


class DemandReturn(TimestampedModel):
    """A member's need for one lot: quantity or annual value, when, and that it will use it."""

    lot = models.ForeignKey(TenderLot, on_delete=models.CASCADE, related_name="demand")
    member = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    estimated_quantity = models.PositiveIntegerField(null=True, blank=True)
    annual_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="£ a year, ex VAT"
    )
    needed_from = models.DateField()
    will_use = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["lot__number", "member__name"]
        constraints = [models.UniqueConstraint(fields=["lot", "member"], name="demand_one_per_member_lot")]

    def __str__(self) -> str:
        return f"{self.member_id} demand for lot {self.lot_id}"


class Criterion(models.Model):
    """An award criterion; criteria nest, and each level's weights share out 100%."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    number = models.CharField(max_length=10)  # "2", "2.1"
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=CriterionKind.choices, default=CriterionKind.QUALITY)
    weight = models.DecimalField(max_digits=5, decimal_places=2, help_text="% of its parent")
    scale_max = models.PositiveSmallIntegerField(default=5)
    descriptors = models.JSONField(default=list, blank=True)  # [{"score": 0, "descriptor": "..."}]
    # A question of the supplier sustainability appraisal this criterion reuses: a bidder's
    # current appraisal answers it unless the bidder writes something else.
    appraisal_question = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["project", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="criterion_unique_number"),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=100), name="criterion_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Interest(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="interests")
    supplier = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "supplier"], name="interest_once")]

    def __str__(self) -> str:
        return f"{self.supplier_id} interested in {self.project_id}"


class Clarification(TimestampedModel):
    """A bidder's question; the answer is published to every bidder without naming the asker."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="clarifications")
    asked_by = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Clarification {self.pk}"


class TenderAmendment(models.Model):
    """A change to the tender after publication (Procurement Act 2023 s.31): recorded, told to
    every bidder, published as a revised tender notice and a tenderAmendment release; a
    significant one moves the deadline so bidders keep the procedure's minimum period."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveIntegerField()
    description = models.TextField(help_text="What changed, in the words bidders will read")
    rationale = models.CharField(max_length=500)
    significant = models.BooleanField(
        default=False, help_text="It changes what bidders must offer or how bids are assessed"
    )
    deadline_before = models.DateTimeField()
    deadline_after = models.DateTimeField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="amendment_unique_number")]

    def __str__(self) -> str:
        return f"Amendment {self.number} to {self.project_id}"


class Bid(TimestampedModel):
    """A supplier's tender for one lot. Its content (answers, prices, documents) is sealed: see
    selectors.bid_for_reading, the one way to read it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="bids")
    lot = models.ForeignKey(TenderLot, on_delete=models.CASCADE, related_name="bids")
    supplier = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=BidStatus.choices, default=BidStatus.SUBMITTED)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_key = models.CharField(max_length=64, blank=True)
    # Price (ex VAT): the schedule's total, or the cost profile for whole-life costing.
    price = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    acquisition_cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    annual_running_cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    annual_maintenance_cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    end_of_life_cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    residual_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    annual_emissions = models.DecimalField(
        max_digits=12, decimal_places=3, null=True, blank=True, help_text="tCO2e a year the bidder states"
    )
    # Results of evaluation
    price_compared = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    total_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    is_winner = models.BooleanField(default=False)
    # Until the opening, everything the bid says (answers, schedule, costs, price) is here,
    # encrypted with the procurement's key; the fields above stay empty (tendering.sealing).
    sealed_content = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["lot__number", "id"]
        constraints = [models.UniqueConstraint(fields=["lot", "supplier"], name="bid_one_per_supplier_lot")]

    def __str__(self) -> str:
        return f"Bid {self.pk} for {self.lot}"


class BidAnswer(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    response = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "criterion"], name="bid_answer_once")]

    def __str__(self) -> str:
        return f"Answer to criterion {self.criterion_id}"


class BidPriceLine(models.Model):
    """A line of the priced schedule: what the winning bid's prices become on the contract."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="price_lines")
    # The line of the buyer's schedule this prices (None for a schedule the bidder wrote).
    item_number = models.PositiveIntegerField(null=True, blank=True)
    description = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, default="each")
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class BidDocument(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    # Encrypted with the procurement's key until the opening (tendering.sealing).
    sealed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class BidOpening(models.Model):
    """One authorised person's record of the opening; bids open when two different people have."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="openings")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "person"], name="opening_once_per_person")]

    def __str__(self) -> str:
        return f"Opening of {self.project_id} by {self.person_id}"


class EvaluatorAssignment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="assignments")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declaration = models.CharField(max_length=20, choices=Declaration.choices, default=Declaration.PENDING)
    declaration_note = models.CharField(max_length=500, blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criterion", "evaluator"], name="assignment_once"),
        ]

    def __str__(self) -> str:
        return f"Evaluator {self.evaluator_id} on criterion {self.criterion_id}"


class EvaluatorScore(models.Model):
    """One evaluator's own score for one bid on one criterion; others cannot see it.

    No foreign-key constraints in the database (db_constraint=False): a scoring workbook is
    30,000 rows, and checking each row's three references at commit cost a third of an
    evaluation. The services check them set-based before inserting — the bids submitted to
    this procurement, its own criteria, the acting evaluator's assignments — and nothing
    deletes a bid, a criterion or a person once bids are opened (Django's on_delete still
    cascades through the ORM)."""

    # Indexed by the unique (bid, criterion, evaluator) constraint: no separate index.
    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, related_name="evaluator_scores", db_index=False, db_constraint=False
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    score = models.PositiveSmallIntegerField()
    justification = models.TextField()
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion", "evaluator"], name="evaluator_score_once")
        ]

    def __str__(self) -> str:
        return f"Score {self.score} for bid {self.bid_id}"


class ModeratedScore(models.Model):
    """The consensus score for one bid on one criterion, with the moderator's reasons."""

    # Checked by the services, not per row in the database: see EvaluatorScore.
    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, related_name="moderated_scores", db_index=False, db_constraint=False
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    score = models.PositiveSmallIntegerField()
    points = models.DecimalField(max_digits=7, decimal_places=2)
    reason = models.TextField()
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "criterion"], name="moderated_score_once")]

    def __str__(self) -> str:
        return f"Consensus {self.score} for bid {self.bid_id}"


class Notice(models.Model):
    """A notice published for the procurement (UK1–UK17), kept by type."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notices")
    notice_type = models.ForeignKey(NoticeType, on_delete=models.PROTECT)
    published_at = models.DateTimeField()
    summary = models.CharField(max_length=300)
    # What the notice says, as published (tendering.notices): sections of labelled rows.
    body = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["published_at", "id"]

    def __str__(self) -> str:
        return f"{self.notice_type_id} for {self.project_id}"


class ContractMilestone(models.Model):
    """A milestone of the awarded contract (delivery, review, break point), met or not."""

    class Status(models.TextChoices):
        # OCDS milestoneStatus codes
        SCHEDULED = "scheduled", "Scheduled"
        MET = "met", "Met"
        NOT_MET = "notMet", "Not met"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    met_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["project", "due_on", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="milestone_unique_number")]

    def __str__(self) -> str:
        return f"Milestone {self.number}: {self.title}"


class ContractVariation(models.Model):
    """A change to the awarded contract (Procurement Act 2023 s.74–75): its value and term as
    changed, published as a contract change notice (UK10) and an OCDS contractAmendment."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="variations")
    number = models.PositiveIntegerField()
    description = models.TextField()
    rationale = models.CharField(max_length=500)
    # The lot whose contract changes value, by how much a year (ex VAT, either sign), new end.
    lot_number = models.PositiveIntegerField(default=1)
    annual_value_change = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    end_before = models.DateField()
    end_after = models.DateField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="variation_unique_number")]

    def __str__(self) -> str:
        return f"Variation {self.number} to {self.project_id}"


class PerformanceAssessment(models.Model):
    """A key performance indicator assessed for a period (s.52 KPIs; published as a contract
    performance notice, UK9, for a contract worth over £5 million)."""

    class Rating(models.TextChoices):
        GOOD = "good", "Good"
        APPROACHING = "approaching", "Approaching target"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
        INADEQUATE = "inadequate", "Inadequate"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assessments")
    kpi = models.CharField(max_length=200)
    period_end = models.DateField()
    rating = models.CharField(max_length=30, choices=Rating.choices)
    notes = models.TextField(blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()

    class Meta:
        ordering = ["project", "period_end", "id"]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.rating}"


class OcdsRelease(models.Model):
    """An OCDS 1.1 release as published: never changed; a later stage adds a new release."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="releases")
    release_id = models.CharField(max_length=100, unique=True)
    date = models.DateTimeField()
    tag = models.CharField(max_length=30)
    body = models.JSONField()

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return self.release_id
