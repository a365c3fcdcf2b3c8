"""Shared citizen services benchmark, on PostgreSQL.

(1) Open311 `POST requests` from 8 concurrent clients for 20 s through gunicorn: requests/s,
    p95, and a count of duplicate references and lost submissions (0 and 0 expected).
(2) With 1,000,000 requests stored: a partner officer's queue page (filtered, first page),
    p95 <= 100 ms; Open311 `GET requests` with filters, p95 <= 100 ms; the service-level and
    failure-demand figures for a year, <= 1 s. Beside each, the bare SQL in the same run.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
import urllib.parse

from bench.harness import ROOT, fresh_postgres_database, gunicorn, machine
from bench.marketplace import _django, _env, p95

PREPARE = r"""
from consortium.demo.loader import load_demo
load_demo()
from consortium.citizen import services
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person
consortium = Organisation.objects.get(kind="consortium")
admin = actor_for(Person.objects.get(email="admin@cbc.example"), consortium.pk)
print(services.open311_client_create(actor=admin, name="Bench")[1])
"""

FILL = r"""
from django.db import connection
from consortium.citizen.models import ServiceRequest
n = 1_000_000 - ServiceRequest.objects.count()
with connection.cursor() as c:
    # A million requests over two years, across the demo's services, areas and partners, in
    # the proportions the demo has: most closed, some open, a few in triage.
    c.execute('''
        INSERT INTO citizen_servicerequest (reference, token, service_id, status, handled_by_id, area_id,
            description, answers, address, postcode, email, first_name, last_name, phone, channel,
            confirmation_hash, submitted_at, confirmed_at, acknowledged_at, due_on, closed_at, days_taken,
            met_target, updated_at)
        SELECT 'SR-B-' || lpad(g::text, 8, '0'), md5(g::text), t.service_id,
               CASE WHEN g %% 10 = 0 THEN 'open' WHEN g %% 17 = 0 THEN 'in_progress' ELSE 'fixed' END,
               CASE WHEN g %% 97 = 0 THEN NULL ELSE t.handled_by_id END, t.area_id,
               'Bench request', '{}', g || ' High Street', 'WS11 1BG', 'bench@example.org', '', '', '', 'api',
               '', now() - (g %% 730) * interval '1 day', now() - (g %% 730) * interval '1 day',
               now() - (g %% 730) * interval '1 day',
               (now() - (g %% 730) * interval '1 day' + interval '14 days')::date,
               CASE WHEN g %% 10 = 0 OR g %% 17 = 0 THEN NULL ELSE now() - (g %% 730) * interval '1 day' + (g %% 20) * interval '1 day' END,
               -- fixed at closing: about five working days in seven calendar days
               CASE WHEN g %% 10 = 0 OR g %% 17 = 0 THEN NULL ELSE (g %% 20) * 5 / 7 END,
               CASE WHEN g %% 10 = 0 OR g %% 17 = 0 THEN NULL ELSE g %% 20 <= 14 END,
               now()
        FROM generate_series(1, %s) g
        JOIN (SELECT row_number() OVER () - 1 AS k, service_id, handled_by_id, area_id
              FROM (SELECT DISTINCT service_id, handled_by_id, area_id FROM citizen_servicerequest
                    WHERE handled_by_id IS NOT NULL) d) t
          ON t.k = g %% (SELECT count(*) FROM (SELECT DISTINCT service_id, handled_by_id, area_id
                                             FROM citizen_servicerequest WHERE handled_by_id IS NOT NULL) d2)
    ''', [n])
connection.set_autocommit(True)
with connection.cursor() as c:
    c.execute("VACUUM ANALYZE citizen_servicerequest")
print(ServiceRequest.objects.count())
"""

MEASURE = r"""
import statistics, time, datetime as dt
from django.db import connection
from django.test import Client
from consortium.citizen import selectors
from consortium.citizen.models import Service
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person

def p95(xs):
    xs = sorted(xs); return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]

officer = Person.objects.get(email="partner.officer@cannock.example")
cannock = Organisation.objects.get(name="Cannock Chase District Council")
bin_service = Service.objects.get(code="missed-bin")
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(officer)
queue_url = f"/service-requests/?status=open&service={bin_service.pk}&due=overdue"
assert client.get(queue_url).status_code == 200
queue = []
for _ in range(40):
    t = time.perf_counter(); r = client.get(queue_url); queue.append((time.perf_counter() - t) * 1000)
bare_queue = []
with connection.cursor() as c:
    for _ in range(40):
        t = time.perf_counter()
        c.execute("SELECT count(*) FROM citizen_servicerequest WHERE handled_by_id = %s AND service_id = %s "
                  "AND status IN ('open','investigating','in_progress','action_scheduled','waiting_for_citizen') "
                  "AND due_on < current_date", [cannock.pk, bin_service.pk]); c.fetchall()
        c.execute("SELECT * FROM citizen_servicerequest WHERE handled_by_id = %s AND service_id = %s "
                  "AND status IN ('open','investigating','in_progress','action_scheduled','waiting_for_citizen') "
                  "AND due_on < current_date ORDER BY due_on, submitted_at, id LIMIT 50", [cannock.pk, bin_service.pk]); c.fetchall()
        bare_queue.append((time.perf_counter() - t) * 1000)
anon = Client(HTTP_HOST="127.0.0.1")
start = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
o311_url = f"/open311/v2/requests.json?service_code=missed-bin&status=open&start_date={start}"
assert anon.get(o311_url).status_code == 200
o311 = []
for _ in range(40):
    t = time.perf_counter(); r = anon.get(o311_url); o311.append((time.perf_counter() - t) * 1000)
rows = len(r.json())
bare_o311 = []
with connection.cursor() as c:
    for _ in range(40):
        t = time.perf_counter()
        c.execute("SELECT r.*, s.code, s.name FROM citizen_servicerequest r JOIN citizen_service s ON s.id = r.service_id "
                  "WHERE r.reference IS NOT NULL AND s.is_public AND s.code = 'missed-bin' AND r.confirmed_at >= %s "
                  "AND r.status IN ('open','investigating','in_progress','action_scheduled','waiting_for_citizen') "
                  "ORDER BY r.confirmed_at DESC, r.id DESC LIMIT 1000", [start]); c.fetchall()
        bare_o311.append((time.perf_counter() - t) * 1000)
actor = actor_for(officer, cannock.pk)
end = dt.date.today(); begin = end - dt.timedelta(days=365)
mi = []
for _ in range(3):
    t = time.perf_counter(); figures = selectors.service_figures(actor, start=begin, end=end); mi.append(time.perf_counter() - t)
admin = actor_for(Person.objects.get(email="admin@cbc.example"), Organisation.objects.get(kind="consortium").pk)
mi_all = []
for _ in range(3):
    t = time.perf_counter(); all_figures = selectors.service_figures(admin, start=begin, end=end); mi_all.append(time.perf_counter() - t)
bare_mi = []
with connection.cursor() as c:
    for _ in range(3):
        t = time.perf_counter()
        c.execute("SELECT handled_by_id, service_id, count(*), count(closed_at), "
                  "percentile_cont(0.5) WITHIN GROUP (ORDER BY closed_at - confirmed_at), "
                  "percentile_cont(0.85) WITHIN GROUP (ORDER BY closed_at - confirmed_at) "
                  "FROM citizen_servicerequest WHERE handled_by_id = %s AND confirmed_at >= %s "
                  "GROUP BY 1, 2", [cannock.pk, begin]); c.fetchall()
        bare_mi.append(time.perf_counter() - t)
received = sum(f.received for f in figures)
print(f"{p95(queue)}|{p95(bare_queue)}|{p95(o311)}|{p95(bare_o311)}|{rows}|{statistics.median(mi)}|{statistics.median(bare_mi)}|{received}|{statistics.median(mi_all)}|{sum(f.received for f in all_figures)}")
"""


def post_benchmark(port: int, key: str, seconds: float) -> tuple[int, int, float, list[float], list[str]]:
    latencies: list[float] = []
    references: list[str] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(n: int) -> None:
        nonlocal errors
        i = 0
        while time.perf_counter() < stop_at:
            i += 1
            body = urllib.parse.urlencode(
                {
                    "api_key": key,
                    "service_code": "missed-bin",
                    "zipcode": "WS11 1BG",
                    "address_string": f"{i} Bench Street",
                    "email": f"bench{n}-{i}@example.org",
                    "description": "Bench report",
                    "attribute[bin-type]": "general",
                }
            )
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            t = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    "/open311/v2/requests.json",
                    body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                response = conn.getresponse()
                data = response.read()
                took = (time.perf_counter() - t) * 1000
                with lock:
                    if response.status == 200:
                        latencies.append(took)
                        import json

                        references.append(json.loads(data)[0]["service_request_id"])
                    else:
                        errors += 1
            except OSError:
                with lock:
                    errors += 1
            finally:
                conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), errors, time.perf_counter() - started, latencies, references


def main() -> None:
    print(f"Machine: {machine()}")
    database_url = fresh_postgres_database("consortium_bench_citizen")
    env = _env(database_url)
    env["OPEN311_KEY_RATE"] = "1000000"
    subprocess.run([sys.executable, "-m", "consortium", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    key = _django(env, PREPARE).strip().splitlines()[-1]
    seconds = float(os.environ.get("BENCH_SECONDS", "20"))
    os.environ["OPEN311_KEY_RATE"] = "1000000"
    with gunicorn(database_url, workers=2) as port:
        created, errors, took, latencies, references = post_benchmark(port, key, seconds)
    stored = int(
        _django(
            env,
            "from consortium.citizen.models import ServiceRequest\n"
            "print(ServiceRequest.objects.filter(channel='api', client__name='Bench').count())",
        ).strip()
    )
    duplicates = len(references) - len(set(references))
    print(
        f"(1) Open311 POST requests, 8 concurrent clients for {seconds:.0f} s through gunicorn (2 workers): "
        f"{created / took:.1f} requests/s, p95 {p95(latencies):.1f} ms, {created} created, {errors} refused or failed; "
        f"duplicate references {duplicates}; lost submissions {max(created - stored, 0)} "
        f"({stored} stored for {created} answered 200)"
    )
    total = int(_django(env, FILL).strip().splitlines()[-1])
    out = _django(env, MEASURE).strip().splitlines()[-1].split("|")
    queue, bare_queue, o311, bare_o311 = (float(x) for x in out[:4])
    rows = int(out[4])
    mi, bare_mi = float(out[5]), float(out[6])
    received, mi_all, received_all = int(out[7]), float(out[8]), int(out[9])
    print(
        f"(2) with {total:,} requests stored: the Cannock Chase officer's queue page (open, missed bins, overdue, "
        f"first 50, rendered) p95 {queue:.1f} ms — bare SQL (count + first page) p95 {bare_queue:.1f} ms, ratio "
        f"{queue / bare_queue:.1f}x; target <= 100 ms: {'met' if queue <= 100 else 'NOT met'}"
    )
    print(
        f"    Open311 GET requests (service_code, status=open, start_date 30 days back; {rows} returned) p95 "
        f"{o311:.1f} ms — bare SQL p95 {bare_o311:.1f} ms, ratio {o311 / bare_o311:.1f}x; target <= 100 ms: "
        f"{'met' if o311 <= 100 else 'NOT met'}"
    )
    print(
        f"    figures for a year (service levels, median and 85th percentile working days, failure demand), "
        f"Cannock Chase ({received:,} requests): median of 3 {mi:.2f} s — bare SQL (counts and percentiles in "
        f"calendar time) {bare_mi:.2f} s, ratio {mi / bare_mi:.1f}x; target <= 1 s: {'met' if mi <= 1 else 'NOT met'}; "
        f"the whole partnership ({received_all:,}): {mi_all:.2f} s"
    )


if __name__ == "__main__":
    main()
