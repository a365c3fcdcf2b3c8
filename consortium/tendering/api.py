import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from consortium.catalogue.constants import Category
from consortium.core.api_errors import ERRORS
from consortium.core.errors import NotFound, ValidationFailed
from consortium.core.pagination import Page
from consortium.core.schemas import StrictIn
from consortium.organisations.api_auth import actor_of
from consortium.organisations.models import Organisation, Person
from consortium.tendering import ocds, selectors, services
from consortium.tendering.constants import (
    AuthorityType,
    ContractType,
    CriterionKind,
    PriceMethod,
    ProcedureCode,
)
from consortium.tendering.models import Bid, Clarification, Criterion, Project
from consortium.tendering.scoring import CostProfile
from consortium.tendering.timetable import Timetable

router = Router(tags=["tendering"])
ID = Field(..., ge=1, le=2**62)


class LotOut(Schema):
    number: int
    title: str
    specification: str
    estimated_unit_price: Decimal | None
    unit: str


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
    procedure: str | None = Field(None, alias="procedure.code")
    publication_on: dt.date | None
    clarification_deadline: dt.date | None
    tender_deadline: dt.datetime | None
    evaluation_ends_on: dt.date | None
    award_decision_on: dt.date | None
    standstill_ends_on: dt.date | None
    contract_starts_on: dt.date | None
    price_method: str
    discount_rate: Decimal
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
    estimated_unit_price: Decimal | None = Field(None, ge=0, lt=10**9, decimal_places=2)
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
    closes_on: dt.date
    member_ids: list[int] | None = Field(None, max_length=500)


class DemandRowIn(StrictIn):
    lot_number: int = Field(..., ge=1, le=999)
    needed_from: dt.date
    estimated_quantity: int | None = Field(None, ge=0, le=10**9)
    annual_value: Decimal | None = Field(None, ge=0, lt=10**11, decimal_places=2)
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
    publication: dt.date
    clarification_deadline: dt.date
    tender_deadline: dt.date
    evaluation_ends: dt.date
    award_decision: dt.date
    standstill_ends: dt.date
    contract_start: dt.date
    planned_notice_on: dt.date | None = None
    price_method: PriceMethod | None = None
    discount_rate: Decimal | None = Field(None, ge=0, le=20, decimal_places=2)


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


class BiddersIn(StrictIn):
    supplier_ids: list[int] = Field(default_factory=list, max_length=500)
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
    description: str = Field(..., min_length=1, max_length=200)
    unit: str = Field("each", max_length=40)
    quantity: Decimal = Field(..., gt=0, lt=10**9, decimal_places=2)
    unit_price: Decimal = Field(..., ge=0, lt=10**9, decimal_places=2)


class CostProfileIn(StrictIn):
    acquisition: Decimal = Field(..., ge=0, lt=10**11, decimal_places=2)
    annual_running: Decimal = Field(Decimal(0), ge=0, lt=10**11, decimal_places=2)
    annual_maintenance: Decimal = Field(Decimal(0), ge=0, lt=10**11, decimal_places=2)
    end_of_life: Decimal = Field(Decimal(0), ge=0, lt=10**11, decimal_places=2)
    residual_value: Decimal = Field(Decimal(0), ge=0, lt=10**11, decimal_places=2)


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
    price: Decimal
    answers: dict[int, str]
    price_lines: list[dict[str, Any]]
    documents: list[str]

    @staticmethod
    def resolve_answers(obj: Bid) -> dict[int, str]:
        return {a.criterion_id: a.response for a in obj.answers.all()}

    @staticmethod
    def resolve_price_lines(obj: Bid) -> list[dict[str, Any]]:
        return [
            {"description": p.description, "unit": p.unit, "quantity": p.quantity, "unit_price": p.unit_price}
            for p in obj.price_lines.all()
        ]

    @staticmethod
    def resolve_documents(obj: Bid) -> list[str]:
        return [d.name for d in obj.documents.all()]


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


def _project(request: HttpRequest, project_id: int) -> Project:
    return selectors.project_get_for(actor_of(request), project_id)


def _criterion(project: Project, criterion_id: int) -> Criterion:
    try:
        return project.criteria.get(pk=criterion_id)
    except Criterion.DoesNotExist:
        raise NotFound("No such criterion in this procurement") from None


@router.get("/procurement-rules", response={200: RulesOut, **ERRORS}, operation_id="procurement_rules")
def procurement_rules(request: HttpRequest, on: dt.date | None = None) -> dict[str, Any]:
    """Thresholds, procedures and notice types in force on a date, each with its source."""
    from consortium.core.dates import today_in_london
    from consortium.tendering.models import NoticeType
    from consortium.tendering.selectors import procedure_in_force, threshold_in_force

    day = on or today_in_london()
    thresholds = [
        t
        for t in (threshold_in_force(k, day) for k in ("sub_central", "central", "works", "light_touch"))
        if t
    ]
    procedures = [p for p in (procedure_in_force(c, day) for c in ProcedureCode.values) if p]
    return {
        "on": day,
        "thresholds": [
            {
                "kind": t.kind,
                "amount_incl_vat": t.amount,
                "effective_from": t.effective_from,
                "citation": t.citation,
            }
            for t in thresholds
        ],
        "procedures": [
            {
                "code": p.code,
                "name": p.get_code_display(),
                "above_threshold": p.above_threshold,
                "min_tender_days": p.min_tender_days,
                "min_tender_days_with_planned_notice": p.min_tender_days_with_planned_notice,
                "standstill_working_days": p.standstill_working_days,
                "citation": p.citation,
            }
            for p in procedures
        ],
        "notice_types": [
            {"code": n.code, "name": n.name, "stage": n.stage, "citation": n.citation}
            for n in NoticeType.objects.all()
        ],
    }


@router.get("/tenders", response={200: list[ProjectOut], **ERRORS}, operation_id="tender_list")
@paginate(Page)
def tender_list(request: HttpRequest) -> object:
    return selectors.project_list_for(actor_of(request)).prefetch_related(
        "lots", "criteria", "invited_suppliers"
    )


@router.post("/tenders", response={201: ProjectOut, **ERRORS}, operation_id="tender_create")
def tender_create(request: HttpRequest, payload: ProjectIn) -> Status:
    values = payload.dict()
    lots = [services.LotIn(**lot) for lot in values.pop("lots")]
    project = services.project_create(actor=actor_of(request), lots=lots, **values)
    return Status(201, project)


@router.get("/tenders/{project_id}", response={200: ProjectOut, **ERRORS}, operation_id="tender_get")
def tender_get(request: HttpRequest, project_id: int) -> Project:
    return _project(request, project_id)


@router.post(
    "/tenders/{project_id}/lots", response={201: ProjectOut, **ERRORS}, operation_id="tender_lot_add"
)
def tender_lot_add(request: HttpRequest, project_id: int, payload: LotIn) -> Status:
    project = _project(request, project_id)
    services.lot_add(actor=actor_of(request), project=project, lot=services.LotIn(**payload.dict()))
    return Status(201, _project(request, project_id))


@router.post(
    "/tenders/{project_id}/demand/open",
    response={200: ProjectOut, **ERRORS},
    operation_id="tender_demand_open",
)
def tender_demand_open(request: HttpRequest, project_id: int, payload: DemandOpenIn) -> Project:
    project = _project(request, project_id)
    members = (
        None if payload.member_ids is None else list(Organisation.objects.filter(pk__in=payload.member_ids))
    )
    services.demand_open(
        actor=actor_of(request), project=project, closes_on=payload.closes_on, members=members
    )
    return _project(request, project_id)


def _demand_out(request: HttpRequest, project: Project) -> dict[str, Any]:
    actor = actor_of(request)
    aggregate = selectors.aggregate_demand(project)
    manager = selectors.runs_procurements(actor)
    return {
        "annual_value": aggregate.annual_value,
        "value_over_term_incl_vat": aggregate.value_over_term_incl_vat,
        "members_using": aggregate.members_using,
        "regime": aggregate.regime,
        "above_threshold": aggregate.above_threshold,
        "threshold": aggregate.threshold.amount if aggregate.threshold else None,
        "threshold_citation": aggregate.threshold.citation if aggregate.threshold else None,
        "procedures_open": [p.code for p in aggregate.procedures],
        "by_lot": [
            {
                "lot_number": r["lot"].number,
                "annual_value": r["annual_value"],
                "quantity": r["quantity"],
                "members": r["members"],
            }
            for r in aggregate.by_lot
        ]
        if manager
        else [],
        "own_returns": [
            {
                "lot_number": d.lot.number,
                "estimated_quantity": d.estimated_quantity,
                "annual_value": d.annual_value,
                "needed_from": d.needed_from,
                "will_use": d.will_use,
            }
            for d in selectors.demand_for_member(actor, project).values()
        ],
    }


@router.get(
    "/tenders/{project_id}/demand", response={200: DemandOut, **ERRORS}, operation_id="tender_demand_get"
)
def tender_demand_get(request: HttpRequest, project_id: int) -> dict[str, Any]:
    """The aggregated demand and the regime it falls under; a member also sees its own returns."""
    return _demand_out(request, _project(request, project_id))


@router.put(
    "/tenders/{project_id}/demand", response={200: DemandOut, **ERRORS}, operation_id="tender_demand_record"
)
def tender_demand_record(request: HttpRequest, project_id: int, payload: DemandIn) -> dict[str, Any]:
    project = _project(request, project_id)
    rows = [services.DemandIn(**r.dict()) for r in payload.rows]
    services.demand_record(
        actor=actor_of(request), project=project, rows=rows, where=[f"rows[{i}]." for i in range(len(rows))]
    )
    return _demand_out(request, project)


@router.post(
    "/tenders/{project_id}/demand/close",
    response={200: ProjectOut, **ERRORS},
    operation_id="tender_demand_close",
)
def tender_demand_close(request: HttpRequest, project_id: int) -> Project:
    services.demand_close(actor=actor_of(request), project=_project(request, project_id))
    return _project(request, project_id)


@router.put(
    "/tenders/{project_id}/timetable",
    response={200: ProjectOut, **ERRORS},
    operation_id="tender_timetable_set",
)
def tender_timetable_set(request: HttpRequest, project_id: int, payload: TimetableIn) -> Project:
    """Choose the procedure and dates; any date earlier than the law allows is refused with the rule."""
    actor, project = actor_of(request), _project(request, project_id)
    values = payload.dict()
    method, rate = values.pop("price_method"), values.pop("discount_rate")
    if method is not None:
        services.price_method_set(
            actor=actor,
            project=project,
            method=method,
            discount_rate=rate if rate is not None else project.discount_rate,
        )
    services.timetable_set(
        actor=actor,
        project=project,
        procedure_code=values.pop("procedure"),
        planned_notice_on=values.pop("planned_notice_on"),
        timetable=Timetable(**values),
    )
    return _project(request, project_id)


@router.post(
    "/tenders/{project_id}/criteria",
    response={201: CriterionOut, **ERRORS},
    operation_id="tender_criterion_add",
)
def tender_criterion_add(request: HttpRequest, project_id: int, payload: CriterionIn) -> Status:
    project = _project(request, project_id)
    values = payload.dict()
    parent_id = values.pop("parent_id")
    parent = _criterion(project, parent_id) if parent_id else None
    criterion = services.criterion_add(actor=actor_of(request), project=project, parent=parent, **values)
    return Status(201, criterion)


@router.put(
    "/tenders/{project_id}/invited-suppliers",
    response={200: ProjectOut, **ERRORS},
    operation_id="tender_bidders_invite",
)
def tender_bidders_invite(request: HttpRequest, project_id: int, payload: BiddersIn) -> Project:
    """Direct award or mini-competition: only these suppliers (by default a framework's) may bid."""
    from consortium.contracts.models import Contract

    framework = None
    if payload.framework_id is not None:
        framework = Contract.objects.filter(pk=payload.framework_id).first()
        if framework is None:
            raise ValidationFailed("Choose a framework", field_errors={"framework_id": "No such contract"})
    services.bidders_invite(
        actor=actor_of(request),
        project=_project(request, project_id),
        suppliers=list(Organisation.objects.filter(pk__in=payload.supplier_ids)),
        framework=framework,
    )
    return _project(request, project_id)


@router.post(
    "/tenders/{project_id}/publish", response={200: ProjectOut, **ERRORS}, operation_id="tender_publish"
)
def tender_publish(request: HttpRequest, project_id: int) -> Project:
    services.tender_publish(actor=actor_of(request), project=_project(request, project_id))
    return _project(request, project_id)


@router.post(
    "/tenders/{project_id}/cancel", response={200: ProjectOut, **ERRORS}, operation_id="tender_cancel"
)
def tender_cancel(request: HttpRequest, project_id: int, payload: ReasonIn) -> Project:
    services.project_cancel(
        actor=actor_of(request), project=_project(request, project_id), reason=payload.reason
    )
    return _project(request, project_id)


@router.post(
    "/tenders/{project_id}/interest", response={200: ProjectOut, **ERRORS}, operation_id="tender_interest"
)
def tender_interest(request: HttpRequest, project_id: int) -> Project:
    project = _project(request, project_id)
    services.interest_register(actor=actor_of(request), project=project)
    return project


@router.get(
    "/tenders/{project_id}/clarifications",
    response={200: list[ClarificationOut], **ERRORS},
    operation_id="tender_clarification_list",
)
@paginate(Page)
def tender_clarification_list(request: HttpRequest, project_id: int) -> object:
    """Questions and answers, never naming who asked (a supplier sees `mine` on its own)."""
    actor = actor_of(request)
    items = selectors.clarifications_for(actor, _project(request, project_id))
    return [
        {
            "id": c.pk,
            "question": c.question,
            "answer": c.answer,
            "answered_at": c.answered_at,
            "mine": c.asked_by_id == actor.organisation.pk,
        }
        for c in items
    ]


@router.post(
    "/tenders/{project_id}/clarifications",
    response={201: ClarificationOut, **ERRORS},
    operation_id="tender_clarification_ask",
)
def tender_clarification_ask(request: HttpRequest, project_id: int, payload: QuestionIn) -> Status:
    c = services.clarification_ask(
        actor=actor_of(request), project=_project(request, project_id), question=payload.question
    )
    return Status(201, {"id": c.pk, "question": c.question, "answer": "", "answered_at": None, "mine": True})


@router.post(
    "/tenders/{project_id}/clarifications/{clarification_id}/answer",
    response={200: ClarificationOut, **ERRORS},
    operation_id="tender_clarification_answer",
)
def tender_clarification_answer(
    request: HttpRequest, project_id: int, clarification_id: int, payload: AnswerIn
) -> Clarification:
    project = _project(request, project_id)
    try:
        clarification = project.clarifications.get(pk=clarification_id)
    except Clarification.DoesNotExist:
        raise NotFound("No such question") from None
    return services.clarification_answer(
        actor=actor_of(request), clarification=clarification, answer=payload.answer
    )


@router.put(
    "/tenders/{project_id}/lots/{lot_number}/bid",
    response={200: BidOut, **ERRORS},
    operation_id="tender_bid_submit",
)
def tender_bid_submit(request: HttpRequest, project_id: int, lot_number: int, payload: BidIn) -> Bid:
    """Submit or resubmit a bid for a lot before the deadline (idempotent with `submission_key`)."""
    cp = payload.cost_profile
    return services.bid_submit(
        actor=actor_of(request),
        project=_project(request, project_id),
        lot_number=lot_number,
        answers=payload.answers,
        price_lines=[
            services.PriceLineIn(p.description, p.quantity, p.unit_price, p.unit) for p in payload.price_lines
        ],
        cost_profile=CostProfile(
            cp.acquisition, cp.annual_running, cp.annual_maintenance, cp.end_of_life, cp.residual_value
        )
        if cp
        else None,
        submission_key=payload.submission_key,
    )


@router.get(
    "/tenders/{project_id}/my-bids", response={200: list[BidOut], **ERRORS}, operation_id="tender_my_bids"
)
@paginate(Page)
def tender_my_bids(request: HttpRequest, project_id: int) -> object:
    return selectors.own_bids(actor_of(request), _project(request, project_id))


@router.post(
    "/tenders/{project_id}/bids/{bid_id}/withdraw",
    response={200: BidEnvelopeOut, **ERRORS},
    operation_id="tender_bid_withdraw",
)
def tender_bid_withdraw(request: HttpRequest, project_id: int, bid_id: int) -> Bid:
    actor = actor_of(request)
    bid = selectors.own_bids(actor, _project(request, project_id)).filter(pk=bid_id).first()
    if bid is None:
        raise NotFound("No such bid")
    return services.bid_withdraw(actor=actor, bid=bid)


@router.get(
    "/tenders/{project_id}/bids",
    response={200: list[BidEnvelopeOut], **ERRORS},
    operation_id="tender_bid_list",
)
@paginate(Page)
def tender_bid_list(request: HttpRequest, project_id: int) -> object:
    """Submitted bids, once the deadline has passed and two people have recorded the opening."""
    return selectors.bid_list_for(actor_of(request), _project(request, project_id))


@router.get(
    "/tenders/{project_id}/bids/{bid_id}", response={200: BidOut, **ERRORS}, operation_id="tender_bid_get"
)
def tender_bid_get(request: HttpRequest, project_id: int, bid_id: int) -> Bid:
    """A bid's content: sealed to all but the bidder until opened; every read is audited."""
    bid = selectors.bid_for_reading(actor_of(request), bid_id)
    if bid.project_id != project_id:
        raise NotFound("No such bid")
    return bid


@router.post(
    "/tenders/{project_id}/openings",
    response={200: ProjectOut, **ERRORS},
    operation_id="tender_opening_record",
)
def tender_opening_record(request: HttpRequest, project_id: int) -> Project:
    services.opening_record(actor=actor_of(request), project=_project(request, project_id))
    return _project(request, project_id)


@router.post(
    "/tenders/{project_id}/evaluators",
    response={201: dict[str, Any], **ERRORS},
    operation_id="tender_evaluator_assign",
)
def tender_evaluator_assign(request: HttpRequest, project_id: int, payload: AssignIn) -> Status:
    project = _project(request, project_id)
    evaluator = Person.objects.filter(pk=payload.evaluator_id).first()
    if evaluator is None:
        raise ValidationFailed("Choose an evaluator", field_errors={"evaluator_id": "No such person"})
    a = services.evaluator_assign(
        actor=actor_of(request), criterion=_criterion(project, payload.criterion_id), evaluator=evaluator
    )
    return Status(
        201,
        {
            "id": a.pk,
            "criterion_id": a.criterion_id,
            "evaluator_id": a.evaluator_id,
            "declaration": a.declaration,
        },
    )


@router.post(
    "/tenders/{project_id}/declaration",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_declaration",
)
def tender_declaration(request: HttpRequest, project_id: int, payload: DeclarationIn) -> dict[str, Any]:
    """An evaluator's conflict-of-interest declaration, before seeing any bid."""
    project = _project(request, project_id)
    count = services.declaration_make(
        actor=actor_of(request), project=project, conflict=payload.conflict, note=payload.note
    )
    return {"criteria": count, "conflict": payload.conflict}


def _scores(payload: ScoresheetIn) -> dict[int, services.ScoreIn]:
    return {s.bid_id: services.ScoreIn(s.score, s.justification) for s in payload.scores}


@router.put(
    "/tenders/{project_id}/criteria/{criterion_id}/scores",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_scoresheet",
)
def tender_scoresheet(
    request: HttpRequest, project_id: int, criterion_id: int, payload: ScoresheetIn
) -> dict[str, Any]:
    """An evaluator's own scores with justifications; nobody else's are shown."""
    project = _project(request, project_id)
    n = services.scoresheet_submit(
        actor=actor_of(request), criterion=_criterion(project, criterion_id), scores=_scores(payload)
    )
    return {"scored": n}


@router.put(
    "/tenders/{project_id}/criteria/{criterion_id}/moderation",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_moderation",
)
def tender_moderation(
    request: HttpRequest, project_id: int, criterion_id: int, payload: ScoresheetIn
) -> dict[str, Any]:
    """The moderator's consensus score per bid, with reasons."""
    project = _project(request, project_id)
    n = services.moderation_submit(
        actor=actor_of(request), criterion=_criterion(project, criterion_id), consensus=_scores(payload)
    )
    return {"moderated": n}


def _workbook(payload: WorkbookIn) -> dict[tuple[int, int], services.ScoreIn]:
    return {(s.criterion_id, s.bid_id): services.ScoreIn(s.score, s.justification) for s in payload.scores}


@router.put(
    "/tenders/{project_id}/scores",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_scores_submit",
)
def tender_scores_submit(request: HttpRequest, project_id: int, payload: WorkbookIn) -> dict[str, Any]:
    """An evaluator's whole scoring workbook at once: scores for any of its criteria and bids."""
    n = services.scores_submit(
        actor=actor_of(request), project=_project(request, project_id), scores=_workbook(payload)
    )
    return {"scored": n}


@router.put(
    "/tenders/{project_id}/consensus",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_consensus_submit",
)
def tender_consensus_submit(request: HttpRequest, project_id: int, payload: WorkbookIn) -> dict[str, Any]:
    """The moderator's consensus scores for many criteria at once."""
    n = services.consensus_submit(
        actor=actor_of(request), project=_project(request, project_id), consensus=_workbook(payload)
    )
    return {"moderated": n}


@router.post(
    "/tenders/{project_id}/results",
    response={200: list[BidEnvelopeOut], **ERRORS},
    operation_id="tender_results",
)
def tender_results(request: HttpRequest, project_id: int) -> list[Bid]:
    """Work out price points, totals and ranking (ties broken by the stated rule)."""
    bids = services.evaluation_finalise(actor=actor_of(request), project=_project(request, project_id))
    return sorted(bids, key=lambda b: (b.lot_id, b.rank or 0))


@router.post(
    "/tenders/{project_id}/award", response={200: ProjectOut, **ERRORS}, operation_id="tender_award_approve"
)
def tender_award_approve(request: HttpRequest, project_id: int) -> Project:
    services.award_approve(actor=actor_of(request), project=_project(request, project_id))
    return _project(request, project_id)


@router.post(
    "/tenders/{project_id}/conclude", response={200: ProjectOut, **ERRORS}, operation_id="tender_conclude"
)
def tender_conclude(request: HttpRequest, project_id: int) -> Project:
    services.award_conclude(actor=actor_of(request), project=_project(request, project_id))
    return _project(request, project_id)


@router.get(
    "/tenders/{project_id}/bids/{bid_id}/summary",
    response={200: list[SummaryRowOut], **ERRORS},
    operation_id="tender_bid_summary",
)
def tender_bid_summary(request: HttpRequest, project_id: int, bid_id: int) -> list[dict[str, Any]]:
    """The bidder's assessment summary: its points and the winner's, per criterion."""
    actor = actor_of(request)
    bid = Bid.objects.select_related("project", "lot").filter(pk=bid_id, project_id=project_id).first()
    if bid is None:
        raise NotFound("No such bid")
    rows = selectors.assessment_summary(actor, bid)
    return [
        {
            "criterion": f"{r.criterion.number} {r.criterion.title}",
            "weight": r.weight,
            "own_points": r.own_points,
            "winner_points": r.winner_points,
        }
        for r in rows
    ]


@router.get(
    "/tenders/{project_id}/ocds/releases",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_ocds_releases",
    auth=None,
)
def tender_ocds_releases(request: HttpRequest, project_id: int) -> dict[str, Any]:
    """The OCDS 1.1 release package: every release published for the procurement (open data)."""
    return ocds.release_package(selectors.published_project(project_id))


@router.get(
    "/tenders/{project_id}/ocds/record",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_ocds_record",
    auth=None,
)
def tender_ocds_record(request: HttpRequest, project_id: int) -> dict[str, Any]:
    """The OCDS 1.1 record package, with the compiled release."""
    return ocds.record_package(selectors.published_project(project_id))
