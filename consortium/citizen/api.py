"""The partner officer's JSON API for shared citizen services: the queue, a request with its
history, the officer's steps on it, the partner's service levels and the figures. Citizens
and other systems use Open311 (`/open311/v2/`); this is for the partners' own software."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from consortium.citizen import selectors, services
from consortium.citizen.models import ServiceLevel, ServiceRequest
from consortium.citizen.schemas import AssignIn, ReclassifyIn, RerouteIn, ServiceLevelIn, UpdateIn
from consortium.core.api_errors import ERRORS
from consortium.core.dates import today_in_london
from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.core.pagination import Page
from consortium.organisations.acting import Actor
from consortium.organisations.api_auth import actor_of

router = Router(tags=["citizen services"])


def _worker(request: HttpRequest) -> Actor:
    actor = actor_of(request)
    if not (selectors.works_requests(actor) or selectors.oversees(actor)):
        raise PermissionDenied("Partner officers work on their partner's service requests.")
    return actor


class RequestSummaryOut(Schema):
    """A request in the queue: what, where and when — nobody's personal details."""

    id: int
    reference: str | None
    status: str
    service_code: str = Field(..., alias="service.code")
    service_name: str = Field(..., alias="service.name")
    area_code: str | None = None
    handled_by_id: int | None
    assigned_to_id: int | None
    confirmed_at: dt.datetime | None
    due_on: dt.date | None
    due_at: dt.datetime | None
    overdue: bool = Field(..., alias="is_overdue")
    closed_at: dt.datetime | None
    days_taken: int | None
    met_target: bool | None

    @staticmethod
    def resolve_area_code(obj: ServiceRequest) -> str | None:
        return obj.area.code if obj.area else None


class HistoryOut(Schema):
    kind: str
    status: str
    text: str
    at: dt.datetime
    channel: str
    demand: str
    failure_type: str
    by: str | None = None

    @staticmethod
    def resolve_by(obj: object) -> str | None:
        person = getattr(obj, "by", None)
        return person.full_name if person else None


class RequestOut(RequestSummaryOut):
    """The handling partner's view: the citizen's details (the read is audited)."""

    description: str
    answers: dict[str, object]
    address: str
    postcode: str
    lat: float | None
    long: float | None
    # The citizen: for the handling partner only (null for the partnership's admins, who
    # open a request only to route it out of triage).
    email: str | None
    first_name: str | None
    last_name: str | None
    phone: str | None
    channel: str
    paused_at: dt.datetime | None
    merged_into_reference: str | None = None
    history: list[HistoryOut] = []

    @staticmethod
    def resolve_merged_into_reference(obj: ServiceRequest) -> str | None:
        return obj.merged_into.reference if obj.merged_into_id and obj.merged_into else None


class QueueQuery(Schema):
    service_id: int | None = Field(None, ge=1, le=2**62)
    area_id: int | None = Field(None, ge=1, le=2**62)
    status: str = Field("open", max_length=30, description="open, closed, triage, a status, or blank for all")
    due: str = Field("", pattern=r"^(|overdue|today|week)$")
    assigned: str = Field("", pattern=r"^(|me|nobody)$")


def _detail(actor: Actor, item: ServiceRequest) -> RequestOut:
    """A request read once through `request_get_for` (which audits the read), as the API shows it."""
    out = RequestOut.from_orm(item)
    if item.handled_by_id != actor.organisation.pk:
        out.email = out.first_name = out.last_name = out.phone = None
    out.history = [HistoryOut.from_orm(u) for u in selectors.history(actor, item)]
    return out


@router.get(
    "/citizen/service-requests",
    response={200: list[RequestSummaryOut], **ERRORS},
    operation_id="citizen_request_list",
)
@paginate(Page)
def request_list(request: HttpRequest, filters: Query[QueueQuery]) -> object:
    actor = _worker(request)
    return selectors.queue_for(
        actor,
        selectors.QueueFilters(
            service=filters.service_id,
            area=filters.area_id,
            status=filters.status,
            due=filters.due,
            assigned=filters.assigned,
        ),
    )


@router.get(
    "/citizen/service-requests/{request_id}",
    response={200: RequestOut, **ERRORS},
    operation_id="citizen_request_get",
)
def request_get(request: HttpRequest, request_id: int) -> RequestOut:
    actor = _worker(request)
    return _detail(actor, selectors.request_get_for(actor, request_id))


@router.post(
    "/citizen/service-requests/{request_id}/updates",
    response={200: RequestOut, **ERRORS},
    operation_id="citizen_request_update",
)
def request_update(request: HttpRequest, request_id: int, payload: UpdateIn) -> RequestOut:
    actor = _worker(request)
    item = selectors.request_get_for(actor, request_id)
    services.request_update(actor=actor, request=item, data=payload)
    item.refresh_from_db()
    return _detail(actor, item)


@router.post(
    "/citizen/service-requests/{request_id}/assignment",
    response={200: RequestOut, **ERRORS},
    operation_id="citizen_request_assign",
)
def request_assign(request: HttpRequest, request_id: int, payload: AssignIn) -> RequestOut:
    actor = _worker(request)
    item = selectors.request_get_for(actor, request_id)
    services.request_assign(
        actor=actor, request=item, person=selectors.colleague_by_id(actor, payload.person_id)
    )
    item.refresh_from_db()
    return _detail(actor, item)


@router.post(
    "/citizen/service-requests/{request_id}/reroute",
    response={200: RequestSummaryOut, **ERRORS},
    operation_id="citizen_request_reroute",
)
def request_reroute(request: HttpRequest, request_id: int, payload: RerouteIn) -> ServiceRequest:
    actor = _worker(request)
    item = selectors.request_get_for(actor, request_id)
    return services.request_reroute(
        actor=actor,
        request=item,
        partner=selectors.partner_by_id(actor, payload.partner_id),
        reason=payload.reason,
    )


@router.post(
    "/citizen/contacts/{contact_id}/classification",
    response={200: HistoryOut, **ERRORS},
    operation_id="citizen_contact_reclassify",
)
def contact_reclassify(request: HttpRequest, contact_id: int, payload: ReclassifyIn) -> object:
    actor = _worker(request)
    return services.contact_reclassify(
        actor=actor,
        update=selectors.contact_get_for(actor, contact_id),
        demand=payload.demand,
        failure_type=payload.failure_type,
    )


class ServiceLevelOut(Schema):
    id: int
    service_id: int
    service_code: str = Field(..., alias="service.code")
    partner_id: int
    target_working_days: int
    target_working_hours: int | None
    day_starts: dt.time
    day_ends: dt.time


@router.get(
    "/citizen/service-levels",
    response={200: list[ServiceLevelOut], **ERRORS},
    operation_id="citizen_service_level_list",
)
@paginate(Page)
def service_level_list(request: HttpRequest) -> object:
    return selectors.service_levels(actor_of(request))


@router.put(
    "/citizen/service-levels",
    response={200: ServiceLevelOut, **ERRORS},
    operation_id="citizen_service_level_save",
)
def service_level_save(request: HttpRequest, payload: ServiceLevelIn) -> ServiceLevel:
    """Set (or change) the acting partner's target for a service it publishes or handles."""
    actor = actor_of(request)
    services.require_definer(actor)
    return services.service_level_save(
        actor=actor, service=selectors.handled_service_by_id(actor, payload.service_id), data=payload
    )


@router.delete(
    "/citizen/service-levels/{level_id}",
    response={204: None, **ERRORS},
    operation_id="citizen_service_level_remove",
)
def service_level_remove(request: HttpRequest, level_id: int) -> Status:
    actor = actor_of(request)
    services.require_definer(actor)
    services.service_level_remove(actor=actor, level=selectors.service_level_get(actor, level_id))
    return Status(204, None)


class FiguresQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


class FiguresOut(Schema):
    partner: str
    service: str
    received: int
    closed: int
    within_target: int
    within_target_share: float | None
    median_days: float | None
    p85_days: float | None
    contacts: int
    failure_contacts: int
    failure_share: float | None


@router.get(
    "/citizen/figures",
    response={200: list[FiguresOut], **ERRORS},
    operation_id="citizen_figures",
)
def figures(request: HttpRequest, period: Query[FiguresQuery]) -> list[selectors.ServiceFigures]:
    """Per partner and service, for requests confirmed in the period (the last year by
    default): volumes, share within target, median and 85th percentile working days, failure
    demand."""
    actor = _worker(request)
    end = period.end or today_in_london()
    start = period.start or end - dt.timedelta(days=365)
    if start > end:
        raise ValidationFailed("Check the period", field_errors={"start": "The start must be before the end"})
    if (end - start).days > 3 * 366:
        raise ValidationFailed("Check the period", field_errors={"start": "Ask for three years or fewer"})
    return selectors.service_figures(actor, start=start, end=end)
