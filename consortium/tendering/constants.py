"""Words of collaborative tendering, and the procurement's state machine in one place."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", "Draft"  # being set up by the category manager
    DEMAND = "demand", "Collecting demand"  # members register what they need
    PREPARATION = "preparation", "Preparing the tender"  # demand closed; documents and timetable
    OPEN = "open", "Open for bids"  # tender notice published; bids sealed until the deadline
    EVALUATION = "evaluation", "In evaluation"  # bids opened by two people; scoring and moderation
    STANDSTILL = "standstill", "In standstill"  # award decision approved and notified
    AWARDED = "awarded", "Awarded"  # contract created
    CANCELLED = "cancelled", "Cancelled"  # procurement terminated (UK12)


S = ProjectStatus
PROJECT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.DEMAND, S.PREPARATION, S.CANCELLED}),
    S.DEMAND: frozenset({S.PREPARATION, S.CANCELLED}),
    S.PREPARATION: frozenset({S.OPEN, S.CANCELLED}),
    S.OPEN: frozenset({S.EVALUATION, S.CANCELLED}),
    S.EVALUATION: frozenset({S.STANDSTILL, S.CANCELLED}),
    S.STANDSTILL: frozenset({S.AWARDED, S.CANCELLED}),
    S.AWARDED: frozenset(),
    S.CANCELLED: frozenset(),
}


class ContractType(models.TextChoices):
    GOODS = "goods", "Goods"
    SERVICES = "services", "Services"
    WORKS = "works", "Works"
    LIGHT_TOUCH = "light_touch", "Light touch services"


class AuthorityType(models.TextChoices):
    SUB_CENTRAL = "sub_central", "Sub-central (councils, schools, police, fire)"
    CENTRAL = "central", "Central government"


class ThresholdKind(models.TextChoices):
    SUB_CENTRAL = "sub_central", "Sub-central goods and services"
    CENTRAL = "central", "Central government goods and services"
    WORKS = "works", "Works"
    LIGHT_TOUCH = "light_touch", "Light touch services"


class ProcedureCode(models.TextChoices):
    OPEN = "open", "Open procedure"
    COMPETITIVE_FLEXIBLE = "competitive_flexible", "Competitive flexible procedure"
    DIRECT_AWARD = "direct_award", "Direct award"
    CALL_OFF = "call_off", "Call-off by mini-competition under a framework"
    QUOTATION = "quotation", "Below threshold: quotation process"


class CriterionKind(models.TextChoices):
    QUALITY = "quality", "Quality"
    SOCIAL_VALUE = "social_value", "Social value"
    PRICE = "price", "Price"


class PriceMethod(models.TextChoices):
    LOWEST_PRICE = "lowest_price", "Lowest price ÷ bid price × weight"
    WHOLE_LIFE_COST = "whole_life_cost", "Whole-life cost"


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Declaration(models.TextChoices):
    PENDING = "pending", "Not yet declared"
    NO_CONFLICT = "no_conflict", "No conflict of interest"
    CONFLICT = "conflict", "Conflict declared: removed"


# The Green Book's discount rate for whole-life costs (HM Treasury).
GREEN_BOOK_DISCOUNT_RATE = Decimal("3.5")
# National social value guidance weights social value at 10% or more.
SOCIAL_VALUE_MINIMUM = Decimal("10")
VAT_RATE = Decimal("0.20")
TIE_BREAK_RULE = (
    "Equal totals are ranked by the higher quality and social value score, then the lower price "
    "(or whole-life cost), then the earlier final submission."
)
# Questions may be asked until this many days before the tender deadline (consortium practice,
# so answers reach every bidder in time).
CLARIFICATION_DAYS_BEFORE_DEADLINE = 5
