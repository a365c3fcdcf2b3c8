"""Many citizens confirming at once on PostgreSQL: every request gets its own reference."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from consortium.citizen import services
from consortium.citizen.models import ServiceRequest
from consortium.citizen.tests.factories import citizen_world, report

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]

CITIZENS = 12


def test_concurrent_confirmations_get_unique_references_and_double_clicks_count_once(world):
    c = citizen_world(world)
    secrets_ = [
        services.request_submit(data=report(c.service, email=f"r{n}@example.org"))[1] for n in range(CITIZENS)
    ]
    barrier = threading.Barrier(CITIZENS + 3)
    errors: list[BaseException] = []

    def run(secret: str) -> None:
        try:
            barrier.wait()
            services.request_confirm(secret=secret)
        except BaseException as e:
            errors.append(e)
        finally:
            connections.close_all()

    # Three citizens click their link twice at the same moment.
    threads = [threading.Thread(target=run, args=(s,)) for s in [*secrets_, *secrets_[:3]]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    references = list(
        ServiceRequest.objects.exclude(reference__isnull=True).values_list("reference", flat=True)
    )
    assert len(references) == CITIZENS + 1  # and the factory's own request
    assert len(set(references)) == len(references)
