"""Open311 GeoReport v2 as its specification and mySociety's extension describe it: field
names, open/closed statuses, the error format, JSON and XML, api_key for posting."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from django.test import Client

from consortium.citizen import services
from consortium.citizen.tests.factories import citizen_world
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
}  # expected_datetime too, when a request has a due date


# The Open311 community's definitions of GeoReport v2's answers (see open311/README.md).
DEFINITIONS = json.loads((Path(__file__).parent / "open311" / "definitions.json").read_text())


def conforms(document: object, definition: str, *, many: bool = True) -> None:
    """Every item (or the one document) is valid against the published definition."""
    schema = {**DEFINITIONS, "$ref": f"#/definitions/{definition}"}
    if many:
        schema = {**DEFINITIONS, "type": "array", "items": {"$ref": f"#/definitions/{definition}"}}
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def key(world):  # type: ignore[no-untyped-def]
    _client, raw = services.open311_client_create(
        actor=world.actor(Role.CONSORTIUM_ADMIN), name="FixMyStreet"
    )
    return raw


def test_discovery_and_services_in_json_and_xml(world):
    c = citizen_world(world)
    client = Client()
    discovery = client.get(f"{BASE}/discovery.json").json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert ET.fromstring(client.get(f"{BASE}/discovery.xml").content).tag == "discovery"
    listed = client.get(f"{BASE}/services.json").json()
    conforms(listed, "Service")
    assert listed == [
        {
            "service_code": "missed-bin",
            "service_name": "Missed bin",
            "description": "",
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": "Bins",
        }
    ]
    xml = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert xml.tag == "services" and xml.find("service/service_code").text == "missed-bin"
    definition = client.get(f"{BASE}/services/{c.service.code}.json").json()
    conforms(definition, "ServiceDefinition", many=False)
    attribute = definition["attributes"][0]
    assert attribute["code"] == "bin-type" and attribute["datatype"] == "singlevaluelist"
    assert attribute["required"] is True and attribute["values"][0] == {
        "key": "general",
        "name": "General waste",
    }
    xml = ET.fromstring(client.get(f"{BASE}/services/{c.service.code}.xml").content)
    assert xml.find("attributes/attribute/values/value/key").text == "general"


def test_errors_have_the_specifications_shape(world):
    client = Client()
    missing = client.get(f"{BASE}/services/nothing.json")
    assert (
        missing.status_code == 404 and missing.json()[0]["code"] == 404 and missing.json()[0]["description"]
    )
    xml = ET.fromstring(client.get(f"{BASE}/services/nothing.xml").content)
    assert xml.tag == "errors" and xml.find("error/code").text == "404"
    assert client.get(f"{BASE}/services.json?jurisdiction_id=elsewhere.gov").status_code == 404
    assert client.get(f"{BASE}/requests.json?status=pending").status_code == 400
    assert client.get(f"{BASE}/requests.json?start_date=yesterday").status_code == 400
    assert client.get(f"{BASE}/services.yaml").status_code == 404


def test_posting_needs_an_api_key_and_returns_the_reference(world, key):
    c = citizen_world(world)
    client = Client()
    form = {
        "service_code": c.service.code,
        "lat": "52.69",
        "long": "-2.03",
        "address_string": "1 High Street",
        "email": "resident@example.org",
        "description": "Missed again",
        "attribute[bin-type]": "recycling",
        "zipcode": "WS11 1BG",
    }
    refused = client.post(f"{BASE}/requests.json", form)
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    created = client.post(f"{BASE}/requests.json", form | {"api_key": key})
    assert created.status_code == 200
    conforms(created.json(), "RequestResponse")
    reference = created.json()[0]["service_request_id"]
    assert reference.startswith("SR-")
    found = client.get(f"{BASE}/requests/{reference}.json").json()[0]
    conforms([found], "Request")
    assert set(found) == REQUEST_FIELDS
    assert found["status"] == "open" and found["agency_responsible"] == world.member.name
    assert "resident@example.org" not in client.get(f"{BASE}/requests.json").content.decode()
    bad = client.post(f"{BASE}/requests.json", form | {"api_key": key, "attribute[bin-type]": "sofa"})
    assert bad.status_code == 400 and "bin-type" in bad.json()[0]["description"]
    unknown = client.post(f"{BASE}/requests.json", form | {"api_key": key, "service_code": "nope"})
    assert unknown.status_code == 404


def test_requests_are_filtered_as_the_specification_says(world):
    c = citizen_world(world)
    officer = world.actor(Role.PARTNER_OFFICER)
    from consortium.citizen.schemas import UpdateIn

    services.request_update(
        actor=officer,
        request=c.request,
        data=UpdateIn.model_validate(dict(action="fix", public_update="Emptied")),
    )
    client = Client()
    closed = client.get(f"{BASE}/requests.json?status=closed").json()
    conforms(closed, "Request")
    assert [r["service_request_id"] for r in closed] == [c.request.reference]
    assert closed[0]["status_notes"] == "Emptied"
    assert client.get(f"{BASE}/requests.json?status=open").json() == []
    assert client.get(f"{BASE}/requests.json?service_code=pothole").json() == []
    by_id = client.get(f"{BASE}/requests.json?service_request_id={c.request.reference}").json()
    assert len(by_id) == 1
    xml = ET.fromstring(client.get(f"{BASE}/requests.xml?status=closed").content)
    assert xml.tag == "service_requests" and xml.find("request/status").text == "closed"
    token = client.get(f"{BASE}/tokens/{c.request.token}.json").json()
    conforms(token, "TokenResponse")
    assert token == [{"service_request_id": c.request.reference, "token": c.request.token}]
    updates = client.get(f"{BASE}/servicerequestupdates.json").json()["service_request_updates"]
    assert updates[0]["service_request_id"] == c.request.reference and updates[0]["status"] == "closed"
    assert set(updates[0]) == {
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
    }
