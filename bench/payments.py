"""Payments benchmark, on PostgreSQL.

(1) Payment creation through the public flow (GET the fund's page, POST reference, amount and
    e-mail; the redirect to the provider's card page) against the sandbox provider, 8
    concurrent citizens for 20 s through gunicorn (2 workers). Every fourth citizen presses
    the button twice (a retry): both must land on the same payment. Prints payments/s, p95 of
    the POST, duplicate payments for retried attempts, lost attempts.
(2) Reconciliation of one day with 100,000 successful payments against a 100,000-line
    settlement file (target <= 5 s), beside loading the same file with a bare COPY into a
    table of the same columns in the same run, and the ratio.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time

import httpx

from bench.harness import ROOT, fresh_postgres_database, gunicorn, machine
from bench.marketplace import _django, _env

SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
DAY_PAYMENTS = int(os.environ.get("BENCH_PAYMENTS_DAY", "100000"))

PREPARE = r"""
from consortium.organisations.demo import load_organisations_demo
from consortium.payments.demo import load_payments_demo
from consortium.payments.models import Fund
load_organisations_demo()
load_payments_demo()
print(Fund.objects.get(code="council-tax", organisation__name="Cannock Chase District Council").pk)
"""

COUNT = r"""
import json
from django.db.models import Count
from consortium.payments.models import Payment, SandboxPayment
attempts = json.loads(open(PATH).read())
stored = set(str(a) for a in Payment.objects.filter(attempt__in=attempts).values_list("attempt", flat=True))
twice = SandboxPayment.objects.values("idempotency_key").annotate(n=Count("id")).filter(n__gt=1).count()
print(json.dumps({"stored": len(stored), "lost": len(set(attempts) - stored), "provider_duplicates": twice}))
"""

RECONCILE = r"""
import datetime as dt, io, json, secrets, time, uuid
from decimal import Decimal
from django.db import connection
from consortium.core.bulk import insert_rows
from consortium.core.dates import LONDON
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person
from consortium.payments.models import Fund, Payment
from consortium.payments.services import settlement_upload
cannock = Organisation.objects.get(name="Cannock Chase District Council")
fund = Fund.objects.get(code="council-tax", organisation=cannock)
day = dt.date(2026, 11, 30)
at = dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)
rows, lines = [], ["GOV.UK Payment ID,Reference,Amount"]
for i in range(N):
    pid = secrets.token_hex(13)
    amount = Decimal(100 + i % 900) + Decimal("0.50")
    rows.append((f"PAY-2026-B{i:07d}", uuid.uuid4(), fund.pk, cannock.pk, f"{i:09d}", amount, "bench@example.com",
                 "sandbox", pid, "", "success", "", "", "Visa", "1111", Decimal("0"), True, at, at, at, None))
    lines.append(f"{pid},PAY-2026-B{i:07d},{amount - 1 if i % 10000 == 0 else amount}")
insert_rows(Payment, ["reference", "attempt", "fund", "organisation", "payer_reference", "amount", "email", "provider",
                      "provider_id", "next_url", "status", "failure_code", "failure_message", "card_brand", "last_four",
                      "refunded", "receipt_sent", "created_at", "updated_at", "finished_at", "checked_at"], rows)
with connection.cursor() as c:
    c.execute("VACUUM ANALYZE payments_payment")
content = "\n".join(lines).encode()
actor = actor_for(Person.objects.get(email="finance@cannock.example"), cannock.pk)
times, bare = [], []
for _ in range(3):
    t = time.perf_counter()
    s = settlement_upload(actor=actor, settled_on=day, content=content, filename="bench.csv")
    times.append(time.perf_counter() - t)
    with connection.cursor() as c:
        c.execute("CREATE TEMP TABLE IF NOT EXISTS bare_settlement (provider_id varchar(64), reference varchar(40), amount numeric(12,2))")
        c.execute("TRUNCATE bare_settlement")
        t = time.perf_counter()
        with c.cursor.copy("COPY bare_settlement FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            copy.write(content)
        bare.append(time.perf_counter() - t)
print(json.dumps({"lines": s.lines, "matched": s.matched, "median_s": sorted(times)[1],
                  "bare_s": sorted(bare)[1], "runs": times}))
"""


def _citizens(port: int, fund_id: int, seconds: float) -> tuple[list[float], list[str], int, int, int]:
    latencies: list[float] = []
    attempts: list[str] = []
    errors = 0
    retried = 0
    mismatched = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def citizen(n: int) -> None:
        nonlocal errors, retried, mismatched
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            i = 0
            while time.perf_counter() < stop_at:
                i += 1
                try:
                    page = client.get(f"/pay/{fund_id}/").text
                    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
                    attempt = re.search(r'name="attempt" id="attempt" value="([^"]+)"', page)
                    assert token and attempt
                    body = {
                        "csrfmiddlewaretoken": token[1],
                        "attempt": attempt[1],
                        "reference": "123456789",
                        "amount": f"{50 + i % 400}.25",
                        "email": f"citizen{n}-{i}@example.com",
                    }
                    t = time.perf_counter()
                    response = client.post(f"/pay/{fund_id}/", data=body)
                    took = (time.perf_counter() - t) * 1000
                    if response.status_code != 302:
                        with lock:
                            errors += 1
                        continue
                    with lock:
                        latencies.append(took)
                        attempts.append(attempt[1])
                    if n % 4 == 0:  # the button pressed again
                        again = client.post(f"/pay/{fund_id}/", data=body)
                        with lock:
                            retried += 1
                            mismatched += again.headers.get("location") != response.headers.get("location")
                except (httpx.HTTPError, AssertionError):
                    with lock:
                        errors += 1

    threads = [threading.Thread(target=citizen, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, attempts, errors, retried, mismatched


def main() -> None:
    print(f"Machine: {machine()}")
    database_url = fresh_postgres_database("consortium_bench_payments")
    env = _env(database_url)
    subprocess.run([sys.executable, "-m", "consortium", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    fund_id = int(_django(env, PREPARE).strip().splitlines()[-1])
    os.environ["PAYMENTS_START_RATE"] = "100000000"
    os.environ["SECURE_COOKIES"] = "false"
    # The sandbox provider is off outside the demo and tests; the bench pays through it.
    os.environ["PAYMENTS_SANDBOX"] = "true"
    with gunicorn(database_url, workers=2) as port:
        started = time.perf_counter()
        latencies, attempts, errors, retried, mismatched = _citizens(port, fund_id, SECONDS)
        took = time.perf_counter() - started
    path = os.path.join(ROOT, "var", "bench-payments-attempts.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(attempts, f)
    counts = json.loads(_django(env, f"PATH = {path!r}\n" + COUNT).strip().splitlines()[-1])
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0.0
    print(
        f"(1) The public flow against the sandbox, 8 citizens for {SECONDS:.0f} s through gunicorn (2 workers): "
        f"{len(attempts) / took:.1f} payments/s, POST p50 {statistics.median(latencies) if latencies else 0:.1f} ms, "
        f"p95 {p95:.1f} ms; {len(attempts)} attempts, {errors} failed; {retried} pressed twice, "
        f"{mismatched} sent elsewhere the second time; duplicate payments at the provider "
        f"{counts['provider_duplicates']}; lost attempts {counts['lost']} ({counts['stored']} stored)"
    )
    f = json.loads(_django(env, f"N = {DAY_PAYMENTS}\n" + RECONCILE).strip().splitlines()[-1])
    print(
        f"(2) Reconciling one day of {f['lines']:,} settlement lines against {DAY_PAYMENTS:,} payments: median of 3 "
        f"{f['median_s']:.2f} s ({f['matched']:,} matched) — bare COPY of the same file {f['bare_s']:.2f} s, ratio "
        f"{f['median_s'] / f['bare_s']:.1f}x; target <= 5 s: {'met' if f['median_s'] <= 5 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
