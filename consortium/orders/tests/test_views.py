"""The basket and order pages read their input with the API's schemas."""

from __future__ import annotations

import pytest
from django.test import Client

from consortium.orders import services
from consortium.orders.models import BasketLine, Order
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


def _client(world, role):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.people[role])
    return client


def test_a_basket_with_bad_lines_names_each_item_keeps_what_was_typed_and_changes_nothing(world, market):
    buyer = world.actor(Role.MEMBER_BUYER)
    paper = services.basket_add(actor=buyer, item_id=market.paper.pk, quantity=2)
    pens = services.basket_add(actor=buyer, item_id=market.pens.pk, quantity=1)
    page = _client(world, Role.MEMBER_BUYER).post(
        "/basket/",
        {
            f"quantity_{paper.pk}": "ten",
            f"quantity_{pens.pk}": "5",
            f"cost_centre_{pens.pk}": "X" * 41,
            "action": "checkout",
            "delivery_address": "",
            "checkout_key": "k1",
        },
    )
    body = page.content.decode()
    assert page.status_code == 400
    assert (
        f'href="#quantity_{paper.pk}"' in body
        and f"{market.paper.name}: Quantity must be a whole number" in body
    )
    assert f"{market.pens.name}: Cost centre must be 40 characters or fewer" in body
    assert (
        'href="#delivery_address"' in body
        and 'value="ten"' in body
        and f'id="quantity_{paper.pk}-error"' in body
    )
    # Nothing changed: the good line was not saved either, and no order was placed.
    assert BasketLine.objects.get(pk=pens.pk).quantity == 1 and not Order.objects.exists()


def test_an_approval_threshold_is_read_as_pounds(world):
    approver = _client(world, Role.APPROVER)
    assert approver.post("/approval-rules/", {"threshold": "£1,500"}).status_code == 302
    page = approver.post("/approval-rules/", {"threshold": "lots"})
    body = page.content.decode()
    assert (
        page.status_code == 400 and "Approval threshold must be a number" in body and 'value="lots"' in body
    )
