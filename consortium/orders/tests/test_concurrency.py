"""Many checkouts at once on PostgreSQL: unique references, no lost line, no double order."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from consortium.orders import services
from consortium.orders.models import Order, OrderLine
from consortium.organisations.acting import actor_for
from consortium.organisations.constants import Role
from consortium.organisations.tests.factories import PersonFactory, RoleAssignmentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]

BUYERS = 12


def test_concurrent_checkouts(world, market):
    actors = []
    for n in range(BUYERS):
        person = PersonFactory(email=f"buyer{n}@moorside.example")
        RoleAssignmentFactory(person=person, organisation=world.member, role=Role.MEMBER_BUYER)
        actor = actor_for(person, world.member.pk)
        services.basket_add(actor=actor, item_id=market.pens.pk, quantity=n + 1)
        services.basket_add(actor=actor, item_id=market.notes.pk, quantity=1)
        actors.append(actor)
    barrier = threading.Barrier(BUYERS + 2)
    errors: list[BaseException] = []

    def run(actor, key):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            services.checkout(actor=actor, checkout_key=key, delivery_address="Leek")
        except BaseException as e:
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a, f"key-{n}")) for n, a in enumerate(actors)]
    # The first buyer double-clicks: the same key twice more, at the same moment.
    threads += [threading.Thread(target=run, args=(actors[0], "key-0")) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    orders = Order.objects.all()
    assert orders.count() == BUYERS * 2  # one per supplier per buyer, none doubled
    references = list(orders.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    assert OrderLine.objects.count() == BUYERS * 2
    assert sum(
        OrderLine.objects.filter(name="Blue ballpoint pens").values_list("quantity", flat=True)
    ) == sum(range(1, BUYERS + 1))
