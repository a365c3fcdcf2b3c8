"""Endpoints for managing the contract a procurement awarded: milestones, variations,
performance and termination."""

from typing import Any

from django.http import HttpRequest
from ninja import Status

from consortium.core.api_errors import ERRORS
from consortium.organisations.api_auth import actor_of
from consortium.tendering import selectors, services
from consortium.tendering.api._common import _project, router
from consortium.tendering.schemas import (
    AssessmentIn,
    AssessmentOut,
    ContractManagementOut,
    MilestoneIn,
    MilestoneOut,
    MilestoneRecordIn,
    TerminationIn,
    VariationIn,
    VariationOut,
)


@router.get(
    "/tenders/{project_id}/contract",
    response={200: ContractManagementOut, **ERRORS},
    operation_id="tender_contract",
)
def tender_contract(request: HttpRequest, project_id: int) -> dict[str, Any]:
    """The awarded contract as managed: its milestones, variations, assessments, termination."""
    return selectors.contract_management(actor_of(request), _project(request, project_id))


@router.post(
    "/tenders/{project_id}/contract/milestones",
    response={201: MilestoneOut, **ERRORS},
    operation_id="tender_contract_milestone_add",
)
def tender_contract_milestone_add(request: HttpRequest, project_id: int, payload: MilestoneIn) -> Status:
    milestone = services.milestone_add(
        actor=actor_of(request), project=_project(request, project_id), **payload.dict()
    )
    return Status(201, milestone)


@router.post(
    "/tenders/{project_id}/contract/milestones/{number}",
    response={200: MilestoneOut, **ERRORS},
    operation_id="tender_contract_milestone_record",
)
def tender_contract_milestone_record(
    request: HttpRequest, project_id: int, number: int, payload: MilestoneRecordIn
) -> Any:
    """Record a milestone met (on a day) or not met."""
    return services.milestone_record(
        actor=actor_of(request), project=_project(request, project_id), number=number, **payload.dict()
    )


@router.post(
    "/tenders/{project_id}/contract/variations",
    response={201: VariationOut, **ERRORS},
    operation_id="tender_contract_vary",
)
def tender_contract_vary(request: HttpRequest, project_id: int, payload: VariationIn) -> Status:
    """Vary the contract: a contract change notice (UK10) and an OCDS contractAmendment."""
    variation = services.contract_vary(
        actor=actor_of(request), project=_project(request, project_id), **payload.dict()
    )
    return Status(201, variation)


@router.post(
    "/tenders/{project_id}/contract/assessments",
    response={201: AssessmentOut, **ERRORS},
    operation_id="tender_contract_assess",
)
def tender_contract_assess(request: HttpRequest, project_id: int, payload: AssessmentIn) -> Status:
    """Assess a KPI for a period (a contract performance notice, UK9, over £5 million)."""
    assessment = services.performance_assess(
        actor=actor_of(request), project=_project(request, project_id), **payload.dict()
    )
    return Status(201, assessment)


@router.post(
    "/tenders/{project_id}/contract/termination",
    response={200: ContractManagementOut, **ERRORS},
    operation_id="tender_contract_terminate",
)
def tender_contract_terminate(
    request: HttpRequest, project_id: int, payload: TerminationIn
) -> dict[str, Any]:
    """End the contract early: a contract termination notice (UK11)."""
    project = _project(request, project_id)
    services.contract_terminate(actor=actor_of(request), project=project, **payload.dict())
    return selectors.contract_management(actor_of(request), _project(request, project_id))
