"""Endpoint for the procedure and timetable."""

from django.http import HttpRequest

from consortium.core.api_errors import ERRORS
from consortium.organisations.api_auth import actor_of
from consortium.tendering import services
from consortium.tendering.api._common import _project, router
from consortium.tendering.models import Project
from consortium.tendering.schemas import ProjectOut, TimetableIn
from consortium.tendering.timetable import Timetable


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
    # Sent (even as null) sets it; left out keeps what the procurement has.
    carbon = values.pop("carbon_price")
    if "carbon_price" not in payload.model_fields_set:
        carbon = project.carbon_price
    if method is not None:
        services.price_method_set(
            actor=actor,
            project=project,
            method=method,
            discount_rate=rate if rate is not None else project.discount_rate,
            carbon_price=carbon,
        )
    services.timetable_set(
        actor=actor,
        project=project,
        procedure_code=values.pop("procedure"),
        planned_notice_on=values.pop("planned_notice_on"),
        timetable=Timetable(**values),
    )
    return _project(request, project_id)
