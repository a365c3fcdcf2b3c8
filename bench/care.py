"""Care price benchmarking benchmarks, on PostgreSQL.

1. Quoting one needs assessment against 1,000 provider menus, with every line
   compared to the benchmark, through the API (gunicorn, 2 workers): p50 / p95.
   Target p95 ≤ 150 ms.
2. Statistics for every element over 1,000,000 commissioned rates (what the
   benchmark refresh computes: every disclosure-controlled view, per council and per
   provider left out), beside one bare SQL query with percentile_cont computing plain
   quartiles in the same run, and their ratio. Target ≤ 500 ms.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from bench.harness import ROOT, fresh_postgres_database, get, gunicorn, machine

SETUP = r"""
import django, datetime as dt, random
from decimal import Decimal as D
django.setup()
from django.db import connection
from consortium.demo.loader import load_demo
from consortium.care.models import CareHome, PriceMenu, PriceMenuItem, CareLevel, NeedsAssessment
from consortium.care.demo import CHERRYTREES_PRICES
from consortium.care.services import benchmarks_refresh
from consortium.organisations.models import Organisation, Person
from consortium.organisations.acting import actor_for
from consortium.organisations.services import api_token_create
load_demo()
rng = random.Random(1)
providers = Organisation.objects.bulk_create(
    [Organisation(name=f"Bench Care {i}", kind="supplier", is_sme=True) for i in range(200)])
homes = CareHome.objects.bulk_create(
    [CareHome(provider=providers[i % 200], name=f"Bench Home {i}") for i in range(1000 - PriceMenu.objects.count())])
high = CareLevel.objects.get(name="High")
menus = PriceMenu.objects.bulk_create(
    [PriceMenu(home=h, highest_level=high, effective_from=dt.date(2026, 1, 1)) for h in homes])
PriceMenuItem.objects.bulk_create([
    PriceMenuItem(menu=m, element=e, unit_price=(D(p) * D(str(rng.uniform(0.8, 1.2)))).quantize(D("0.01")),
                  ratio=r, grade=g)
    for m in menus for e, p, r, g in CHERRYTREES_PRICES])
# 1,000,000 commissioned rates across the elements, ratios and grades, from SQL.
with connection.cursor() as c:
    c.execute('''
        INSERT INTO care_commissionedrate (council_id, provider_id, element, ratio, grade, unit_price, commissioned_on)
        SELECT (ARRAY[%s, %s])[1 + (g / 10) %% 2], p.ids[1 + (g %% array_length(p.ids, 1))], k.element, k.ratio, k.grade,
               round((k.base * (0.7 + random() * 0.6))::numeric, 2), DATE '2026-01-01' + (g %% 300)
        FROM generate_series(1, 1000000) AS g
        CROSS JOIN (SELECT array_agg(id) AS ids FROM organisations_organisation WHERE kind = 'supplier') AS p
        JOIN (VALUES (0, 'accommodation_own_bedroom_shared_living', NULL::int, '', 400.0),
                     (1, 'accommodation_studio_flat', NULL, '', 450.0),
                     (2, 'daytime_shared_support', 3, '', 3.0),
                     (3, 'daytime_shared_support', 4, '', 2.5),
                     (4, 'night_sleeping_cover', 3, '', 12.0),
                     (5, 'night_waking_cover', 4, '', 22.0),
                     (6, 'one_to_one_support', NULL, 'domiciliary', 7.0),
                     (7, 'one_to_one_support', NULL, 'qualified', 10.0),
                     (8, 'specialist_support', NULL, '', 3.0),
                     (9, 'life_skills_development', NULL, '', 7.0)) AS k(n, element, ratio, grade, base)
          ON k.n = g %% 10
    ''', [Organisation.objects.get(name="Staffordshire County Council").pk,
          Organisation.objects.get(name="Stoke-on-Trent City Council").pk])
    c.execute("ANALYZE care_commissionedrate")
connection.set_autocommit(True)
with connection.cursor() as c:
    c.execute("VACUUM ANALYZE care_commissionedrate")  # as autovacuum would, after a bulk load
benchmarks_refresh()
commissioner = Person.objects.get(email="commissioner@staffordshire.example")
actor = actor_for(commissioner, Organisation.objects.get(name="Staffordshire County Council").pk)
_, raw = api_token_create(actor=actor, name="bench")
print(raw, NeedsAssessment.objects.get(client_reference="1234").pk, PriceMenu.objects.count())
"""

STATS = r"""
import django, time, statistics
django.setup()
from django.db import connection
from consortium.care.benchmarks import contributions, views
from consortium.care.models import CommissionedRate

BARE = '''SELECT element, ratio, grade,
    percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY unit_price)
    FROM care_commissionedrate GROUP BY element, ratio, grade'''

def bare():
    with connection.cursor() as c:
        c.execute(BARE)
        return c.fetchall()

ours, theirs = [], []
def spreads(qs):
    return views(contributions(qs))

spreads(CommissionedRate.objects.order_by()); bare()  # warm the cache
for _ in range(5):
    t = time.perf_counter(); rows = spreads(CommissionedRate.objects.order_by()); ours.append(time.perf_counter() - t)
    t = time.perf_counter(); bare(); theirs.append(time.perf_counter() - t)
print(len(rows), statistics.median(ours) * 1000, statistics.median(theirs) * 1000, min(ours) * 1000, max(ours) * 1000)
"""


def main() -> None:
    database_url = fresh_postgres_database("consortium_bench_care")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-secret-key",
        "SITE_URL": "http://127.0.0.1:8000",
        "DJANGO_SETTINGS_MODULE": "consortium.settings",
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    }
    subprocess.run([sys.executable, "-m", "consortium", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    token, assessment_id, menus = out[-3], out[-2], out[-1]
    print(f"Machine: {machine()}; PostgreSQL; set-up took {time.perf_counter() - started:.0f} s")
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/care/assessments/{assessment_id}/quotes?limit=25"
    with gunicorn(database_url, workers=2) as port:
        for _ in range(3):
            get(port, path, headers)  # warm both workers
        latencies = []
        size = 0
        for _ in range(40):
            t = time.perf_counter()
            status, body = get(port, path, headers)
            latencies.append((time.perf_counter() - t) * 1000)
            assert status == 200, body[:300]
            size = len(body)
    latencies.sort()
    p95 = latencies[round(0.95 * (len(latencies) - 1))]
    print(
        f"(1) quote one client against {menus} menus with benchmark comparison (first page of 25), GET {path}: "
        f"40 requests, p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms "
        f"({size / 1024:.0f} KiB JSON); target p95 <= 150 ms: {'met' if p95 <= 150 else 'NOT met'}"
    )
    stats = subprocess.run(
        [sys.executable, "-c", STATS], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    keys, ours, bare, fastest, slowest = (
        stats[0],
        float(stats[1]),
        float(stats[2]),
        float(stats[3]),
        float(stats[4]),
    )
    print(
        f"(2) statistics for all {keys} element keys over 1,000,000 commissioned rates: median {ours:.0f} ms "
        f"(range {fastest:.0f}-{slowest:.0f}) vs bare percentile_cont query {bare:.0f} ms; ratio {ours / bare:.2f}x; "
        f"target <= 500 ms: {'met' if ours <= 500 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
