"""Open311 GeoReport v2 at /open311/v2/, in JSON and XML, with mySociety's
`servicerequestupdates` extension. Field names, status values and the error format follow
the specification (http://wiki.open311.org/GeoReport_v2); `jurisdiction_id` names the
partnership. Reading needs no key; posting a request needs an `api_key` issued per client
application. Nothing personal about a citizen is ever returned."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from consortium.citizen import selectors, services
from consortium.citizen.constants import OPEN_STATUSES, Channel, Datatype, UpdateKind, open311_status
from consortium.citizen.models import RequestUpdate, Service, ServiceRequest
from consortium.citizen.schemas import RequestIn
from consortium.core.clients import client_ip
from consortium.core.dates import LONDON
from consortium.core.errors import ConsortiumError
from consortium.core.ratelimit import allow

SPEC = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_DAYS = 90  # the spec's default window for GET requests
MAX_REQUESTS = 1000  # and its default maximum


def jurisdiction() -> str:
    return getattr(settings, "OPEN311_JURISDICTION", "consortium.example")


# --- rendering ------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    child = ET.SubElement(parent, name)
    if isinstance(value, bool):
        child.text = "true" if value else "false"
    elif isinstance(value, list):
        for item in value:
            _xml_item(child, "value" if name == "values" else name.rstrip("s"), item)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(child, k, v)
    elif value is not None:
        child.text = str(value)


def _xml_item(parent: ET.Element, name: str, item: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(item, dict):
        for k, v in item.items():
            _xml_value(element, k, v)
    else:
        element.text = str(item)


def _respond(data: Any, fmt: str, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        element = ET.Element(root)
        if item is None:
            for k, v in data.items():
                _xml_value(element, k, v)
        else:
            for entry in data:
                _xml_item(element, item, entry)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")
        return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _errors(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error format: a list of {code, description}."""
    return _respond(
        [{"code": status, "description": description}], fmt, root="errors", item="error", status=status
    )


def _w3(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(LONDON).isoformat(timespec="seconds") if moment else None


@functools.lru_cache(maxsize=4096)
def _expected(due: dt.date) -> str:
    """The end of the working day a request is due, as a w3 date-time (many share a date)."""
    return dt.datetime.combine(due, dt.time(17, 0), tzinfo=LONDON).isoformat(timespec="seconds")


def _fmt(fmt: str) -> str | None:
    return fmt if fmt in ("json", "xml") else None


def _check_jurisdiction(request: HttpRequest, fmt: str) -> HttpResponse | None:
    given = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if given and given != jurisdiction():
        return _errors(fmt, 404, f"jurisdiction_id not found: this endpoint serves {jurisdiction()}")
    return None


# --- endpoints ------------------------------------------------------------------------------

Endpoint = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[Endpoint], Endpoint]:
    """What every GeoReport endpoint checks first, in the spec's error format: the format
    (json or xml), the method, and that `jurisdiction_id`, if sent, is this partnership."""

    def wrap(view: Endpoint) -> Endpoint:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if not _fmt(fmt):
                return _errors("json", 404, "Format must be json or xml")
            if request.method not in methods:
                return _errors(fmt, 405, f"Use {' or '.join(methods)}")
            if (refused := _check_jurisdiction(request, fmt)) is not None:
                return refused
            return view(request, *args, fmt=fmt, **kwargs)

        return checked

    return wrap


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    data: dict[str, Any] = {
        "changeset": "2026-12-01T00:00:00Z",
        "contact": getattr(settings, "OPEN311_CONTACT", "Ask the partnership for an api_key"),
        "key_service": "Ask the partnership's admin for an api_key",
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": "2026-12-01T00:00:00Z",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _respond(data, fmt, root="discovery")


def _service_out(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": bool(service.questions.all()),
        "type": "realtime",
        "keywords": ",".join(service.keyword_list),
        "group": service.group,
    }


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return _respond(
        [_service_out(s) for s in selectors.public_services()], fmt, root="services", item="service"
    )


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    service = selectors.public_services().filter(code=code).first()
    if service is None:
        return _errors(fmt, 404, f"service_code not found: {code}")
    attributes: list[dict[str, Any]] = [
        {
            "variable": True,
            "code": q.code,
            "datatype": q.datatype,
            "required": q.required,
            "datatype_description": Datatype(q.datatype).label,
            "order": q.order,
            "description": q.question,
            "values": [{"key": v["key"], "name": v["name"]} for v in q.values],
        }
        for q in service.questions.all()
    ]
    return _respond({"service_code": service.code, "attributes": attributes}, fmt, root="service_definition")


FIELDS = (
    "pk",
    "reference",
    "status",
    "service__name",
    "service__code",
    "description",
    "handled_by__name",
    "confirmed_at",
    "updated_at",
    "due_on",
    "address",
    "postcode",
    "lat",
    "long",
)


def _request_out(r: dict[str, Any], notes: dict[int, str]) -> dict[str, Any]:
    """One request in GeoReport v2's fields, from a values() row (no model per row: a list
    of a thousand requests is the normal answer)."""
    due = r["due_on"]
    out = {
        "service_request_id": r["reference"],
        "status": open311_status(r["status"]),
        "status_notes": notes.get(r["pk"], ""),
        "service_name": r["service__name"],
        "service_code": r["service__code"],
        "description": r["description"],
        "agency_responsible": r["handled_by__name"] or "",
        "service_notice": "",
        "requested_datetime": _w3(r["confirmed_at"]),
        "updated_datetime": _w3(r["updated_at"]),
        "address": r["address"],
        "address_id": "",
        "zipcode": r["postcode"],
    }
    # Optional fields the definition types as a date-time, a number or a URI are left out, not
    # null or blank (a citizen's photos are for the handling partner only: no media_url).
    if due:
        out["expected_datetime"] = _expected(due)
    if r["lat"] is not None and r["long"] is not None:
        out["lat"], out["long"] = float(r["lat"]), float(r["long"])
    return out


def _latest_notes(requests: Iterable[dict[str, Any]]) -> dict[int, str]:
    ids = [r["pk"] for r in requests]
    notes: dict[int, str] = {}
    for request_id, text in (
        RequestUpdate.objects.filter(request_id__in=ids, kind=UpdateKind.PUBLIC)
        .exclude(text="")
        .order_by("request_id", "at", "pk")
        .values_list("request_id", "text")
    ):
        notes[request_id] = text
    return notes


def _when(value: str | None, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name} must be a w3 date-time, for example 2026-12-01T09:00:00Z") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _published() -> Any:
    return ServiceRequest.objects.exclude(reference__isnull=True).filter(service__is_public=True)


def _get_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    requests = _published()
    ids = request.GET.get("service_request_id", "")
    if ids:
        wanted = [i.strip().upper() for i in ids.split(",") if i.strip()][:MAX_REQUESTS]
        requests = requests.filter(reference__in=wanted)
    else:
        try:
            start = _when(request.GET.get("start_date"), "start_date")
            end = _when(request.GET.get("end_date"), "end_date")
        except ValueError as e:
            return _errors(fmt, 400, str(e))
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
        if start is not None:
            requests = requests.filter(confirmed_at__gte=start)
        if end is not None:
            requests = requests.filter(confirmed_at__lte=end)
        codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            requests = requests.filter(service__code__in=codes)
        statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            return _errors(fmt, 400, "status must be open, closed, or both separated by a comma")
        if statuses == {"open"}:
            requests = requests.filter(status__in=OPEN_STATUSES)
        elif statuses == {"closed"}:
            requests = requests.exclude(status__in=OPEN_STATUSES)
    page = list(requests.order_by("-confirmed_at", "-pk").values(*FIELDS)[:MAX_REQUESTS])
    notes = _latest_notes(page)
    return _respond([_request_out(r, notes) for r in page], fmt, root="service_requests", item="request")


def _attributes(params: QueryDict) -> dict[str, str | list[str]]:
    """attribute[code]=value and attribute[code][]=value (multi-value lists)."""
    out: dict[str, str | list[str]] = {}
    for name in params:
        if not name.startswith("attribute[") or len(out) >= 30:
            continue
        inner = name[len("attribute[") :]
        if inner.endswith("][]"):
            out[inner[:-3]] = params.getlist(name)
        elif inner.endswith("]"):
            values = params.getlist(name)
            out[inner[:-1]] = values if len(values) > 1 else values[0]
    return out


def _float(value: str | None, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number in WGS84 decimal degrees") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be a number in WGS84 decimal degrees")
    return number


def _posted(request: HttpRequest) -> QueryDict:
    """The spec has a POST's fields form-encoded in the body; the Open311 community's Swagger
    description declares them (and api_key) in the query string, so clients generated from it
    send them there. Both are read; the body wins."""
    params = request.GET.copy()
    for name in request.POST:
        params.setlist(name, request.POST.getlist(name))
    return params


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    p = _posted(request)
    client = services.open311_client_for(p.get("api_key", ""))
    if client is None:
        return _errors(fmt, 403, "api_key is missing or not valid: ask the partnership for one")
    if not allow(f"open311:{client.pk}", limit=getattr(settings, "OPEN311_KEY_RATE", 600), window_seconds=60):
        return _errors(fmt, 429, "Too many requests for this api_key: try again in a minute")
    try:
        lat, long = _float(p.get("lat"), "lat"), _float(p.get("long"), "long")
    except ValueError as e:
        return _errors(fmt, 400, str(e))
    try:
        data = RequestIn.model_validate(
            {
                "service_code": p.get("service_code", ""),
                "description": p.get("description", ""),
                "address": p.get("address_string", ""),
                "postcode": p.get("zipcode", "") or p.get("postcode", ""),
                "lat": lat,
                "long": long,
                "email": p.get("email", ""),
                "first_name": p.get("first_name", ""),
                "last_name": p.get("last_name", ""),
                "phone": p.get("phone", ""),
                "attributes": _attributes(p),
            }
        )
    except Exception as e:
        from pydantic import ValidationError

        if not isinstance(e, ValidationError):
            raise
        from consortium.core.forms import human_messages

        messages = human_messages(RequestIn, e.errors(include_url=False))
        return _errors(fmt, 400, "; ".join(f"{k}: {v}" for k, v in messages.items()))
    try:
        created, _secret = services.request_submit(data=data, channel=Channel.API, client=client)
    except ConsortiumError as exc:
        detail = "; ".join(f"{k}: {v}" for k, v in exc.field_errors.items()) or exc.detail
        status = 404 if "service_code" in exc.field_errors else 400
        return _errors(fmt, status, detail)
    # 200 with the new request's id, as the GeoReport v2 description has it (no accounts here).
    out = [{"service_request_id": created.reference, "service_notice": ""}]
    return _respond(out, fmt, root="service_requests", item="request", status=200)


@csrf_exempt
@endpoint("GET", "POST")
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: requests with the spec's filters. POST: a new request (api_key required)."""
    if request.method == "GET":
        if not allow(
            f"open311-read:{client_ip(request)}", limit=settings.OPEN311_READ_RATE, window_seconds=60
        ):
            return _errors(fmt, 429, "Too many requests: try again in a minute")
        return _get_requests(request, fmt)
    return _post_request(request, fmt)


@endpoint("GET")
def request_detail(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    found = _published().filter(reference=reference.upper()).values(*FIELDS).first()
    if found is None:
        return _errors(fmt, 404, f"service_request_id not found: {reference}")
    return _respond(
        [_request_out(found, _latest_notes([found]))], fmt, root="service_requests", item="request"
    )


@endpoint("GET")
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    found = ServiceRequest.objects.filter(token=token).exclude(reference__isnull=True).first()
    if found is None:
        return _errors(fmt, 404, "token not found, or its request is not confirmed yet")
    out = [{"service_request_id": found.reference, "token": found.token}]
    return _respond(out, fmt, root="service_requests", item="request")


@endpoint("GET")
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """mySociety's extension: public updates on requests, in a time window."""
    try:
        start = _when(request.GET.get("start_date"), "start_date") or timezone.now() - dt.timedelta(days=1)
        end = _when(request.GET.get("end_date"), "end_date")
    except ValueError as e:
        return _errors(fmt, 400, str(e))
    updates = RequestUpdate.objects.filter(
        kind=UpdateKind.PUBLIC,
        at__gte=start,
        request__reference__isnull=False,
        request__service__is_public=True,
    ).select_related("request")
    if end is not None:
        updates = updates.filter(at__lte=end)
    out = [
        {
            "update_id": str(u.pk),
            "service_request_id": u.request.reference,
            "status": open311_status(u.status or u.request.status),
            "updated_datetime": _w3(u.at),
            "description": u.text,
        }
        for u in updates.order_by("at", "pk")[:MAX_REQUESTS]
    ]
    if fmt == "xml":
        return _respond(out, fmt, root="service_request_updates", item="request_update")
    return JsonResponse({"service_request_updates": out})
