"""Saves that finish the same cases at once, on PostgreSQL: each case is kept once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from consortium.check.cases import refresh
from consortium.check.models import Case
from consortium.citizen.models import ServiceRequest
from consortium.citizen.tests.factories import citizen_world
from consortium.core.dates import now

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers are PostgreSQL's"),
]


def test_concurrent_refreshes_of_the_same_cases_keep_each_once(world):
    c = citizen_world(world)
    ServiceRequest.objects.filter(pk=c.request.pk).update(closed_at=now(), days_taken=3, status="fixed")
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def run(full: bool) -> None:
        try:
            barrier.wait()
            refresh("citizen.requests", None if full else [c.request.pk])
        except BaseException as e:
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n % 2 == 0,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert Case.objects.filter(stream="citizen.requests", source_id=c.request.pk).count() == 1
