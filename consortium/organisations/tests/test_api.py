from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from consortium.audit.models import AuditEvent
from consortium.organisations.constants import Role
from consortium.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(client: Client, path: str, body: dict) -> object:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_me_shows_roles_and_switchable_organisations(world, token_for):
    body = _client(token_for(Role.MEMBER_BUYER)).get("/api/v1/me").json()
    assert body["organisation"]["name"] == "Moorside Primary School"
    assert body["roles"] == ["member_buyer"]


def test_validation_errors_have_one_shape_naming_the_field(world, token_for):
    client = _client(token_for(Role.CONSORTIUM_ADMIN))
    response = _post(client, "/api/v1/organisations", {"name": "X", "kind": "castle"})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"title", "detail", "errors"}
    assert any(e["field"] == "kind" for e in body["errors"])
    response = _post(client, "/api/v1/organisations", {"name": "X", "kind": "school", "identifier": "12"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "identifier"
    response = _post(client, "/api/v1/organisations", {"name": "X", "kind": "school", "colour": "red"})
    assert response.status_code == 422
    assert any(e["field"] == "colour" for e in response.json()["errors"])


def test_unknown_token_and_no_token_get_401_in_the_same_shape(world):
    for client in (Client(), _client("csm_nope")):
        response = client.get("/api/v1/organisations")
        assert response.status_code == 401
        assert response.json()["title"] == "Sign in required"


def test_lists_are_paginated_with_count(world, token_for):
    client = _client(token_for(Role.CONSORTIUM_ADMIN))
    body = client.get("/api/v1/organisations?limit=2&offset=1").json()
    assert body["count"] == Organisation.objects.count()
    assert len(body["items"]) == 2
    assert client.get("/api/v1/organisations?limit=1000").status_code == 422


def test_session_auth_requires_csrf_on_writes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people[Role.MEMBER_BUYER])
    assert client.get("/api/v1/me").status_code == 200
    assert _post(client, "/api/v1/tokens", {"name": "x"}).status_code == 403


def test_invitation_round_trip_through_the_api(world, token_for, django_capture_on_commit_callbacks):
    client = _client(token_for(Role.APPROVER))
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            "/api/v1/invitations",
            {"email": "Colleague@Example.org", "role": "member_buyer", "organisation_id": world.member.pk},
        )
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "colleague@example.org"
    token = mail.outbox[0].body.split("/invitations/")[1].split("/")[0]
    accepted = _post(
        Client(),
        "/api/v1/invitations/accept",
        {"token": token, "password": "a-long-new-password-9", "full_name": "Col League"},
    )
    assert accepted.status_code == 200, accepted.content
    assert AuditEvent.objects.filter(action="invitation.accept").exists()
    again = _post(
        Client(), "/api/v1/invitations/accept", {"token": token, "password": "a-long-new-password-9"}
    )
    assert again.status_code == 409


def test_token_create_shows_token_once(world, signed_in):
    client = signed_in(Role.MEMBER_BUYER)
    created = _post(client, "/api/v1/tokens", {"name": "Finance"})
    assert created.status_code == 201
    raw = created.json()["token"]
    listed = client.get("/api/v1/tokens").json()["items"]
    assert all("token" not in t for t in listed)
    assert _client(raw).get("/api/v1/me").status_code == 200


def test_request_id_is_returned_and_kept_in_audit(world, token_for):
    client = _client(token_for(Role.CONSORTIUM_ADMIN))
    response = client.patch(
        f"/api/v1/organisations/{world.member.pk}",
        data=json.dumps({"town": "Leek"}),
        content_type="application/json",
        HTTP_X_REQUEST_ID="trace-42",
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "trace-42"
    assert AuditEvent.objects.get(action="organisation.update").request_id == "trace-42"


def test_nul_characters_are_refused_with_a_message(world, token_for):
    client = _client(token_for(Role.CONSORTIUM_ADMIN))
    response = client.get("/api/v1/people?search=a%00b")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_openapi_and_docs_are_served():
    client = Client()
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Consortium API"
    assert client.get("/api/v1/docs").status_code == 200
