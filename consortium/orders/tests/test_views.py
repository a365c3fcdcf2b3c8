"""The basket and order pages read their input with the API's schemas."""

from __future__ import annotations

from decimal import Decimal as D

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


def test_the_basket_shows_vat_by_rate_approval_and_checkout_says_what_happens_next(world, market, signed_in):
    from consortium.orders import selectors

    buyer = world.actor(Role.MEMBER_BUYER)
    services.basket_add(actor=buyer, item_id=market.paper.pk, quantity=10)
    services.basket_add(actor=buyer, item_id=market.laptop.pk, quantity=2)
    summary = selectors.basket_summary(buyer)
    assert (summary["subtotal"], summary["vat"], summary["total"]) == (D("950.00"), D("190.00"), D("1140.00"))
    assert summary["needs_approval"] and summary["approvers"] == [world.people[Role.APPROVER].full_name]
    client = signed_in(Role.MEMBER_BUYER)
    page = client.get("/basket/").content.decode()
    assert "VAT at 20%" in page and "£1,140.00" in page and "approval threshold" in page
    assert world.people[Role.APPROVER].full_name in page
    line = BasketLine.objects.filter(person=world.people[Role.MEMBER_BUYER]).first()
    response = client.post(
        "/basket/",
        {
            "action": "checkout",
            "checkout_key": "done-1",
            "delivery_address": "Leek",
            "notes": "",
            **{f"quantity_{ln.pk}": ln.quantity for ln in BasketLine.objects.all()},
        },
    )
    assert response.status_code == 302 and response["Location"] == "/basket/placed/done-1/"
    done = client.get("/basket/placed/done-1/").content.decode()
    assert "What happens next" in done and "approver has been e-mailed" in done
    assert signed_in(Role.APPROVER).get("/basket/placed/done-1/").status_code == 404
    assert line is not None


def test_the_order_list_filters_by_member_supplier_status_and_dates(world, market, signed_in):
    buyer = world.actor(Role.MEMBER_BUYER)
    services.basket_add(actor=buyer, item_id=market.paper.pk, quantity=1)
    services.basket_add(actor=buyer, item_id=market.notes.pk, quantity=1)
    services.checkout(actor=buyer, checkout_key="f1", delivery_address="Leek")
    client = signed_in(Role.CATEGORY_MANAGER)
    everything = client.get("/orders/").content.decode()
    assert "Placed by" in everything and "Member Buyer" in everything
    mine = client.get(f"/orders/?supplier={world.supplier.pk}").content.decode()
    assert "1 order," in mine
    assert "0 orders" in client.get("/orders/?from=1/1/2099").content.decode()
    bad = client.get("/orders/?from=not-a-date")
    assert bad.status_code == 400


def test_saved_lists_and_buy_again(world, market, signed_in):
    from consortium.catalogue.models import CatalogueItem
    from consortium.core.errors import NotFound, ValidationFailed
    from consortium.orders import selectors

    buyer = world.actor(Role.MEMBER_BUYER)
    saved = services.saved_list_create(actor=buyer, name="Monthly  stationery")
    assert saved.name == "Monthly stationery"
    with pytest.raises(ValidationFailed):
        services.saved_list_create(actor=world.actor(Role.APPROVER), name="monthly stationery")
    services.saved_list_put_item(actor=buyer, list_id=saved.pk, item_id=market.paper.pk, quantity=5)
    services.saved_list_put_item(actor=buyer, list_id=saved.pk, item_id=market.pens.pk, quantity=2)
    services.saved_list_put_item(actor=buyer, list_id=saved.pk, item_id=market.paper.pk, quantity=7)
    with pytest.raises(NotFound):
        services.saved_list_put_item(actor=buyer, list_id=saved.pk, item_id=market.secret.pk)
    # Shared with colleagues; another organisation cannot see or use it.
    assert selectors.saved_list_get_for(world.actor(Role.APPROVER), saved.pk).entries.count() == 2
    from consortium.organisations.acting import actor_for

    other = actor_for(world.outsider, world.other_member.pk)
    with pytest.raises(NotFound):
        services.saved_list_to_basket(actor=other, list_id=saved.pk)
    # An item that can no longer be bought is named and left out.
    CatalogueItem.objects.filter(pk=market.pens.pk).update(valid_to=market.pens.valid_from)
    client = signed_in(Role.MEMBER_BUYER)
    response = client.post(f"/lists/{saved.pk}/", {"action": "basket"}, follow=True)
    assert "No longer available, so left out: Blue ballpoint pens" in response.content.decode()
    assert BasketLine.objects.get(person=world.people[Role.MEMBER_BUYER]).quantity == 7
    services.checkout(actor=buyer, checkout_key="again", delivery_address="Leek")
    rows = selectors.buy_again_for(buyer)
    assert [(r["item"], r["times"], r["buyable"]) for r in rows] == [(market.paper, 1, True)]
    page = client.get("/buy-again/").content.decode()
    assert "Recycled copier paper A4" in page and "to Monthly stationery" in page
    assert "Save" in client.get(f"/marketplace/items/{market.paper.pk}/").content.decode()
    assert client.post(f"/lists/{saved.pk}/", {"action": "delete"}).status_code == 302


def test_a_tampered_checkout_key_still_lands_on_its_confirmation(world, market, signed_in):
    client = signed_in(Role.MEMBER_BUYER)
    services.basket_add(actor=world.actor(Role.MEMBER_BUYER), item_id=market.paper.pk, quantity=1)
    line = BasketLine.objects.get()
    response = client.post(
        "/basket/",
        {
            "action": "checkout",
            "checkout_key": "a/b?c#d",
            "delivery_address": "Leek",
            f"quantity_{line.pk}": 1,
        },
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
