"""A contact's life through the integration API and the agent's console, and the API's
refusals: unsigned, tampered, replayed, reused keys."""

from __future__ import annotations

import json
import time

import pytest

from consortium.citizen.constants import Channel, UpdateKind
from consortium.citizen.models import RequestUpdate, ServiceRequest
from consortium.contacts import services
from consortium.contacts.constants import ContactStatus
from consortium.contacts.models import Contact
from consortium.contacts.schemas import WrapUpIn
from consortium.contacts.tests.factories import PlatformClient, centre
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


def test_a_call_is_routed_offered_answered_ended_and_wrapped_up(world, signed_in):
    c = centre(world)
    platform = PlatformClient(c)
    r = platform.inbound(caller="01785 276000", dialled="0300 111 8000", menu="1")
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["queue"] == "member-main" and out["status"] == "offered"
    assert out["agent"]["endpoint"] == "sip:officer@member.example"
    reference = out["reference"]
    assert platform.event(reference, "answered").json()["status"] == "answered"
    officer = signed_in(Role.PARTNER_OFFICER)
    console = officer.get("/api/v1/contact-routing/console").json()
    assert console["state"] == "busy"
    [held] = console["contacts"]
    assert held["caller"] == "01785 276000"  # the agent holding it sees the number
    assert platform.event(reference, "ended").json()["status"] == "wrap_up"
    r = officer.post(
        f"/api/v1/contact-routing/contacts/{held['id']}/wrap-up",
        {"outcome": "resolved", "demand": "value", "notes": "Told them the collection day"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    contact = Contact.objects.get(reference=reference)
    assert contact.status == ContactStatus.DONE and contact.demand == "value"
    assert contact.wait_seconds is not None and contact.handle_seconds is not None


def test_quoting_a_reference_reaches_the_cases_partner_first_with_priority(world):
    c = centre(world)
    request = c.citizen.request
    ServiceRequest.objects.filter(pk=request.pk).update(assigned_to=world.people[Role.PARTNER_OFFICER])
    out = PlatformClient(c).inbound(reference=request.reference, menu="3").json()
    assert out["queue"] == "member-main" and out["priority"] == 5
    contact = Contact.objects.get(reference=out["reference"])
    assert contact.service_request_id == request.pk and contact.preferred_agent_id == c.agent.pk


def test_a_known_callers_number_finds_their_open_request(world):
    c = centre(world)
    ServiceRequest.objects.filter(pk=c.citizen.request.pk).update(
        phone="01785 276000", phone_key="+441785276000"
    )
    out = PlatformClient(c).inbound(caller="+44 1785 276000").json()
    assert out["priority"] == 5
    assert Contact.objects.get(reference=out["reference"]).service_request_id == c.citizen.request.pk


def test_an_agent_gets_no_more_than_their_capacity_and_the_next_waits(world, signed_in):
    c = centre(world)
    platform = PlatformClient(c)
    first = platform.inbound(menu="1").json()
    second = platform.inbound(menu="1").json()
    assert first["status"] == "offered" and second["status"] == "waiting" and second["agent"] is None
    platform.event(first["reference"], "answered")
    platform.event(first["reference"], "ended")
    officer = signed_in(Role.PARTNER_OFFICER)
    held = Contact.objects.get(reference=first["reference"])
    officer.post(
        f"/api/v1/contact-routing/contacts/{held.pk}/wrap-up",
        {"outcome": "resolved", "demand": "failure", "failure_type": "chasing"},
        content_type="application/json",
    )
    # Wrap-up recorded: the agent is free and the waiting call is theirs at the next poll.
    assert (
        platform.get(f"/api/v1/contact-routing/inbound/{second['reference']}").json()["status"] == "offered"
    )


def test_a_missed_offer_puts_the_agent_on_a_break_and_the_contact_back(world):
    c = centre(world)
    platform = PlatformClient(c)
    out = platform.inbound(menu="1").json()
    back = platform.event(out["reference"], "missed").json()
    assert back["status"] == "waiting"
    c.agent.refresh_from_db()
    assert c.agent.state == "break"


def test_abandoned_and_not_routed(world):
    c = centre(world)
    platform = PlatformClient(c)
    c.agent.state = "offline"
    c.agent.save()
    out = platform.inbound(menu="1").json()
    assert platform.event(out["reference"], "abandoned").json()["status"] == "abandoned"
    # Every rule off: nothing routes.
    for rule in c.rules:
        services.rule_delete(actor=world.actor(Role.CONSORTIUM_ADMIN), rule=rule)
    assert platform.inbound().json()["status"] == "not_routed"


def test_escalation_widens_the_queue_after_the_wait(world):
    c = centre(world)
    c.agent.memberships.filter(queue=c.switchboard).delete()
    platform = PlatformClient(c)
    out = platform.inbound(menu="9").json()
    assert out["queue"] == "switchboard" and out["status"] == "waiting"
    contact = Contact.objects.get(reference=out["reference"])
    Contact.objects.filter(pk=contact.pk).update(
        arrived_at=contact.arrived_at - __import__("datetime").timedelta(seconds=31),
        next_escalation_at=contact.arrived_at,
    )
    polled = platform.get(f"/api/v1/contact-routing/inbound/{out['reference']}").json()
    assert polled["status"] == "offered" and polled["agent"]["id"] == c.agent.pk


def test_wrap_up_creates_a_service_request_confirmed_at_once(world, mailoutbox):
    c = centre(world)
    platform = PlatformClient(c)
    out = platform.inbound(menu="1", caller="07700 900123").json()
    platform.event(out["reference"], "answered")
    contact = Contact.objects.get(reference=out["reference"])
    wrapped = services.contact_wrap_up(
        actor=world.actor(Role.PARTNER_OFFICER),
        contact=contact,
        data=WrapUpIn.model_validate(
            {
                "outcome": "request_created",
                "demand": "value",
                "service_code": c.citizen.service.code,
                "description": "Missed bin on Church Street",
                "postcode": "WS11 1BG",
                "email": "caller@example.org",
                "attributes": {"bin-type": "general"},
            }
        ),
    )
    request = wrapped.service_request
    assert request is not None and request.reference and request.channel == Channel.PHONE
    assert request.phone_key == "+447700900123"
    assert not any("Confirm your report" in m.subject for m in mailoutbox)


def test_wrap_up_records_the_contact_on_the_callers_request(world):
    c = centre(world)
    platform = PlatformClient(c)
    out = platform.inbound(reference=c.citizen.request.reference).json()
    platform.event(out["reference"], "answered")
    services.contact_wrap_up(
        actor=world.actor(Role.PARTNER_OFFICER),
        contact=Contact.objects.get(reference=out["reference"]),
        data=WrapUpIn.model_validate(
            {"outcome": "request_updated", "demand": "failure", "failure_type": "chasing", "notes": "Chasing"}
        ),
    )
    update = RequestUpdate.objects.filter(request=c.citizen.request, kind=UpdateKind.CITIZEN).last()
    assert update is not None and update.channel == Channel.PHONE and update.failure_type == "chasing"


# --- refusals ---------------------------------------------------------------------------------


def test_unsigned_tampered_stale_and_unknown_requests_are_refused_with_a_reason(world, client):
    c = centre(world)
    path = "/api/v1/contact-routing/inbound"
    r = client.post(path, {"channel": "phone"}, content_type="application/json")
    assert r.status_code == 401 and "X-Consortium-Platform" in r.json()["detail"]
    platform = PlatformClient(c)
    body = json.dumps({"channel": "phone"}).encode()
    h = platform._headers("POST", path, body, "key-1")
    tampered = client.post(path, json.dumps({"channel": "chat"}), content_type="application/json", headers=h)
    assert tampered.status_code == 401 and "signature" in tampered.json()["detail"]
    stale = platform.post(path, {"channel": "phone"}, stamp=int(time.time()) - 3600)
    assert stale.status_code == 401 and "timestamp" in stale.json()["detail"]
    h["X-Consortium-Platform"] = "plat_nobody"
    assert client.post(path, body, content_type="application/json", headers=h).status_code == 401
    # Signed for one contact, pointed at another: the path is signed too.
    out = platform.inbound(menu="1").json()
    event_body = json.dumps({"kind": "abandoned"}).encode()
    h = platform._headers(
        "POST", f"/api/v1/contact-routing/inbound/{out['reference']}/events", event_body, "k-x"
    )
    moved = client.post(
        "/api/v1/contact-routing/inbound/CT-2026-0000000/events",
        event_body,
        content_type="application/json",
        headers=h,
    )
    assert moved.status_code == 401
    c.platform.active = False
    c.platform.save()
    assert platform.inbound().status_code == 401


def test_a_retry_changes_nothing_and_a_reused_key_is_refused(world):
    c = centre(world)
    platform = PlatformClient(c)
    first = platform.post("/api/v1/contact-routing/inbound", {"channel": "phone", "menu": "1"}, key="call-42")
    again = platform.post("/api/v1/contact-routing/inbound", {"channel": "phone", "menu": "1"}, key="call-42")
    assert first.json() == again.json()
    assert Contact.objects.count() == 1
    other = platform.post("/api/v1/contact-routing/inbound", {"channel": "chat"}, key="call-42")
    assert other.status_code == 409
    missing = platform.post("/api/v1/contact-routing/inbound", {"channel": "phone"}, key="")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "Idempotency-Key"


def test_malformed_events_are_refused_naming_the_field(world):
    c = centre(world)
    platform = PlatformClient(c)
    out = platform.inbound(menu="1").json()
    r = platform.event(out["reference"], "exploded")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"
    r = platform.event(out["reference"], "ended")  # offered, not answered: ends as abandoned
    assert r.json()["status"] == "abandoned"
    assert platform.event(out["reference"], "answered").status_code == 409


def test_an_agent_cannot_write_onto_another_partners_request_by_typing_its_reference(world):
    from consortium.citizen.models import ServiceRequest as SR

    c = centre(world)
    SR.objects.filter(pk=c.citizen.request.pk).update(handled_by=world.other_member)
    platform = PlatformClient(c)
    out = platform.inbound(menu="1").json()
    platform.event(out["reference"], "answered")
    with pytest.raises(Exception, match="Name the service request"):
        services.contact_wrap_up(
            actor=world.actor(Role.PARTNER_OFFICER),
            contact=Contact.objects.get(reference=out["reference"]),
            data=WrapUpIn.model_validate(
                {
                    "outcome": "request_updated",
                    "demand": "value",
                    "request_reference": c.citizen.request.reference,
                }
            ),
        )
