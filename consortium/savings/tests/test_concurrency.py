"""Many people and the nightly run at once on PostgreSQL: every saving gets its own reference,
and a generated saving made by two runs at the same moment is one saving."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.db import connection, connections

from consortium.organisations.constants import Role
from consortium.savings import services
from consortium.savings.models import Saving
from consortium.savings.schemas import SavingIn
from consortium.spend.models import DailySpend

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def _together(jobs):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            job()
        except BaseException as e:
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_concurrent_proposals_get_unique_references_and_generation_makes_each_saving_once(world, market):
    cm = world.actor(Role.CATEGORY_MANAGER)
    data = SavingIn.model_validate(
        {
            "members": [world.member.pk],
            "title": "Grounds maintenance",
            "category": "services",
            "source": "project",
            "method": "previous_price",
            "amount": "100",
            "starts_on": "2026-05-01",
        }
    )
    _together([lambda: services.saving_propose(actor=cm, data=data) for _ in range(8)])
    references = list(Saving.objects.values_list("reference", flat=True))
    assert len(references) == 8 and len(set(references)) == 8

    DailySpend.objects.create(
        day=dt.date(2026, 9, 3),
        buyer=world.member,
        supplier=world.supplier,
        contract=market.contract,
        category="stationery",
        spend=D("90.00"),
        spend_with_baseline=D("90.00"),
        baseline=D("100.00"),
        lines=1,
    )
    _together([lambda: services.savings_from_orders(before=dt.date(2026, 11, 1)) for _ in range(6)])
    assert Saving.objects.filter(source="marketplace").count() == 1
