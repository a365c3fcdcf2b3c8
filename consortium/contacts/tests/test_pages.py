"""The pages: the console works a contact end to end, forms keep what was typed on errors,
the supervisor's figures and export, the rules page's "what would happen"."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from consortium.contacts.models import Contact, Platform, Rule
from consortium.contacts.tests.factories import PlatformClient, centre
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


def test_the_console_works_a_contact_from_offer_to_wrap_up(world, signed_in):
    c = centre(world)
    out = PlatformClient(c).inbound(channel="chat", caller="resident@example.org", menu="1").json()
    officer = signed_in(Role.PARTNER_OFFICER)
    page = officer.get("/contact-centre/console/").content.decode()
    assert out["reference"] in page and "resident@example.org" not in page  # masked until accepted
    contact = Contact.objects.get(reference=out["reference"])
    r = officer.post("/contact-centre/console/", {"action": "accept", "contact_id": contact.pk})
    assert r.status_code == 302
    page = officer.get("/contact-centre/console/").content.decode()
    assert "resident@example.org" in page and c.citizen.request.reference not in page
    # A wrap-up with a mistake keeps what was typed and names the field.
    r = officer.post(
        "/contact-centre/console/",
        {
            "action": "wrap_up",
            "contact_id": contact.pk,
            "outcome": "resolved",
            "demand": "failure",
            "notes": "Chased the bin",
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "Choose the kind of failure demand" in body and "Chased the bin" in body
    r = officer.post(
        "/contact-centre/console/",
        {
            "action": "wrap_up",
            "contact_id": contact.pk,
            "outcome": "resolved",
            "demand": "failure",
            "failure_type": "chasing",
            "notes": "Chased the bin",
        },
    )
    assert r.status_code == 302
    assert Contact.objects.get(pk=contact.pk).status == "done"


def test_the_panel_polls_only_while_nothing_is_being_worked(world, signed_in):
    c = centre(world)
    officer = signed_in(Role.PARTNER_OFFICER)
    assert 'hx-trigger="every 5s"' in officer.get("/contact-centre/console/panel/").content.decode()
    out = PlatformClient(c).inbound(menu="1").json()
    PlatformClient(c).event(out["reference"], "answered")
    assert "every 5s" not in officer.get("/contact-centre/console/panel/").content.decode()


def test_someone_who_is_not_an_agent_is_told_so(world, signed_in):
    centre(world)
    assert signed_in(Role.CONSORTIUM_ADMIN).get("/contact-centre/console/").status_code == 403


def test_figures_page_and_export(world, signed_in):
    c = centre(world)
    PlatformClient(c).inbound(menu="1", caller="=HYPERLINK(1)")
    admin = signed_in(Role.CONSORTIUM_ADMIN)
    page = admin.get("/contact-centre/").content.decode()
    assert "Member&#x27;s contact team" in page or "Member's contact team" in page
    r = admin.get("/contact-centre/?format=xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    queues = wb["Queues"]
    assert queues.cell(row=2, column=1).value == "Queue"
    assert queues.cell(row=queues.max_row, column=1).value == "Total"
    assert isinstance(wb["By day"].cell(row=3, column=1).value, __import__("datetime").datetime)


def test_rule_form_keeps_input_and_what_if_answers(world, signed_in):
    c = centre(world)
    admin = signed_in(Role.CONSORTIUM_ADMIN)
    r = admin.post(
        "/contact-centre/rules/",
        {
            "form": "rule",
            "order": "5",
            "name": "Welsh speakers",
            "language": "cy",
            "channels": ["phone", "chat"],
            "route_to": "queue",
            "step_after_1": "abc",
            "step_queue_1": str(c.switchboard.pk),
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    # What was typed is kept, and the error names the step.
    assert "Welsh speakers" in body
    assert "must be a whole number" in body
    assert (
        'value="cy" selected' in body and 'value="phone" checked' in body and 'value="chat" checked' in body
    )
    r = admin.post(
        "/contact-centre/rules/",
        {
            "form": "rule",
            "order": "5",
            "name": "Welsh speakers",
            "language": "cy",
            "channels": ["phone"],
            "route_to": "queue",
            "queue_id": str(c.main.pk),
            "required_skill": "welsh",
        },
    )
    assert r.status_code == 302
    rule = Rule.objects.get(name="Welsh speakers")
    assert rule.language == "cy" and rule.channels == ["phone"]
    r = admin.post("/contact-centre/rules/", {"form": "what_if", "channel": "phone", "language": "cy"})
    body = r.content.decode()
    assert "Welsh speakers: applies" in body
    edit = admin.get(f"/contact-centre/rules/{rule.pk}/").content.decode()
    assert 'value="welsh"' in edit
    r = admin.post(f"/contact-centre/rules/{rule.pk}/", {"action": "delete"})
    assert r.status_code == 302 and not Rule.objects.filter(pk=rule.pk).exists()


def test_queue_and_agent_forms(world, signed_in):
    centre(world)
    admin = signed_in(Role.CONSORTIUM_ADMIN)
    r = admin.post(
        "/contact-centre/queues/",
        {
            "form": "queue",
            "code": "Bad Code",
            "name": "Evening line",
            "partner_id": str(world.member.pk),
            "opens_mon": "18:00",
            "closes_mon": "08:00",
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "Evening line" in body and "18:00" in body
    r = admin.post(
        "/contact-centre/queues/",
        {
            "form": "queue",
            "code": "evening",
            "name": "Evening line",
            "partner_id": str(world.member.pk),
            "opens_mon": "17:00",
            "closes_mon": "22:00",
            "strategy": "round_robin",
        },
    )
    assert r.status_code == 302
    r = admin.post(
        "/contact-centre/queues/",
        {
            "form": "agent",
            "person_id": str(world.people[Role.PARTNER_OFFICER].pk),
            "skills": "welsh:5, bins:2",
            "capacity_chat": "4",
        },
    )
    assert r.status_code == 302
    agent = world.people[Role.PARTNER_OFFICER].agent
    agent.refresh_from_db()
    assert agent.skills == {"welsh": 5, "bins": 2} and agent.capacity == {"chat": 4}


def test_a_platforms_secret_is_shown_once_and_never_stored_plain(world, signed_in):
    centre(world)
    admin = signed_in(Role.CONSORTIUM_ADMIN)
    r = admin.post("/contact-centre/platforms/", {"name": "Chat widget"})
    platform = Platform.objects.get(name="Chat widget")
    body = r.content.decode()
    assert platform.key_id in body
    secret = body.split("Shared secret: <code>")[1].split("</code>")[0]
    assert secret not in platform.sealed_secret
    assert secret not in admin.get("/contact-centre/platforms/").content.decode()


def test_the_consoles_poll_offers_waiting_work_to_a_free_agent(world, signed_in):
    c = centre(world)
    c.agent.state = "offline"
    c.agent.save()
    out = PlatformClient(c).inbound(channel="email", menu="1").json()
    assert out["status"] == "waiting"
    type(c.agent).objects.filter(pk=c.agent.pk).update(state="available")
    panel = signed_in(Role.PARTNER_OFFICER).get("/contact-centre/console/panel/").content.decode()
    assert out["reference"] in panel
    assert Contact.objects.get(reference=out["reference"]).status == "offered"
