"""Savings and cost sharing's JSON API: the savings register and its decisions, reports, each
member's net benefit; the shared service's budget, members' figures, scenarios compared side
by side and approved; suppliers' rebates."""

from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from consortium.core.api_errors import ERRORS
from consortium.core.pagination import Page
from consortium.organisations.api_auth import actor_of
from consortium.savings import selectors, services
from consortium.savings.constants import METHOD_FORMULAS
from consortium.savings.models import Rebate, Saving, Scenario
from consortium.savings.schemas import (
    ApproveIn,
    BudgetIn,
    MemberFigureIn,
    NetBenefitOut,
    RebateOut,
    RebateUpdateIn,
    ReportOut,
    SavingDecisionIn,
    SavingIn,
    SavingOut,
    SavingQuery,
    ScenarioIn,
    ScenarioOut,
)

router = Router(tags=["savings"])


def saving_out(s: Saving) -> dict[str, Any]:
    return {
        "id": s.pk,
        "reference": s.reference,
        "member": s.member.name,
        "member_id": s.member_id,
        "title": s.title,
        "category": s.category,
        "source": s.source,
        "method": s.method,
        "method_formula": METHOD_FORMULAS.get(s.method, ""),
        "cashable": s.cashable,
        "recurrence": s.recurrence,
        "amount": s.amount,
        "starts_on": s.starts_on,
        "months": s.months,
        "total": s.total,
        "baseline": s.baseline,
        "status": s.status,
        "corrects": s.corrects.reference if s.corrects_id and s.corrects else None,
        "superseded_by": s.superseded_by.reference if s.superseded_by_id and s.superseded_by else None,
        "years": selectors.years_of(s),
    }


def scenario_out(s: Scenario) -> dict[str, Any]:
    total, shares = selectors.shares_for(s.budget, s)
    return {
        "id": s.pk,
        "name": s.name,
        "year": s.budget.year,
        "status": s.status,
        "weights": s.weights,
        "limits": s.limits,
        "total": total,
        "shares": [share.__dict__ for share in shares],
    }


def rebate_out(r: Rebate) -> dict[str, Any]:
    return {
        "id": r.pk,
        "supplier": r.supplier.name,
        "quarter": r.quarter,
        "spend": r.spend,
        "due": r.due,
        "status": r.status,
        "received": r.received,
        "received_on": r.received_on,
        "distributed": r.distributed,
    }


class ReportQuery(Schema):
    group_by: Literal["year", "member", "category", "method", "source", "cashable"] = "year"
    year: int | None = Field(None, ge=2000, le=2100)
    member_id: int | None = Field(None, ge=1, le=2**62)


class YearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("/savings/report", response={200: ReportOut, **ERRORS}, operation_id="savings_report")
def report(request: HttpRequest, q: Query[ReportQuery]) -> dict[str, Any]:
    data = selectors.report(actor_of(request), q.group_by, year=q.year, member_id=q.member_id)
    return {**data, "rows": [{k: v for k, v in r.items() if k != "key"} for r in data["rows"]]}


@router.get(
    "/savings/net-benefit", response={200: list[NetBenefitOut], **ERRORS}, operation_id="savings_net_benefit"
)
def net_benefit(request: HttpRequest, q: Query[YearQuery]) -> list[dict[str, Any]]:
    return selectors.net_benefit(actor_of(request), q.year or selectors.current_year())


@router.get("/savings/rebates", response={200: list[RebateOut], **ERRORS}, operation_id="savings_rebates")
@paginate(Page)
def rebates(request: HttpRequest) -> object:
    return selectors.rebates(actor_of(request))


@router.post(
    "/savings/rebates/{rebate_id}", response={200: RebateOut, **ERRORS}, operation_id="savings_rebate_update"
)
def rebate_update(request: HttpRequest, rebate_id: int, payload: RebateUpdateIn) -> dict[str, Any]:
    return rebate_out(services.rebate_update(actor=actor_of(request), rebate_id=rebate_id, data=payload))


@router.get("/savings", response={200: list[SavingOut], **ERRORS}, operation_id="savings_list")
@paginate(Page)
def saving_list(request: HttpRequest, filters: Query[SavingQuery]) -> object:
    return selectors.savings(actor_of(request), filters).prefetch_related("years")


@router.post("/savings", response={201: list[SavingOut], **ERRORS}, operation_id="savings_propose")
def propose(request: HttpRequest, payload: SavingIn) -> Status:
    made = services.saving_propose(actor=actor_of(request), data=payload)
    return Status(201, [saving_out(s) for s in made])


@router.get("/savings/{saving_id}", response={200: SavingOut, **ERRORS}, operation_id="savings_get")
def saving_get(request: HttpRequest, saving_id: int) -> dict[str, Any]:
    return saving_out(selectors.saving(actor_of(request), saving_id))


@router.post(
    "/savings/{saving_id}/decision", response={200: SavingOut, **ERRORS}, operation_id="savings_decide"
)
def decide(request: HttpRequest, saving_id: int, payload: SavingDecisionIn) -> dict[str, Any]:
    services.saving_decide(actor=actor_of(request), saving_id=saving_id, data=payload)
    return saving_out(selectors.saving(actor_of(request), saving_id))


class BudgetOut(Schema):
    year: int
    total: Decimal
    lines: dict[str, Decimal]


@router.post("/costs/budgets", response={200: BudgetOut, **ERRORS}, operation_id="costs_budget_save")
def budget_save(request: HttpRequest, payload: BudgetIn) -> dict[str, Any]:
    b = services.budget_save(actor=actor_of(request), data=payload)
    return {
        "year": b.year,
        "total": selectors.budget_total(b),
        "lines": {li.name: li.amount for li in b.lines.all()},
    }


class FigureOut(Schema):
    member_id: int
    key: str
    year: int
    value: Decimal
    source: str


@router.post("/costs/figures", response={200: FigureOut, **ERRORS}, operation_id="costs_figure_save")
def figure_save(request: HttpRequest, payload: MemberFigureIn) -> dict[str, Any]:
    f = services.figure_save(actor=actor_of(request), data=payload)
    return {"member_id": f.member_id, "key": f.key, "year": f.year, "value": f.value, "source": f.source}


@router.get(
    "/costs/budgets/{year}/scenarios",
    response={200: list[ScenarioOut], **ERRORS},
    operation_id="costs_scenarios",
)
def scenario_list(request: HttpRequest, year: int) -> list[dict[str, Any]]:
    actor = actor_of(request)
    # Bounded before it reaches the database: a path integer may be any size.
    b = selectors.budget(actor, year if 2000 <= year <= 2100 else 0)
    return [scenario_out(s) for s in selectors.scenarios(actor, b).select_related("budget")]


@router.post(
    "/costs/budgets/{year}/scenarios",
    response={201: ScenarioOut, **ERRORS},
    operation_id="costs_scenario_create",
)
def scenario_create(request: HttpRequest, year: int, payload: ScenarioIn) -> Status:
    s = services.scenario_save(actor=actor_of(request), year=year, data=payload)
    return Status(201, scenario_out(s))


class StatementOut(Schema):
    id: int
    year: int
    version: int
    scenario: str
    total: Decimal
    charges: dict[str, Decimal]


@router.post(
    "/costs/scenarios/{scenario_id}/approve",
    response={200: StatementOut, **ERRORS},
    operation_id="costs_scenario_approve",
)
def scenario_approve(request: HttpRequest, scenario_id: int, payload: ApproveIn) -> dict[str, Any]:
    st = services.scenario_approve(actor=actor_of(request), scenario_id=scenario_id, data=payload)
    return {
        "id": st.pk,
        "year": st.budget.year,
        "version": st.version,
        "scenario": st.scenario.name,
        "total": st.total,
        "charges": {line.member.name: line.charge for line in st.lines.select_related("member")},
    }
