"""A small citizen-services world on top of the shared test world: the member (where the
partner officer works) offers a service, an area covers WS11, and one request is routed to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from consortium.citizen import services
from consortium.citizen.constants import Datatype
from consortium.citizen.models import Area, Service, ServiceRequest
from consortium.citizen.schemas import QuestionIn, RequestIn, ServiceIn
from consortium.organisations.constants import Role


@dataclass
class Citizen:
    service: Service
    area: Area
    request: ServiceRequest
    secret: str


BIN_QUESTION = QuestionIn.model_validate(
    {
        "code": "bin-type",
        "question": "Which bin was missed?",
        "datatype": Datatype.SINGLEVALUELIST,
        "required": True,
        "values": [{"key": "general", "name": "General waste"}, {"key": "recycling", "name": "Recycling"}],
    }
)


def report(service: Service, **overrides: object) -> RequestIn:
    values: dict[str, object] = {
        "service_code": service.code,
        "description": "Bin not emptied",
        "postcode": "WS11 1BG",
        "email": "resident@example.org",
        "attributes": {"bin-type": "general"},
    }
    values.update(overrides)
    return RequestIn.model_validate(values)


def citizen_world(world) -> Citizen:  # type: ignore[no-untyped-def]
    """Idempotent: the same service, area and confirmed request each time it is asked for."""
    existing = Service.objects.filter(code="missed-bin").first()
    if existing is not None:
        request = ServiceRequest.objects.filter(service=existing).order_by("pk").first()
        assert request is not None
        return Citizen(existing, Area.objects.get(code="test-area"), request, "")
    officer = world.actor(Role.PARTNER_OFFICER)
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    service = services.service_save(
        actor=officer,
        data=ServiceIn.model_validate(
            {"code": "missed-bin", "name": "Missed bin", "group": "Bins", "questions": [BIN_QUESTION]}
        ),
    )
    area = services.area_save(
        actor=admin, code="test-area", name="Test area", defined_by=world.member, postcode_prefixes=["WS11"]
    )
    services.routing_rule_add(
        actor=admin, service=service, area=area, handled_by=world.member, valid_from=dt.date(2020, 1, 1)
    )
    request, secret = services.request_submit(data=report(service))
    request = services.request_confirm(secret=secret)
    return Citizen(service, area, request, secret)
