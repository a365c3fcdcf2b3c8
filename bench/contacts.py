"""Contact routing benchmark, on PostgreSQL.

(1) The routing decision for an inbound contact with 200 rules and 50 queues, in process:
    p95 <= 10 ms (the whole decision, with its reads of the caller's request and area; and the
    pure rule matching alone).
(2) The integration API under gunicorn with 8 concurrent simulated platforms: contacts/s, p95.
(3) Assignment under contention: 500 agents, 20 concurrent dispatchers for 20 s:
    assignments/s, double offers (0 expected), agents over capacity (0 expected).
(4) The supervisor's figures over 5,000,000 contacts, <= 1 s, beside the bare SQL.
"""

from __future__ import annotations

import os
import subprocess
import sys

from bench.harness import ROOT, fresh_postgres_database, gunicorn, machine
from bench.marketplace import _django, _env

PREPARE = r"""
from consortium.demo.loader import load_demo
load_demo()
from consortium.contacts import services
from consortium.contacts.schemas import QueueIn, RuleIn
from consortium.contacts.models import Queue
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person
consortium = Organisation.objects.get(kind="consortium")
admin = actor_for(Person.objects.get(email="admin@cbc.example"), consortium.pk)
county = Organisation.objects.get(name="Staffordshire County Council")
always = {d: {"opens": "00:00", "closes": "23:59"} for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
# Open at all hours so every run measures routing, not a closed centre.
for q in Queue.objects.all():
    services.queue_save(actor=admin, queue=q, data=QueueIn.model_validate({
        "code": q.code, "name": q.name, "partner_id": q.partner_id, "is_main": q.is_main,
        "opening_hours": always, "closed_on_bank_holidays": False}))
while Queue.objects.count() < 50:
    n = Queue.objects.count()
    services.queue_save(actor=admin, data=QueueIn.model_validate({
        "code": f"bench-{n}", "name": f"Bench queue {n}", "partner_id": county.pk,
        "opening_hours": always if n % 3 else {"sun": {"opens": "03:00", "closes": "04:00"}}}))
queues = list(Queue.objects.values_list("pk", flat=True))
rules = services.Rule.objects.count()
for n in range(200 - rules):
    # Rules that a typical contact passes over — other menus, channels, priorities — all tried
    # before the demo's catch-all (order 90), so every decision reads through them.
    services.rule_save(actor=admin, data=RuleIn.model_validate({
        "order": 60, "name": f"Bench rule {n}", "menu_choice": f"{4 + n % 5}.{n}",
        "channels": ["chat"] if n % 2 else [], "priority_at_least": 9 if n % 3 == 0 else None,
        "queue_id": queues[n % len(queues)], "steps": [{"after_seconds": 30, "queue_id": queues[(n + 1) % len(queues)]}]}))
platform, secret = services.platform_create(actor=admin, name="Bench")
print(platform.key_id, secret)
"""

DECIDE = r"""
import time
from consortium.contacts import routing, services
from consortium.contacts.schemas import InboundIn
from consortium.contacts.models import Queue, Rule
from consortium.core.dates import now, LONDON
def p95(xs):
    xs = sorted(xs); return xs[round(0.95 * (len(xs) - 1))]
print_rules, print_queues = Rule.objects.filter(active=True).count(), Queue.objects.count()
samples = [InboundIn.model_validate(d) for d in (
    {"channel": "phone", "menu": "1", "postcode": "WS11 1BG", "caller": "07700 900001"},
    {"channel": "phone", "menu": "2.2", "postcode": "WS12 4AB"},
    {"channel": "chat", "menu": "3"},
    {"channel": "phone", "reference": "SR-2026-000010"},
    {"channel": "phone", "language": "bsl"},
)]
services.decide(samples[0], now())
whole, pure = [], []
table = services.table()
for i in range(2000):
    data = samples[i % len(samples)]
    at = now()
    t = time.perf_counter(); decision, found = services.decide(data, at, caller=data.caller); whole.append((time.perf_counter() - t) * 1000)
    facts = routing.Facts(channel=data.channel, at=at.astimezone(LONDON), menu=data.menu, language=data.language)
    t = time.perf_counter(); routing.decide(facts, table.rules, table.queues, table.main_queues); pure.append((time.perf_counter() - t) * 1000)
print(f"{print_rules}|{print_queues}|{p95(whole)}|{p95(pure)}")
"""

ASSIGN = r"""
import random, threading, time
from django.db import connection, connections
from django.db.models import Count, Q
from consortium.contacts import services
from consortium.contacts.constants import HOLDING
from consortium.contacts.models import Agent, Contact, Queue, QueueMember, Waiting
from consortium.core.dates import now
from consortium.organisations.constants import Role
from consortium.organisations.models import Organisation, Person, RoleAssignment
county = Organisation.objects.get(name="Staffordshire County Council")
queues = list(Queue.objects.order_by("pk")[:10])
existing = Agent.objects.count()
people = [Person(email=f"bench-agent-{n}@example.org", full_name=f"Bench agent {n}") for n in range(500 - existing)]
Person.objects.bulk_create(people)
people = list(Person.objects.filter(email__startswith="bench-agent-"))
agents = Agent.objects.bulk_create([Agent(person=p, partner=county, state="available", capacity={"chat": 2}) for p in people])
Agent.objects.update(state="available", capacity={"chat": 2})
agents = list(Agent.objects.all())
QueueMember.objects.bulk_create([QueueMember(queue=queues[n % len(queues)], agent=a) for n, a in enumerate(agents)], ignore_conflicts=True)
offers, lock, stop = [], threading.Lock(), time.monotonic() + SECONDS
over, failures = [], []
def dispatcher(n):
    rng = random.Random(n)
    i = 0
    try:
        while time.monotonic() < stop:
            i += 1
            at = now()
            q = queues[rng.randrange(len(queues))]
            c = Contact.objects.create(reference=f"CT-B{n:02d}-{i:09d}", channel="chat", queue=q, arrived_at=at)
            Waiting.objects.create(contact=c, queue=q, since=at)
            got = services._offer(c.pk, at)
            if got:
                with lock:
                    offers.append((c.pk, got))
            # Free someone now and then: a contact ends and wraps up.
            if rng.random() < 0.9:
                done = Contact.objects.filter(status="offered", queue=q).order_by("?").values_list("pk", flat=True).first()
                if done:
                    Contact.objects.filter(pk=done).update(status="done")
    except BaseException as e:
        with lock:
            failures.append(repr(e))
    finally:
        connections.close_all()
def monitor():
    try:
        while time.monotonic() < stop:
            bad = (Contact.objects.filter(status__in=HOLDING, agent__isnull=False).values("agent")
                   .annotate(n=Count("pk")).filter(n__gt=2).count())
            over.append(bad)
            time.sleep(0.5)
    finally:
        connections.close_all()
threads = [threading.Thread(target=dispatcher, args=(n,)) for n in range(20)] + [threading.Thread(target=monitor)]
t0 = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
took = time.perf_counter() - t0
ids = [c for c, _ in offers]
doubles = len(ids) - len(set(ids))
final_over = (Contact.objects.filter(status__in=HOLDING, agent__isnull=False).values("agent")
              .annotate(n=Count("pk")).filter(n__gt=2).count())
if failures:
    print("dispatcher failures:", failures[:3])
print(f"{len(agents)}|{len(offers)}|{took}|{doubles}|{max(over + [final_over])}")
"""

FILL = r"""
from django.db import connection
from consortium.contacts.models import Contact
n = 5_000_000 - Contact.objects.count()
with connection.cursor() as c:
    c.execute('''
        INSERT INTO contacts_contact (reference, external_id, channel, caller, dialled, menu, language, postcode,
            quoted_reference, queue_id, partner_id, priority, required_skill, status, agent_id, arrived_at,
            answered_at, wait_seconds, handle_seconds, outcome, notes, demand, failure_type)
        SELECT 'CT-F-' || g, '', 'phone', '', '', '', '', '', '', q.id, q.partner_id, 0, '',
               CASE WHEN g %% 19 = 0 THEN 'abandoned' ELSE 'done' END, NULL,
               now() - (g %% 365) * interval '1 day' - (g %% 480) * interval '1 minute',
               CASE WHEN g %% 19 = 0 THEN NULL ELSE now() - (g %% 365) * interval '1 day' - (g %% 480) * interval '1 minute' + (g %% 60) * interval '1 second' END,
               CASE WHEN g %% 19 = 0 THEN NULL ELSE g %% 60 END,
               CASE WHEN g %% 19 = 0 THEN NULL ELSE 120 + g %% 300 END,
               CASE WHEN g %% 19 = 0 THEN '' ELSE 'resolved' END, '',
               CASE WHEN g %% 19 = 0 THEN '' WHEN g %% 3 = 0 THEN 'failure' ELSE 'value' END,
               CASE WHEN g %% 19 <> 0 AND g %% 3 = 0 THEN 'chasing' ELSE '' END
        FROM generate_series(1, %s) g
        JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, partner_id FROM contacts_queue) q
          ON q.k = g %% (SELECT count(*) FROM contacts_queue)
    ''', [n])
connection.set_autocommit(True)
with connection.cursor() as c:
    c.execute("VACUUM ANALYZE contacts_contact")
print(Contact.objects.count())
"""

FIGURES = r"""
import statistics, time, datetime as dt
from django.db import connection
from consortium.contacts import selectors
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person
admin = actor_for(Person.objects.get(email="admin@cbc.example"), Organisation.objects.get(kind="consortium").pk)
selectors.figures(admin)
ours = []
for _ in range(3):
    t = time.perf_counter(); f = selectors.figures(admin); ours.append(time.perf_counter() - t)
bare = []
with connection.cursor() as c:
    for _ in range(3):
        t = time.perf_counter()
        for group in ("c.queue_id", "date_trunc('day', c.arrived_at AT TIME ZONE 'Europe/London')"):
            c.execute(f"SELECT {group}, count(*) FILTER (WHERE c.status <> 'not_routed'), count(c.answered_at), "
                      "count(*) FILTER (WHERE c.answered_at IS NOT NULL AND c.wait_seconds <= q.target_seconds), "
                      "count(*) FILTER (WHERE c.status = 'abandoned'), sum(c.handle_seconds), count(c.handle_seconds), "
                      "count(*) FILTER (WHERE c.demand = 'failure'), count(*) FILTER (WHERE c.demand <> '') "
                      "FROM contacts_contact c JOIN contacts_queue q ON q.id = c.queue_id "
                      "WHERE c.arrived_at >= current_date - 13 AND c.arrived_at < current_date + 1 GROUP BY 1")
            c.fetchall()
        bare.append(time.perf_counter() - t)
period = sum(q.offered for q in f.queues)
print(f"{statistics.median(ours)}|{statistics.median(bare)}|{period}")
"""


def main() -> None:
    print(f"Machine: {machine()}")
    database_url = fresh_postgres_database("consortium_bench_contacts")
    env = _env(database_url)
    subprocess.run([sys.executable, "-m", "consortium", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    key_id, secret = _django(env, PREPARE).strip().splitlines()[-1].split()
    rules, queues, whole, pure = _django(env, DECIDE).strip().splitlines()[-1].split("|")
    print(
        f"(1) routing decision in process, {rules} rules and {queues} queues: whole decision (with the caller's "
        f"request and area) p95 {float(whole):.2f} ms, rule matching alone p95 {float(pure):.3f} ms; target <= 10 ms: "
        f"{'met' if float(whole) <= 10 else 'NOT met'}"
    )
    from consortium.contacts.sim import Platform, run

    contacts = int(os.environ.get("BENCH_CONTACTS", "800"))
    with gunicorn(database_url, workers=2) as port:
        result = run(
            Platform(f"http://127.0.0.1:{port}", key_id, secret), contacts=contacts, concurrency=8, patience=0
        )
    print(
        f"(2) integration API through gunicorn (2 workers), 8 concurrent platforms, {result.sent} inbound contacts: "
        f"{result.per_second:.1f} contacts/s (each with its answered/ended or abandoned events), inbound p95 "
        f"{result.p95():.1f} ms; errors {dict(result.errors) or 'none'}"
    )
    seconds = float(os.environ.get("BENCH_SECONDS", "20"))
    agents, offers, took, doubles, over = (
        _django(env, f"SECONDS = {seconds}\n" + ASSIGN).strip().splitlines()[-1].split("|")
    )
    print(
        f"(3) assignment, {agents} agents (2 chats each), 20 concurrent dispatchers for {float(took):.0f} s: "
        f"{int(offers) / float(took):.1f} assignments/s; double offers {doubles}; agents over capacity {over}"
    )
    total = int(_django(env, FILL).strip().splitlines()[-1])
    ours, bare, period = _django(env, FIGURES).strip().splitlines()[-1].split("|")
    print(
        f"(4) supervisor figures with {total:,} contacts stored ({int(period):,} in the 14 days shown; live waiting "
        f"and agents, per queue, by hour and by day): median of 3 {float(ours):.2f} s — bare SQL (per queue and by "
        f"day) {float(bare):.2f} s, ratio {float(ours) / float(bare):.1f}x; target <= 1 s: "
        f"{'met' if float(ours) <= 1 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
