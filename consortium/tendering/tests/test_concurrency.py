"""On PostgreSQL: references unique under concurrent creation; a double-clicked bid is one bid."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest
from django.db import connection, connections

from consortium.organisations.constants import Role
from consortium.tendering import selectors, services
from consortium.tendering.models import Bid, Project
from consortium.tendering.sealing import content_of
from consortium.tendering.tests.factories import tender_at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def _together(n: int, work) -> list[BaseException]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as e:
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_procurement_references_stay_unique_under_concurrent_creation(world):
    cm = world.actor(Role.CATEGORY_MANAGER)
    errors = _together(10, lambda i: services.project_create(actor=cm, title=f"Parallel {i}"))
    assert not errors, errors
    references = list(Project.objects.values_list("reference", flat=True))
    assert len(references) == 10 and len(set(references)) == 10


def test_a_double_clicked_bid_is_submitted_once(world):
    project = tender_at(world, "open")
    Bid.objects.filter(project=project, supplier=world.supplier).delete()
    answers = {c.pk: "Answer" for c in selectors.leaf_criteria(project) if c.kind != "price"}
    supplier = world.actor(Role.SUPPLIER_USER)
    errors = _together(
        4,
        lambda i: services.bid_submit(
            actor=supplier,
            project=project,
            lot_number=1,
            answers=answers,
            price_lines=[services.PriceLineIn(1, D(4))],
            submission_key="same-click",
        ),
    )
    assert not errors, errors
    [bid] = Bid.objects.filter(project=project, supplier=world.supplier)
    # Sealed at rest: the bidder's own reading holds one copy of each answer and one price line.
    content = content_of(bid)
    assert len(content.answers) == len(answers) and len(content.price_lines) == 1
    assert not bid.answers.exists() and not bid.price_lines.exists()
