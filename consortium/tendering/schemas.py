"""What the tendering API and pages accept and return: one definition of each field and its limits."""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from consortium.catalogue.constants import Category
from consortium.core.schemas import Date, Pounds, RecordId, StrictIn
from consortium.tendering.constants import (
    AuthorityType,
    ContractType,
    CriterionKind,
    PriceMethod,
    ProcedureCode,
)
from consortium.tendering.models import Bid, Project
from consortium.tendering.sealing import content_of

ID = Field(..., ge=1, le=2**62)


class ScheduleItemOut(Schema):
    number: int
    description: str
    unit: str
    quantity: Decimal | None = Field(..., description="A year; null until publication: members' demand")
    cpv_code: str


class ScheduleItemIn(StrictIn):
    description: str = Field(..., min_length=1, max_length=200)
    unit: str = Field("each", max_length=40)
    quantity: Decimal | None = Field(
        None, gt=0, lt=10**9, decimal_places=2, description="A year; blank: what members register"
    )
    cpv_code: str = Field("", max_length=12, description="CPV 2008, e.g. 30197643-5")


class LotOut(Schema):
    number: int
    title: str
    specification: str
    estimated_unit_price: Decimal | None
    unit: str
    items: list[ScheduleItemOut] = Field(..., description="The priced schedule bidders price")

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        return list(obj.items.all())


class CriterionOut(Schema):
    id: int
    number: str
    parent_id: int | None
    title: str
    kind: str
    weight: Decimal = Field(..., description="% of its parent")
    scale_max: int
    descriptors: list[dict[str, Any]]


class ProjectOut(Schema):
    id: int
    reference: str
    ocid: str
    title: str
    description: str
    cpv_codes: list[str]
    contract_type: str
    category: str
    status: str
    term_months: int
    extension_months: int
    demand_closes_on: dt.date | None
    without_demand_reason: str
    procedure: str | None = Field(None, alias="procedure.code")
    publication_on: dt.date | None
    clarification_deadline: dt.date | None
    tender_deadline: dt.datetime | None
    evaluation_ends_on: dt.date | None
    award_decision_on: dt.date | None
    standstill_ends_on: dt.date | None
    contract_starts_on: dt.date | None
    price_method: str
    price_basis: str = Field(..., description="What the results' price compared is: which method made it")
    discount_rate: Decimal
    carbon_price: Decimal | None
    awarded_contract_id: int | None
    framework_id: int | None
    invited_supplier_ids: list[int]
    lots: list[LotOut]
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_invited_supplier_ids(obj: Project) -> list[int]:
        return [s.pk for s in obj.invited_suppliers.all()]

    @staticmethod
    def resolve_lots(obj: Project) -> list[Any]:
        return list(obj.lots.all())

    @staticmethod
    def resolve_criteria(obj: Project) -> list[Any]:
        # Sorted here, not by the database, so a prefetched list needs no query per procurement.
        return sorted(obj.criteria.all(), key=lambda c: c.number)


class LotIn(StrictIn):
    title: str = Field(..., min_length=1, max_length=200)
    specification: str = Field("", max_length=20000)
    estimated_unit_price: Pounds | None = Field(None, ge=0, lt=10**9, decimal_places=2)
    unit: str = Field("each", max_length=40)


class ProjectIn(StrictIn):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    cpv_codes: list[str] = Field(default_factory=list, max_length=20)
    contract_type: ContractType = ContractType.GOODS
    authority_type: AuthorityType = AuthorityType.SUB_CENTRAL
    category: Category = Field(
        Category.STATIONERY, description="Marketplace category of the awarded contract"
    )
    term_months: int = Field(36, ge=1, le=240)
    extension_months: int = Field(0, ge=0, le=240)
    lots: list[LotIn] = Field(default_factory=list, max_length=50)


class DemandOpenIn(StrictIn):
    closes_on: Date
    member_ids: list[RecordId] | None = Field(None, max_length=500)


class DemandRowIn(StrictIn):
    lot_number: int = Field(..., ge=1, le=999)
    needed_from: Date
    estimated_quantity: int | None = Field(None, ge=0, le=10**9)
    annual_value: Pounds | None = Field(None, ge=0, lt=10**11, decimal_places=2)
    will_use: bool = False


class DemandIn(StrictIn):
    rows: list[DemandRowIn] = Field(..., min_length=1, max_length=50)


class DemandOut(Schema):
    annual_value: Decimal = Field(..., description="£ a year ex VAT, all members")
    value_over_term_incl_vat: Decimal
    members_using: int
    regime: str
    above_threshold: bool
    threshold: Decimal | None
    threshold_citation: str | None
    procedures_open: list[str]
    by_lot: list[dict[str, Any]]
    own_returns: list[dict[str, Any]]


class TimetableIn(StrictIn):
    procedure: ProcedureCode
    publication: Date
    clarification_deadline: Date
    tender_deadline: Date
    evaluation_ends: Date
    award_decision: Date
    standstill_ends: Date
    contract_start: Date
    planned_notice_on: Date | None = None
    price_method: PriceMethod | None = None
    discount_rate: Decimal | None = Field(None, ge=0, le=20, decimal_places=2)
    carbon_price: Decimal | None = Field(
        None,
        ge=0,
        le=10000,
        decimal_places=2,
        description="£ per tCO2e added to whole-life cost; blank for none",
    )


class DescriptorIn(StrictIn):
    score: int = Field(..., ge=0, le=100)
    descriptor: str = Field(..., min_length=1, max_length=500)


class CriterionIn(StrictIn):
    title: str = Field(..., min_length=1, max_length=200)
    weight: Decimal = Field(..., gt=0, le=100, decimal_places=2)
    kind: CriterionKind = CriterionKind.QUALITY
    parent_id: int | None = Field(None, ge=1, le=2**62)
    scale_max: int = Field(5, ge=1, le=100)
    descriptors: list[DescriptorIn] = Field(default_factory=list, max_length=101)
    guidance: str = Field("", max_length=5000)
    appraisal_question: str = Field(
        "", max_length=40, description="Reuse the bidders' sustainability appraisal answer to this question"
    )


class CriterionChangeIn(StrictIn):
    """A criterion corrected before publication: its kind and place stay."""

    title: str = Field(..., min_length=1, max_length=200)
    weight: Decimal = Field(..., gt=0, le=100, decimal_places=2)
    scale_max: int = Field(5, ge=1, le=100)
    descriptors: list[DescriptorIn] = Field(default_factory=list, max_length=101)
    guidance: str = Field("", max_length=5000)
    appraisal_question: str = Field(
        "", max_length=40, description="Reuse the bidders' sustainability appraisal answer to this question"
    )


class BiddersIn(StrictIn):
    supplier_ids: list[RecordId] = Field(default_factory=list, max_length=500)
    framework_id: int | None = Field(None, ge=1, le=2**62)


class ReasonIn(StrictIn):
    reason: str = Field(..., min_length=1, max_length=500)


class QuestionIn(StrictIn):
    question: str = Field(..., min_length=1, max_length=5000)


class AnswerIn(StrictIn):
    answer: str = Field(..., min_length=1, max_length=20000)


class ClarificationOut(Schema):
    id: int
    question: str
    answer: str
    answered_at: dt.datetime | None
    mine: bool = False


class PriceLineIn(StrictIn):
    """A unit price for one item of the lot's schedule (the buyer set its description, unit
    and quantity): price × quantity, rounded to the penny, summed, is the bid price."""

    item: int = Field(..., ge=1, le=10000, description="The item's number in the lot's schedule")
    unit_price: Pounds = Field(..., ge=0, lt=10**9, decimal_places=2)


class CostProfileIn(StrictIn):
    acquisition: Pounds = Field(..., ge=0, lt=10**11, decimal_places=2)
    annual_running: Pounds = Field(Decimal(0), ge=0, lt=10**11, decimal_places=2)
    annual_maintenance: Pounds = Field(Decimal(0), ge=0, lt=10**11, decimal_places=2)
    end_of_life: Pounds = Field(Decimal(0), ge=0, lt=10**11, decimal_places=2)
    residual_value: Pounds = Field(Decimal(0), ge=0, lt=10**11, decimal_places=2)
    annual_emissions: Decimal = Field(
        Decimal(0),
        ge=0,
        lt=10**9,
        decimal_places=3,
        description="tCO2e a year, priced if the tender prices carbon",
    )


class BidIn(StrictIn):
    answers: dict[int, str] = Field(..., description="criterion id → answer", max_length=200)
    price_lines: list[PriceLineIn] = Field(default_factory=list, max_length=500)
    cost_profile: CostProfileIn | None = None
    submission_key: str = Field("", max_length=64, description="The same key twice submits once")


class BidEnvelopeOut(Schema):
    """What may be said of a bid without opening it."""

    id: int
    lot_number: int = Field(..., alias="lot.number")
    supplier_id: int
    supplier_name: str = Field(..., alias="supplier.name")
    status: str
    submitted_at: dt.datetime
    total_score: Decimal | None
    rank: int | None
    is_winner: bool


class BidOut(BidEnvelopeOut):
    """A bid's content: to the bidder itself (unsealed for it alone) or, after the opening, to
    those who may read it."""

    price: Decimal
    answers: dict[int, str]
    price_lines: list[dict[str, Any]]
    documents: list[str]

    @staticmethod
    def resolve_price(obj: Bid) -> Decimal:
        return content_of(obj).price

    @staticmethod
    def resolve_answers(obj: Bid) -> dict[int, str]:
        return content_of(obj).answers

    @staticmethod
    def resolve_price_lines(obj: Bid) -> list[dict[str, Any]]:
        return [
            {
                "item": p.item_number,
                "description": p.description,
                "unit": p.unit,
                "quantity": p.quantity,
                "unit_price": p.unit_price,
            }
            for p in content_of(obj).price_lines
        ]

    @staticmethod
    def resolve_documents(obj: Bid) -> list[str]:
        return [d.name for d in obj.documents.all()]


class AmendmentIn(StrictIn):
    description: str = Field(
        ..., min_length=1, max_length=20000, description="What changes, as bidders will read it"
    )
    rationale: str = Field(..., min_length=1, max_length=500)
    significant: bool = Field(
        False,
        description="It changes what bidders must offer or how bids are assessed: the deadline must then leave the procedure's minimum period",
    )
    tender_deadline: Date | None = Field(
        None, description="A later deadline day (noon, London); blank keeps it"
    )


class AmendmentOut(Schema):
    number: int
    description: str
    rationale: str
    significant: bool
    deadline_before: dt.datetime
    deadline_after: dt.datetime
    made_at: dt.datetime


class MilestoneIn(StrictIn):
    title: str = Field(..., min_length=1, max_length=200)
    due_on: Date
    description: str = Field("", max_length=5000)


class MilestoneRecordIn(StrictIn):
    met: bool = Field(..., description="Met (true) or not met (false)")
    on: Date | None = Field(None, description="The day it was met; today if not given")


class VariationIn(StrictIn):
    description: str = Field(..., min_length=1, max_length=20000)
    rationale: str = Field(..., min_length=1, max_length=500, description="Why, and the Act's ground for it")
    lot_number: int = Field(1, ge=1, le=1000)
    annual_value_change: Decimal = Field(
        Decimal("0.00"), gt=-(10**11), lt=10**11, decimal_places=2, description="£ a year ex VAT, either sign"
    )
    new_end_date: Date | None = Field(
        None, description="A later (or earlier) end within the extensions allowed"
    )


class AssessmentIn(StrictIn):
    kpi: str = Field(..., min_length=1, max_length=200)
    period_end: Date
    rating: str = Field(..., description="good, approaching, requires_improvement or inadequate")
    notes: str = Field("", max_length=5000)


class TerminationIn(StrictIn):
    reason: str = Field(..., min_length=1, max_length=500)
    on: Date | None = Field(None, description="The contract's last day; today if not given")


class MilestoneOut(Schema):
    number: int
    title: str
    description: str
    due_on: dt.date
    status: str
    met_on: dt.date | None


class VariationOut(Schema):
    number: int
    description: str
    rationale: str
    lot_number: int
    annual_value_change: Decimal
    end_before: dt.date
    end_after: dt.date
    made_at: dt.datetime


class AssessmentOut(Schema):
    id: int
    kpi: str
    period_end: dt.date
    rating: str
    notes: str


class ContractManagementOut(Schema):
    reference: str
    start_date: dt.date
    end_date: dt.date
    value_including_vat: Decimal = Field(
        ..., description="Over the term with extensions, with every variation"
    )
    terminated_on: dt.date | None
    termination_reason: str
    milestones: list[MilestoneOut]
    variations: list[VariationOut]
    assessments: list[AssessmentOut]


class ConcludeIn(StrictIn):
    signed_on: Date | None = Field(None, description="The day the contract was signed; today if not given")


class AssignIn(StrictIn):
    criterion_id: int = ID
    evaluator_id: int = ID


class DeclarationIn(StrictIn):
    conflict: bool
    note: str = Field("", max_length=500)


class ScoreIn(StrictIn):
    bid_id: int = ID
    score: int = Field(..., ge=0, le=100)
    justification: str = Field(..., min_length=1, max_length=5000)


class ScoresheetIn(StrictIn):
    scores: list[ScoreIn] = Field(..., min_length=1, max_length=1000)


class WorkbookScoreIn(StrictIn):
    criterion_id: int = ID
    bid_id: int = ID
    score: int = Field(..., ge=0, le=100)
    justification: str = Field(..., min_length=1, max_length=5000)


class WorkbookIn(StrictIn):
    scores: list[WorkbookScoreIn] = Field(..., min_length=1, max_length=20000)


class SummaryRowOut(Schema):
    criterion: str
    weight: Decimal
    own_points: Decimal | None
    winner_points: Decimal | None


class RulesOut(Schema):
    on: dt.date
    thresholds: list[dict[str, Any]]
    procedures: list[dict[str, Any]]
    notice_types: list[dict[str, Any]]


def bid_submission(payload: BidIn) -> dict[str, Any]:
    """A bid as the API and the bid page both hand it to `services.bid_submit`."""
    from consortium.tendering import services
    from consortium.tendering.scoring import CostProfile

    cp = payload.cost_profile
    return {
        "answers": payload.answers,
        "price_lines": [services.PriceLineIn(p.item, p.unit_price) for p in payload.price_lines],
        "cost_profile": CostProfile(
            cp.acquisition,
            cp.annual_running,
            cp.annual_maintenance,
            cp.end_of_life,
            cp.residual_value,
            cp.annual_emissions,
        )
        if cp
        else None,
        "submission_key": payload.submission_key,
    }


def scores_by_bid(payload: ScoresheetIn) -> dict[int, Any]:
    """A scoresheet as the API and the scoring pages both hand it to the services."""
    from consortium.tendering import services

    return {s.bid_id: services.ScoreIn(s.score, s.justification) for s in payload.scores}
