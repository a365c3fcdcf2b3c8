"""Endpoints for setting a procurement up: rules, projects, lots, criteria, bidders, publication."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Status
from ninja.pagination import paginate

from consortium.core.api_errors import ERRORS
from consortium.core.pagination import Page
from consortium.organisations.api_auth import actor_of
from consortium.tendering import selectors, services
from consortium.tendering.api._common import _criterion, _project, router
from consortium.tendering.constants import (
    ProcedureCode,
)
from consortium.tendering.models import Criterion, Project
from consortium.tendering.schemas import (
    BiddersIn,
    CriterionChangeIn,
    CriterionIn,
    CriterionOut,
    LotIn,
    ProjectIn,
    ProjectOut,
    ReasonIn,
    RulesOut,
    ScheduleItemIn,
)


@router.get("/procurement-rules", response={200: RulesOut, **ERRORS}, operation_id="procurement_rules")
def procurement_rules(request: HttpRequest, on: dt.date | None = None) -> dict[str, Any]:
    """Thresholds, procedures and notice types in force on a date, each with its source."""
    from consortium.core.dates import today_in_london
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
            for n in selectors.notice_types()
        ],
    }


@router.get("/tenders", response={200: list[ProjectOut], **ERRORS}, operation_id="tender_list")
@paginate(Page)
def tender_list(request: HttpRequest) -> object:
    return selectors.project_list_for(actor_of(request)).prefetch_related(
        "lots__items", "criteria", "invited_suppliers"
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
    "/tenders/{project_id}/lots/{lot_number}",
    response={200: ProjectOut, **ERRORS},
    operation_id="tender_lot_change",
)
def tender_lot_change(request: HttpRequest, project_id: int, lot_number: int, payload: LotIn) -> Project:
    """Correct a lot before the tender is published."""
    project = _project(request, project_id)
    services.lot_change(
        actor=actor_of(request), project=project, lot_number=lot_number, lot=services.LotIn(**payload.dict())
    )
    return _project(request, project_id)


@router.delete(
    "/tenders/{project_id}/lots/{lot_number}",
    response={204: None, **ERRORS},
    operation_id="tender_lot_remove",
)
def tender_lot_remove(request: HttpRequest, project_id: int, lot_number: int) -> Status:
    """Remove a lot before publication (the later lots move up a number)."""
    services.lot_remove(actor=actor_of(request), project=_project(request, project_id), lot_number=lot_number)
    return Status(204, None)


@router.post(
    "/tenders/{project_id}/lots/{lot_number}/items",
    response={201: ProjectOut, **ERRORS},
    operation_id="tender_schedule_item_add",
)
def tender_schedule_item_add(
    request: HttpRequest, project_id: int, lot_number: int, payload: ScheduleItemIn
) -> Status:
    """Add an item to a lot's priced schedule before publication."""
    services.schedule_item_add(
        actor=actor_of(request),
        project=_project(request, project_id),
        lot_number=lot_number,
        item=services.ScheduleItemIn(**payload.dict()),
    )
    return Status(201, _project(request, project_id))


@router.put(
    "/tenders/{project_id}/lots/{lot_number}/items/{item_number}",
    response={200: ProjectOut, **ERRORS},
    operation_id="tender_schedule_item_change",
)
def tender_schedule_item_change(
    request: HttpRequest, project_id: int, lot_number: int, item_number: int, payload: ScheduleItemIn
) -> Project:
    """Correct an item of a lot's schedule before publication (a blank quantity: members' demand)."""
    services.schedule_item_change(
        actor=actor_of(request),
        project=_project(request, project_id),
        lot_number=lot_number,
        item_number=item_number,
        item=services.ScheduleItemIn(**payload.dict()),
    )
    return _project(request, project_id)


@router.delete(
    "/tenders/{project_id}/lots/{lot_number}/items/{item_number}",
    response={204: None, **ERRORS},
    operation_id="tender_schedule_item_remove",
)
def tender_schedule_item_remove(
    request: HttpRequest, project_id: int, lot_number: int, item_number: int
) -> Status:
    """Remove an item of a lot's schedule before publication (later items move up a number)."""
    services.schedule_item_remove(
        actor=actor_of(request),
        project=_project(request, project_id),
        lot_number=lot_number,
        item_number=item_number,
    )
    return Status(204, None)


@router.put(
    "/tenders/{project_id}/criteria/{criterion_id}",
    response={200: CriterionOut, **ERRORS},
    operation_id="tender_criterion_change",
)
def tender_criterion_change(
    request: HttpRequest, project_id: int, criterion_id: int, payload: CriterionChangeIn
) -> Criterion:
    """Correct a criterion before publication: title, weight, scale, descriptors, guidance."""
    project = _project(request, project_id)
    return services.criterion_change(
        actor=actor_of(request), project=project, criterion_id=criterion_id, **payload.dict()
    )


@router.delete(
    "/tenders/{project_id}/criteria/{criterion_id}",
    response={204: None, **ERRORS},
    operation_id="tender_criterion_remove",
)
def tender_criterion_remove(request: HttpRequest, project_id: int, criterion_id: int) -> Status:
    """Remove a criterion and its sub-criteria before publication; the rest are renumbered."""
    project = _project(request, project_id)
    services.criterion_remove(actor=actor_of(request), project=project, criterion_id=criterion_id)
    return Status(204, None)


@router.put(
    "/tenders/{project_id}/invited-suppliers",
    response={200: ProjectOut, **ERRORS},
    operation_id="tender_bidders_invite",
)
def tender_bidders_invite(request: HttpRequest, project_id: int, payload: BiddersIn) -> Project:
    """Direct award or mini-competition: only these suppliers (by default a framework's) may bid."""
    actor = actor_of(request)
    services.bidders_invite(
        actor=actor,
        project=_project(request, project_id),
        suppliers=selectors.suppliers_by_id(actor, payload.supplier_ids),
        framework=None
        if payload.framework_id is None
        else selectors.framework_of(actor, payload.framework_id),
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
