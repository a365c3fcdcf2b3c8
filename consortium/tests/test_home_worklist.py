"""The home page says what is waiting for each person, with counts, and every link opens."""

from __future__ import annotations

import re

import pytest

from consortium.orders import services as orders
from consortium.organisations.constants import Role
from consortium.tendering.tests.factories import pass_deadline, tender_at

pytestmark = pytest.mark.django_db


def _waiting(client) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    html = client.get("/").content.decode()
    section = html.split('id="waiting"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="([^"]+)"[^>]*>([^<]+)</a>', section)


def test_the_approver_is_told_how_many_orders_wait_and_the_link_shows_them(world, market, signed_in):
    buyer = world.actor(Role.MEMBER_BUYER)
    for key in ("a", "b"):
        orders.basket_add(actor=buyer, item_id=market.laptop.pk, quantity=2)
        orders.checkout(actor=buyer, checkout_key=key, delivery_address="Leek")
    approver = signed_in(Role.APPROVER)
    waiting = _waiting(approver)
    assert ("/orders/?status=awaiting_approval", "2 orders waiting for your approval") in waiting
    page = approver.get("/orders/?status=awaiting_approval").content.decode()
    assert page.count("Awaiting approval") >= 2
    # The buyer who placed them is not asked to approve them.
    assert not any("approval" in label for _, label in _waiting(signed_in(Role.MEMBER_BUYER)))


def test_evaluators_and_managers_see_their_procurement_work(world, signed_in):
    project = tender_at(world, "open")
    pass_deadline(project)
    manager = dict((label, url) for url, label in _waiting(signed_in(Role.CATEGORY_MANAGER)))
    assert manager.get("1 procurement past its deadline to open") == f"/tenders/{project.pk}/"
    scoring = tender_at(world, "evaluation", title="Furniture")
    evaluator = dict((label, url) for url, label in _waiting(signed_in(Role.EVALUATOR)))
    assert (
        evaluator.get("1 procurement asking for your conflict declaration")
        == f"/tenders/{scoring.pk}/evaluation/"
    )


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_waiting_link_opens_for_its_person(world, market, care, signed_in, role):
    client = signed_in(role)
    for url, label in _waiting(client):
        assert client.get(url).status_code == 200, (role, label, url)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_menu_offers_only_what_the_role_can_use(world, market, care, signed_in, role):
    client = signed_in(role)
    html = client.get("/").content.decode()
    menu = html.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'href="([^"]+)"', menu)
    assert links
    for url in links:
        assert client.get(url).status_code == 200, (role, url)
