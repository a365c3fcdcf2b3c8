"""Many citizens paying at once on PostgreSQL: every attempt gets one payment and its own
reference, and an attempt sent several times at the same moment is still one payment, at
Consortium and at the provider."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections

from consortium.payments import services
from consortium.payments.models import Payment, SandboxPayment
from consortium.payments.schemas import PayIn
from consortium.payments.tests.factories import GOOD_INVOICE, payments_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]

CITIZENS = 10


def test_concurrent_payments_get_unique_references_and_repeated_attempts_count_once(world):
    p = payments_world(world)
    attempts = [str(uuid.uuid4()) for _ in range(CITIZENS)]
    sends = [*attempts, *attempts[:3], *attempts[:3]]  # three citizens press the button three times
    barrier = threading.Barrier(len(sends))
    errors: list[BaseException] = []
    made: list[tuple[str, str, str]] = []

    def run(attempt: str) -> None:
        try:
            data = PayIn.model_validate(
                {
                    "fund_id": p.fund.pk,
                    "reference": GOOD_INVOICE,
                    "amount": "12.34",
                    "email": "a@example.com",
                    "attempt": attempt,
                }
            )
            barrier.wait()
            payment = services.payment_start(data=data)
            made.append((attempt, payment.reference, payment.provider_id))
        except BaseException as e:
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in sends]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert Payment.objects.count() == CITIZENS and SandboxPayment.objects.count() == CITIZENS
    references = set(Payment.objects.values_list("reference", flat=True))
    assert len(references) == CITIZENS
    by_attempt: dict[str, set[tuple[str, str]]] = {}
    for attempt, reference, provider_id in made:
        by_attempt.setdefault(attempt, set()).add((reference, provider_id))
    assert all(len(v) == 1 for v in by_attempt.values()), by_attempt
