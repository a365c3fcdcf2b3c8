"""Sustainable procurement's JSON API: a member's Flexible Framework self-assessment (levels,
answers, actions) and the anonymised spread across members."""

from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from consortium.core.api_errors import ERRORS
from consortium.core.errors import NotFound, ValidationFailed
from consortium.core.schemas import StrictIn
from consortium.organisations.api_auth import actor_of
from consortium.sustainability import appraisal, local, selectors, services
from consortium.sustainability import carbon as co2
from consortium.sustainability.schemas import (
    ActionIn,
    ActionOut,
    AnswersIn,
    AssessmentOut,
    CarbonOut,
    FactorTableOut,
    Lm3In,
    Lm3Out,
    SpreadOut,
)

router = Router(tags=["sustainability"])


class MemberQuery(Schema):
    member_id: int | None = Field(None, ge=1, le=2**62, description="The consortium may name a member")


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise ValidationFailed(
            "Choose a financial year", field_errors={"year": "Choose a year from 2000 to 2100"}
        )
    return year


def _assessment(request: HttpRequest, year: int, member_id: int | None) -> dict[str, Any]:
    actor = actor_of(request)
    member = selectors.member(actor, member_id or actor.organisation.pk)
    return {
        "member": member.name,
        "year": year,
        "themes": [
            {
                "theme": t.theme,
                "label": t.label,
                "level": t.level,
                "criteria_met": t.criteria_met,
                "criteria": t.criteria,
            }
            for t in selectors.levels(actor, member.pk, year)
        ],
        "actions": [
            {
                "theme": a.theme,
                "description": a.description,
                "owner": a.owner,
                "due_on": a.due_on.isoformat(),
                "status": a.status,
            }
            for a in selectors.actions(actor, member.pk, year)
        ],
    }


@router.get(
    "/sustainability/assessments/{year}",
    response={200: AssessmentOut, **ERRORS},
    operation_id="sustainability_assessment",
)
def assessment(request: HttpRequest, year: int, q: Query[MemberQuery]) -> dict[str, Any]:
    return _assessment(request, _year(year), q.member_id)


@router.post(
    "/sustainability/assessments/{year}/answers",
    response={200: AssessmentOut, **ERRORS},
    operation_id="sustainability_answer",
)
def answer(request: HttpRequest, year: int, payload: AnswersIn) -> dict[str, Any]:
    services.assessment_answer(actor=actor_of(request), year=_year(year), data=payload)
    return _assessment(request, year, None)


@router.post(
    "/sustainability/assessments/{year}/actions",
    response={201: ActionOut, **ERRORS},
    operation_id="sustainability_action_add",
)
def action_add(request: HttpRequest, year: int, payload: ActionIn) -> Status:
    a = services.action_add(actor=actor_of(request), year=_year(year), data=payload)
    return Status(
        201,
        {
            "id": a.pk,
            "theme": a.theme,
            "description": a.description,
            "owner": a.owner,
            "due_on": a.due_on,
            "status": a.status,
        },
    )


class SpreadQuery(Schema):
    year: int = Field(..., ge=2000, le=2100)


@router.get(
    "/sustainability/spread", response={200: SpreadOut, **ERRORS}, operation_id="sustainability_spread"
)
def spread(request: HttpRequest, q: Query[SpreadQuery]) -> dict[str, Any]:
    return selectors.spread(actor_of(request), q.year)


class CarbonQuery(Schema):
    by: Literal["member", "category", "supplier", "month"] = "category"


@router.get(
    "/sustainability/carbon", response={200: CarbonOut, **ERRORS}, operation_id="sustainability_carbon"
)
def carbon(request: HttpRequest, q: Query[CarbonQuery]) -> dict[str, Any]:
    data = co2.carbon_by(actor_of(request), q.by)
    return {**data, "rows": [{k: v for k, v in r.items() if k != "key"} for r in data["rows"]]}


@router.get(
    "/sustainability/carbon/factors",
    response={200: FactorTableOut, **ERRORS},
    operation_id="sustainability_factors",
)
def factor_table(request: HttpRequest) -> dict[str, Any]:
    actor_of(request)  # any signed-in person may see which factors the estimates use
    table = co2.current_table()
    if table is None:
        raise NotFound("No factor table has been imported")
    return {
        "name": table.name,
        "source": table.source,
        "edition": table.edition,
        "year": table.year,
        "version": table.version,
        "illustrative": table.illustrative,
        "factors": [{"category": f.category, "kg_per_pound": f.kg_per_pound} for f in table.factors.all()],
    }


class LocalShareOut(Schema):
    member: str
    districts: list[str]
    total: Decimal
    local: Decimal
    sme: Decimal
    voluntary: Decimal
    local_percent: Decimal
    sme_percent: Decimal
    voluntary_percent: Decimal


@router.get(
    "/sustainability/local-share",
    response={200: list[LocalShareOut], **ERRORS},
    operation_id="sustainability_local_share",
)
def local_share(request: HttpRequest) -> list[dict[str, Any]]:
    return local.local_share(actor_of(request))


@router.get("/sustainability/lm3", response={200: list[Lm3Out], **ERRORS}, operation_id="sustainability_lm3")
def lm3_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [local.figures(s) for s in local.surveys(actor_of(request))[:500]]


@router.post(
    "/sustainability/lm3", response={200: Lm3Out, **ERRORS}, operation_id="sustainability_lm3_submit"
)
def lm3_submit(request: HttpRequest, payload: Lm3In) -> dict[str, Any]:
    return local.figures(local.lm3_submit(actor=actor_of(request), data=payload))


class AppraisalIn(StrictIn):
    answers: dict[str, str] = Field(
        ..., max_length=50, description="{question code: answer}; yes or no, a year, or a number"
    )
    evidence: dict[str, str] = Field(
        default_factory=dict, max_length=50, description="{question code: evidence}"
    )


class AppraisalOut(Schema):
    id: int
    supplier: str
    submitted_at: Any
    expires_on: Any
    answers: dict[str, Any]
    score_percent: Decimal | None
    current: bool


def _appraisal_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "supplier": a.supplier.name,
        "submitted_at": a.submitted_at,
        "expires_on": a.expires_on,
        "answers": a.answers,
        "score_percent": a.score_percent,
        "current": a.current,
    }


@router.get(
    "/sustainability/appraisals",
    response={200: list[AppraisalOut], **ERRORS},
    operation_id="sustainability_appraisals",
)
def appraisal_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_appraisal_out(a) for a in appraisal.appraisals(actor_of(request)).filter(current=True)[:500]]


@router.post(
    "/sustainability/appraisals",
    response={201: AppraisalOut, **ERRORS},
    operation_id="sustainability_appraisal_submit",
)
def appraisal_submit(request: HttpRequest, payload: AppraisalIn) -> Status:
    a = appraisal.submit(actor=actor_of(request), answers=payload.answers, evidence=payload.evidence)
    return Status(201, _appraisal_out(a))
