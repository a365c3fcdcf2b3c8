"""Endpoints for aggregating members' demand."""

from typing import Any

from django.http import HttpRequest

from consortium.core.api_errors import ERRORS
from consortium.organisations.api_auth import actor_of
from consortium.tendering import selectors, services
from consortium.tendering.api._common import _project, router
from consortium.tendering.models import Project
from consortium.tendering.schemas import DemandIn, DemandOpenIn, DemandOut, ProjectOut, ReasonIn


@router.post(
    "/tenders/{project_id}/demand/open",
    response={200: ProjectOut, **ERRORS},
    operation_id="tender_demand_open",
)
def tender_demand_open(request: HttpRequest, project_id: int, payload: DemandOpenIn) -> Project:
    project = _project(request, project_id)
    members = (
        None if payload.member_ids is None else selectors.members_by_id(actor_of(request), payload.member_ids)
    )
    services.demand_open(
        actor=actor_of(request), project=project, closes_on=payload.closes_on, members=members
    )
    return _project(request, project_id)


@router.post(
    "/tenders/{project_id}/preparation",
    response={200: ProjectOut, **ERRORS},
    operation_id="tender_preparation_start",
)
def tender_preparation_start(request: HttpRequest, project_id: int, payload: ReasonIn) -> Project:
    """Prepare the tender without aggregating demand (a direct award, a call-off, a known need)."""
    services.preparation_without_demand(
        actor=actor_of(request), project=_project(request, project_id), reason=payload.reason
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
