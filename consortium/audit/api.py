import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from consortium.audit import selectors
from consortium.core.api_errors import ERRORS
from consortium.core.files import csv_response
from consortium.core.pagination import Page
from consortium.organisations.api_auth import actor_of

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_organisation_id: int | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    organisation_id: int | None
    changes: dict[str, Any]
    request_id: str


class AuditFilter(Schema):
    object_type: str | None = Field(None, max_length=100)
    object_id: str | None = Field(None, max_length=64)
    organisation_id: int | None = Field(None, ge=1, le=2**62)
    action: str | None = Field(None, max_length=100)


@router.get("/audit-events", response={200: list[AuditEventOut], **ERRORS}, operation_id="audit_event_list")
@paginate(Page)
def audit_event_list(request: HttpRequest, filters: Query[AuditFilter]) -> object:
    return selectors.audit_event_list_for(actor_of(request), **filters.dict())


@router.get(
    "/audit-events.csv",
    response=ERRORS,
    operation_id="audit_event_export",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def audit_event_export(request: HttpRequest, filters: Query[AuditFilter]) -> HttpResponse:
    """The same events as CSV (up to 50,000 rows), for a spreadsheet or an investigation."""
    events = selectors.audit_event_list_for(actor_of(request), **filters.dict())[:50_000]
    return csv_response(selectors.audit_events_as_csv(events), "activity.csv")
