"""Open311 driven by a client generated from the Open311 community's Swagger 2.0
description of GeoReport v2 (kept as data in `open311/georeport-v2.yml`, see its README):
bravado builds the operations from the description at run time, sends them over HTTP to a
live server and validates every answer against the description's schemas."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from bravado.client import SwaggerClient
from bravado.exception import HTTPError
from bravado.requests_client import RequestsClient

from consortium.citizen import services
from consortium.citizen.open311 import jurisdiction
from consortium.citizen.schemas import ServiceIn
from consortium.citizen.tests.factories import citizen_world
from consortium.organisations.constants import Role

DESCRIPTION = Path(__file__).parent / "open311" / "georeport-v2.yml"
POST_ARGUMENTS = ("email", "first_name", "last_name", "phone", "description")


def described(host: str) -> dict[str, Any]:
    """The description as published, pointed at our server, with the errata listed in the
    README (each where the description disagrees with the GeoReport v2 specification)."""
    spec: dict[str, Any] = json.loads(json.dumps(yaml.safe_load(DESCRIPTION.read_text()), default=str))
    spec.update(host=host, basePath="/open311/v2", schemes=["http"])
    # 1. keywords is "a comma separated list" (a string); `collectionFormat` is not valid in a
    #    definition's property in Swagger 2.0.
    spec["definitions"]["Service"]["properties"]["keywords"] = {"type": "string"}
    # 2. GET requests/{id} and tokens/{id} answer a list, as every GeoReport v2 answer does.
    for path in ("/request/{service_request_id}.{response_format}", "/tokens/{token_id}.{response_format}"):
        answer = spec["paths"][path]["get"]["responses"]["200"]
        answer["schema"] = {"type": "array", "items": answer["schema"]}
    # 3. POST requests takes the specification's citizen and description arguments too.
    post = spec["paths"]["/requests.{response_format}"]["post"]
    post["parameters"] += [
        {"name": n, "in": "query", "required": False, "type": "string"} for n in POST_ARGUMENTS
    ]
    return spec


@pytest.fixture
def open311(world, live_server, transactional_db):  # type: ignore[no-untyped-def]
    """A generated client with an api_key, and the test world's services (one asks nothing)."""
    c = citizen_world(world)
    officer = world.actor(Role.PARTNER_OFFICER)
    services.service_save(
        actor=officer,
        data=ServiceIn.model_validate({"code": "graffiti", "name": "Graffiti", "group": "Streets"}),
    )
    graffiti = services.selectors.public_service("graffiti")
    services.routing_rule_add(
        actor=world.actor(Role.CONSORTIUM_ADMIN),
        service=graffiti,
        area=c.area,
        handled_by=world.member,
        valid_from=dt.date(2020, 1, 1),
    )
    _, key = services.open311_client_create(actor=world.actor(Role.CONSORTIUM_ADMIN), name="Generated client")
    host = live_server.url.removeprefix("http://")
    http = RequestsClient()
    http.set_api_key(host, key, param_name="api_key", param_in="query")
    client = SwaggerClient.from_spec(
        described(host),
        origin_url=f"{live_server.url}/open311/v2/",
        http_client=http,
        config={"use_models": False, "validate_responses": True, "validate_requests": True},
    )
    return client, c


def test_a_generated_client_lists_defines_posts_and_reads_back(open311):
    client, c = open311
    where = {"response_format": "json", "jurisdiction_id": jurisdiction()}
    listed = client.services_response_format.get_services_response_format(**where).response().result
    assert {"missed-bin", "graffiti"} <= {s["service_code"] for s in listed}
    definition = (
        client.services.get_services_service_code_response_format(service_code="missed-bin", **where)
        .response()
        .result
    )
    assert definition["attributes"][0]["code"] == "bin-type"
    assert [v["key"] for v in definition["attributes"][0]["values"]] == ["general", "recycling"]

    created = (
        client.requests_response_format.post_requests_response_format(
            service_code="graffiti",
            address_string="12 Market Street",
            lat=52.6906,
            long=-2.0301,
            email="app.user@example.org",
            description="Tags on the underpass wall",
            **where,
        )
        .response()
        .result
    )
    reference = created[0]["service_request_id"]
    assert reference.startswith("SR-")

    one = (
        client.request.get_request_service_request_id_response_format(service_request_id=reference, **where)
        .response()
        .result
    )
    assert one[0]["service_code"] == "graffiti" and one[0]["status"] == "open"
    assert "app.user@example.org" not in json.dumps(one)
    many = (
        client.requests_response_format.get_requests_response_format(
            service_code="graffiti", status="open", **where
        )
        .response()
        .result
    )
    assert reference in {r["service_request_id"] for r in many}
    token = (
        client.tokens.get_tokens_token_id_response_format(token_id=c.request.token, **where).response().result
    )
    assert token[0]["service_request_id"] == c.request.reference


def test_a_generated_client_gets_the_specifications_errors(open311):
    client, _ = open311
    where = {"response_format": "json", "jurisdiction_id": jurisdiction()}
    # The description has no way to send attribute[code]: a service that requires one says so.
    with pytest.raises(HTTPError) as refused:
        client.requests_response_format.post_requests_response_format(
            service_code="missed-bin",
            address_string="1 Church Street",
            email="a@example.org",
            description="Not emptied",
            **where,
        ).response()
    assert refused.value.status_code == 400
    errors = refused.value.response.json()
    assert errors[0]["code"] == 400 and "bin-type" in errors[0]["description"].lower().replace(" ", "-")
    with pytest.raises(HTTPError) as unknown:
        client.services.get_services_service_code_response_format(service_code="no-such", **where).response()
    assert unknown.value.status_code == 404
    with pytest.raises(HTTPError) as elsewhere:
        client.services_response_format.get_services_response_format(
            response_format="json", jurisdiction_id="another.example"
        ).response()
    assert elsewhere.value.status_code == 404
