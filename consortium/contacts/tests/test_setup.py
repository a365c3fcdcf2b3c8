"""Queues, agents and rules as a supervisor keeps them: validated, warned, tried out."""

from __future__ import annotations

import pytest

from consortium.contacts.models import EscalationStep
from consortium.contacts.tests.factories import PlatformClient, centre, queue_in
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


def rule(**values):  # type: ignore[no-untyped-def]
    data = {"order": 50, "name": "Test rule"}
    data.update(values)
    return data


def test_a_rule_with_a_loop_or_no_queue_is_refused_naming_the_field(world, signed_in):
    c = centre(world)
    admin = signed_in(Role.CONSORTIUM_ADMIN)
    r = admin.post(
        "/api/v1/contact-routing/rules",
        rule(
            queue_id=c.main.pk,
            steps=[
                {"after_seconds": 30, "queue_id": c.switchboard.pk},
                {"after_seconds": 60, "queue_id": c.main.pk},
            ],
        ),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "steps"
    r = admin.post("/api/v1/contact-routing/rules", rule(), content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "queue_id"
    assert EscalationStep.objects.count() == 1  # the factory's only


def test_a_rule_to_a_queue_nobody_works_is_saved_with_a_warning(world, signed_in):
    from consortium.contacts import services

    centre(world)
    empty = services.queue_save(
        actor=world.actor(Role.CONSORTIUM_ADMIN),
        data=queue_in(code="empty", name="Empty queue", partner_id=world.member.pk),
    )
    r = signed_in(Role.CONSORTIUM_ADMIN).post(
        "/api/v1/contact-routing/rules",
        rule(queue_id=empty.pk, required_skill="welsh"),
        content_type="application/json",
    )
    assert r.status_code == 201
    assert r.json()["warnings"] == ["Empty queue has no agents: contacts routed there wait until it has"]


def test_a_rule_change_routes_the_next_contact_at_once(world, signed_in):
    c = centre(world)
    admin = signed_in(Role.CONSORTIUM_ADMIN)
    r = admin.post(
        "/api/v1/contact-routing/rules",
        rule(order=1, name="Chat to switchboard", channels=["chat"], queue_id=c.switchboard.pk),
        content_type="application/json",
    )
    assert r.status_code == 201
    assert PlatformClient(c).inbound(channel="chat", menu="1").json()["queue"] == "switchboard"


def test_what_would_happen_explains_the_decision(world, signed_in):
    c = centre(world)
    r = signed_in(Role.CONSORTIUM_ADMIN).post(
        "/api/v1/contact-routing/what-if",
        {"channel": "phone", "reference": c.citizen.request.reference},
        content_type="application/json",
    )
    out = r.json()
    assert out["queue"] == "Member's contact team" and out["priority"] == 5
    assert out["open_request"] == c.citizen.request.reference
    assert out["trace"][0].startswith("Callers with an open request: applies")


def test_the_area_comes_from_the_citizen_services_routing_table(world, signed_in):
    c = centre(world)
    out = (
        signed_in(Role.CONSORTIUM_ADMIN)
        .post(
            "/api/v1/contact-routing/what-if",
            {"channel": "phone", "postcode": "WS11 1BG", "service_code": c.citizen.service.code},
            content_type="application/json",
        )
        .json()
    )
    assert out["area_partner"] == world.member.name and out["service"] == c.citizen.service.name


def test_queue_and_agent_validation(world, signed_in):
    c = centre(world)
    admin = signed_in(Role.CONSORTIUM_ADMIN)
    r = admin.post(
        "/api/v1/contact-routing/queues",
        {
            "code": "member-main",
            "name": "Clash",
            "partner_id": world.member.pk,
            "opening_hours": {"mon": {"opens": "17:00", "closes": "09:00"}},
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and "close after it opens" in r.json()["errors"][0]["message"]
    r = admin.put(
        "/api/v1/contact-routing/agents",
        {"person_id": world.people[Role.MEMBER_BUYER].pk},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "person_id"
    r = admin.put(
        "/api/v1/contact-routing/agents",
        {"person_id": world.people[Role.PARTNER_OFFICER].pk, "skills": {"Welsh!": 9}},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert c.agent.skills == {"bins": 4}


def test_figures_for_the_supervisor_and_the_partner(world, signed_in):
    c = centre(world)
    platform = PlatformClient(c)
    out = platform.inbound(menu="1").json()
    platform.event(out["reference"], "answered")
    platform.inbound(menu="1")
    figures = signed_in(Role.CONSORTIUM_ADMIN).get("/api/v1/contact-routing/figures").json()
    main = next(q for q in figures["queues"] if q["queue"] == "member-main")
    assert main["offered"] == 2 and main["answered"] == 1 and main["waiting"] == 1
    assert main["answered_in_target_percent"] == 100.0 and main["agents"] == {"busy": 1}
    own = signed_in(Role.PARTNER_OFFICER).get("/api/v1/contact-routing/figures").json()
    assert {q["queue"] for q in own["queues"]} == {"member-main", "switchboard"}
    assert signed_in(Role.MEMBER_BUYER).get("/api/v1/contact-routing/figures").status_code == 403
