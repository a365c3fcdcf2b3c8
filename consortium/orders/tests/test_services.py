from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core import mail

from consortium.catalogue import selectors as catalogue
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.orders import services
from consortium.orders.constants import ORDER_ACTIONS, ORDER_TRANSITIONS, OrderStatus
from consortium.orders.models import BasketLine, Order, OrderEvent
from consortium.organisations.constants import Role
from consortium.organisations.permissions import Permission

pytestmark = pytest.mark.django_db
S = OrderStatus


def _checkout(world, key="k1", actor_role=Role.MEMBER_BUYER):
    return services.checkout(
        actor=world.actor(actor_role), checkout_key=key, delivery_address="Moorside, Leek"
    )


def test_search_shows_only_what_the_member_may_buy(world, market):
    buyer = world.actor(Role.MEMBER_BUYER)
    names = {i.name for i in catalogue.search_for(buyer, "", catalogue.Filters(), limit=50).items}
    assert names == {"Recycled copier paper A4", "Blue ballpoint pens", "Refurbished laptop", "Sticky notes"}
    assert market.secret.name not in names
    with pytest.raises(PermissionDenied):
        catalogue.search_for(world.actor(Role.SUPPLIER_USER), "", catalogue.Filters())


def test_search_ranks_tolerates_typos_and_counts_facets(world, market):
    buyer = world.actor(Role.MEMBER_BUYER)
    result = catalogue.search_for(buyer, "copier paper", catalogue.Filters())
    assert result.items[0] == market.paper
    typo = catalogue.search_for(buyer, "copeir", catalogue.Filters())
    assert market.paper in typo.items
    facets = catalogue.search_for(buyer, "", catalogue.Filters()).facets
    assert {f["value"]: f["count"] for f in facets["category"]} == {"stationery": 3, "ict": 1}
    assert facets["eco_label"][0]["count"] == 1
    cheapest = catalogue.search_for(buyer, "", catalogue.Filters(), sort="price").items[0]
    assert cheapest == market.notes


def test_a_part_word_finds_what_it_begins_only_when_whole_words_find_nothing(world, market):
    buyer = world.actor(Role.MEMBER_BUYER)
    assert catalogue.search_for(buyer, "ballpo", catalogue.Filters()).items == [market.pens]
    assert catalogue.search_for(buyer, "sticky", catalogue.Filters()).items == [market.notes]


def test_a_broad_search_ranks_a_bounded_set_but_counts_facets_and_sorts_over_every_match(
    world, market, monkeypatch
):
    buyer = world.actor(Role.MEMBER_BUYER)
    monkeypatch.setattr(catalogue, "CANDIDATES", 2)
    result = catalogue.search_for(buyer, "", catalogue.Filters())
    assert result.count == 4 and not result.count_is_capped
    assert {f["value"]: f["count"] for f in result.facets["category"]} == {"stationery": 3, "ict": 1}
    assert catalogue.search_for(buyer, "", catalogue.Filters(), sort="price").items[0] == market.notes
    narrowed = catalogue.search_for(buyer, "", catalogue.Filters(category="ict"))
    assert (narrowed.count, narrowed.count_is_capped) == (1, False)


def test_names_rank_above_descriptions_and_price_per_item_compares_packs(world, market):
    from consortium.catalogue.models import CatalogueItem

    buyer = world.actor(Role.MEMBER_BUYER)
    towels = CatalogueItem.objects.create(
        supplier=world.supplier,
        lot=market.lot,
        supplier_code="T-1",
        name="Paper towels",
        category="cleaning",
        description="Paper hand towels, paper dispenser fit",
        unit_price=D("9.00"),
        pack_size=100,
        valid_from=market.paper.valid_from,
    )
    ranked = catalogue.search_for(buyer, "paper", catalogue.Filters()).items
    assert ranked.index(market.paper) < ranked.index(towels)
    assert catalogue.name_score("Recycled copier paper A4", ["paper"]) == 2
    assert catalogue.name_score("Paper towels", ["paper"]) == 1
    assert catalogue.name_score("Hand towels", ["paper"]) == 0
    assert towels.price_each == D("0.09")
    by_item = catalogue.search_for(buyer, "", catalogue.Filters(), sort="unit_price").items
    assert by_item[0] == towels


def test_a_corrected_search_says_what_it_searched_in_words(world, market):
    buyer = world.actor(Role.MEMBER_BUYER)
    result = catalogue.search_for(buyer, "recylced paper", catalogue.Filters())
    assert market.paper in result.items
    assert result.showing_results_for == "recycled paper"
    assert catalogue.search_for(buyer, "recycled paper", catalogue.Filters()).showing_results_for == ""


def test_checkout_splits_by_supplier_and_is_idempotent(world, market, django_capture_on_commit_callbacks):
    buyer = world.actor(Role.MEMBER_BUYER)
    services.basket_add(actor=buyer, item_id=market.paper.pk, quantity=10, cost_centre="SCI-01")
    services.basket_add(actor=buyer, item_id=market.pens.pk, quantity=4)
    services.basket_add(actor=buyer, item_id=market.notes.pk, quantity=3)
    with django_capture_on_commit_callbacks(execute=True):
        orders = _checkout(world)
    assert len(orders) == 2
    by_supplier = {o.supplier_id: o for o in orders}
    ours = by_supplier[world.supplier.pk]
    assert (ours.subtotal, ours.vat, ours.total) == (D("60.00"), D("12.00"), D("72.00"))
    assert ours.status == S.SENT
    assert ours.lines.get(name="Recycled copier paper A4").cost_centre == "SCI-01"
    assert not BasketLine.objects.filter(person=buyer.person).exists()
    assert {m.to[0] for m in mail.outbox} == {"supplier_user@example.org", "rival@example.org"}
    # The same checkout again (a double click): the same orders, nothing new.
    again = _checkout(world)
    assert [o.pk for o in again] == [o.pk for o in orders]
    assert Order.objects.count() == 2
    assert len({o.reference for o in orders}) == 2


def test_orders_over_the_threshold_wait_for_the_approver(world, market, django_capture_on_commit_callbacks):
    services.basket_add(actor=world.actor(Role.MEMBER_BUYER), item_id=market.laptop.pk, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        [order] = _checkout(world)
    assert order.status == S.AWAITING_APPROVAL
    assert mail.outbox[0].to == ["approver@example.org"]
    with pytest.raises(PermissionDenied):
        services.order_step(actor=world.actor(Role.MEMBER_BUYER), order=order, to=S.APPROVED)
    with pytest.raises(ValidationFailed):
        services.order_step(actor=world.actor(Role.APPROVER), order=order, to=S.REJECTED)
    services.order_step(actor=world.actor(Role.APPROVER), order=order, to=S.APPROVED)
    order.refresh_from_db()
    assert order.status == S.SENT
    assert list(OrderEvent.objects.filter(order=order).values_list("to_status", flat=True)) == [
        S.SUBMITTED,
        S.AWAITING_APPROVAL,
        S.APPROVED,
        S.SENT,
    ]


def test_whole_lifecycle_with_part_delivery(world, market):
    services.basket_add(actor=world.actor(Role.MEMBER_BUYER), item_id=market.pens.pk, quantity=10)
    [order] = _checkout(world)
    supplier = world.actor(Role.SUPPLIER_USER)
    services.order_step(actor=supplier, order=order, to=S.ACKNOWLEDGED)
    services.order_step(actor=supplier, order=order, to=S.DISPATCHED)
    line = order.lines.get()
    buyer = world.actor(Role.MEMBER_BUYER)
    with pytest.raises(ValidationFailed):
        services.order_step(actor=buyer, order=order, to=S.DELIVERED, delivered={line.pk: 11})
    services.order_step(actor=buyer, order=order, to=S.DELIVERED, delivered={line.pk: 4})
    order.refresh_from_db()
    assert order.status == S.PART_DELIVERED
    services.order_step(actor=buyer, order=order, to=S.DELIVERED, delivered={line.pk: 6})
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    services.order_step(actor=buyer, order=order, to=S.CLOSED)
    with pytest.raises(Conflict):
        services.order_step(actor=buyer, order=order, to=S.CANCELLED, reason="late")


@pytest.mark.parametrize("start", list(OrderStatus))
@pytest.mark.parametrize("action", list(ORDER_ACTIONS))
def test_every_action_is_allowed_or_refused_as_the_table_says(world, market, start, action):
    services.basket_add(actor=world.actor(Role.MEMBER_BUYER), item_id=market.pens.pk, quantity=1)
    [order] = _checkout(world, key=f"{start}-{action}")
    Order.objects.filter(pk=order.pk).update(status=start)
    order.refresh_from_db()
    step = ORDER_ACTIONS[action]
    role = {
        Permission.ORDERS_APPROVE: Role.APPROVER,
        Permission.ORDERS_FULFIL: Role.SUPPLIER_USER,
    }.get(step.permission, Role.MEMBER_BUYER)
    if start in step.from_states:
        services.order_act(actor=world.actor(role), order=order, action=action, reason="because")
        order.refresh_from_db()
        assert order.status in (step.to, S.SENT if step.to == S.APPROVED else step.to)
    else:
        with pytest.raises(Conflict):
            services.order_act(actor=world.actor(role), order=order, action=action, reason="because")


def test_every_action_follows_the_status_graph():
    for name, step in ORDER_ACTIONS.items():
        for start in step.from_states:
            assert step.to in ORDER_TRANSITIONS[start] or (
                name == "record_delivery" and S.PART_DELIVERED in ORDER_TRANSITIONS[start]
            ), (name, start)


def test_the_page_offers_exactly_the_actions_the_table_allows(world, market, signed_in):
    services.basket_add(actor=world.actor(Role.MEMBER_BUYER), item_id=market.laptop.pk, quantity=2)
    [order] = _checkout(world, key="page")
    assert order.status == S.AWAITING_APPROVAL
    page = signed_in(Role.APPROVER).get(f"/orders/{order.pk}/").content.decode()
    assert 'value="approve"' in page and 'value="reject"' in page and 'value="dispatch"' not in page
    buyer_page = signed_in(Role.MEMBER_BUYER).get(f"/orders/{order.pk}/").content.decode()
    assert 'value="approve"' not in buyer_page and 'value="cancel"' in buyer_page
    response = signed_in(Role.APPROVER).post(f"/orders/{order.pk}/", {"action": "approve"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == S.SENT


def test_members_cannot_see_or_buy_each_others(world, market):
    with pytest.raises(NotFound):
        services.basket_add(actor=world.actor(Role.MEMBER_BUYER), item_id=market.secret.pk)
    services.basket_add(actor=world.actor(Role.MEMBER_BUYER), item_id=market.pens.pk)
    [order] = _checkout(world)
    from consortium.orders.selectors import order_list_for
    from consortium.organisations.acting import actor_for

    outsider = actor_for(world.outsider)
    assert order not in order_list_for(outsider)
    assert order in order_list_for(world.actor(Role.SUPPLIER_USER))
    rival = actor_for(world.other_supplier.role_assignments.get().person)
    assert order not in order_list_for(rival)


def test_checkout_refuses_bad_input_and_keeps_the_basket(world, market):
    buyer = world.actor(Role.MEMBER_BUYER)
    with pytest.raises(ValidationFailed) as exc:
        services.checkout(actor=buyer, checkout_key="x", delivery_address="  ")
    assert "delivery_address" in exc.value.field_errors
    with pytest.raises(ValidationFailed, match="empty"):
        services.checkout(actor=buyer, checkout_key="x", delivery_address="Leek")
    market.pens.minimum_order = 5
    market.pens.save()
    line = services.basket_add(actor=buyer, item_id=market.pens.pk, quantity=2)
    with pytest.raises(ValidationFailed) as exc:
        services.checkout(actor=buyer, checkout_key="x", delivery_address="Leek")
    assert f"quantity_{line.pk}" in exc.value.field_errors
    assert BasketLine.objects.filter(pk=line.pk).exists() and not Order.objects.exists()


def test_variants_of_one_product_show_once_with_the_others_beside_them(world, market, signed_in):
    from consortium.catalogue.models import CatalogueItem

    buyer = world.actor(Role.MEMBER_BUYER)
    CatalogueItem.objects.filter(pk=market.pens.pk).update(product_group="PEN", variant_label="Blue")
    black = CatalogueItem.objects.create(
        supplier=world.supplier,
        lot=market.lot,
        supplier_code="P-2K",
        name="Black ballpoint pens",
        category="stationery",
        unit_price=D("2.60"),
        valid_from=market.pens.valid_from,
        product_group="PEN",
        variant_label="Black",
    )
    result = catalogue.search_for(buyer, "ballpoint pens", catalogue.Filters())
    shown = [i for i in result.items if i.product_group == "PEN"]
    assert len(shown) == 1
    assert [v.variant_label for v in shown[0].variants] == (["Blue"] if shown[0] == black else ["Black"])
    page = signed_in(Role.MEMBER_BUYER).get("/marketplace/?q=ballpoint+pens").content.decode()
    assert "Also:" in page
