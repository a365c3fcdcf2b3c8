"""Many dispatchers at once on PostgreSQL: no contact offered twice, no agent over capacity."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.db.models import Count

from consortium.contacts import services
from consortium.contacts.constants import ContactStatus
from consortium.contacts.models import Agent, Contact, QueueMember, Waiting
from consortium.contacts.tests.factories import centre
from consortium.core.dates import now
from consortium.organisations.models import Person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def test_concurrent_dispatch_offers_each_contact_once_and_respects_capacity(world):
    c = centre(world)
    for n in range(6):
        person = Person.objects.create_user(email=f"agent{n}@example.org", full_name=f"Agent {n}")
        agent = Agent.objects.create(
            person=person, partner=world.member, state="available", capacity={"chat": 2}
        )
        QueueMember.objects.create(queue=c.main, agent=agent)
    at = now()
    for n in range(40):
        contact = Contact.objects.create(reference=f"CT-T-{n}", channel="chat", queue=c.main, arrived_at=at)
        Waiting.objects.create(contact=contact, queue=c.main, since=at)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            barrier.wait()
            services.dispatch_waiting()
            for agent_id in Agent.objects.values_list("pk", flat=True):
                services._fill(agent_id, now())
        except BaseException as e:
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    offered = Contact.objects.filter(status=ContactStatus.OFFERED)
    # 6 agents × 2 chats and the factory's officer × 2 chats.
    assert offered.count() == 14
    per_agent = offered.values("agent").annotate(n=Count("pk"))
    assert all(row["n"] <= 2 for row in per_agent)
