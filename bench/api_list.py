"""Foundation benchmark: an authenticated, scoped list endpoint under gunicorn (2 workers)
on PostgreSQL, beside /healthz (the floor) in the same run, and their ratio.

The list is GET /api/v1/people as a member buyer with a bearer token: token
lookup, role lookup, a scoped join with DISTINCT, a COUNT, and 25 rows out —
over a consortium of 500 organisations and 5,000 people.
"""

from __future__ import annotations

import os
import subprocess
import sys

from bench.harness import ROOT, fresh_postgres_database, gunicorn, load, machine

SETUP = """
import django, os
django.setup()
from consortium.demo.loader import load_demo
from consortium.organisations.models import Organisation, Person, RoleAssignment
from consortium.organisations.acting import actor_for
from consortium.organisations.services import api_token_create
from django.contrib.auth.hashers import make_password
load_demo()
school = Organisation.objects.get(name="Moorside Primary School")
orgs = Organisation.objects.bulk_create(
    [Organisation(name=f"Bench Body {i}", kind="district_council") for i in range(470)]
)
password = make_password(None)
people = Person.objects.bulk_create(
    [Person(email=f"bench{i}@example.org", full_name=f"Bench Person {i}", password=password)
     for i in range(5000)]
)
roles = [RoleAssignment(person=p, organisation=orgs[i % len(orgs)], role="member_buyer")
         for i, p in enumerate(people)]
roles += [RoleAssignment(person=p, organisation=school, role="member_buyer") for p in people[:60]]
RoleAssignment.objects.bulk_create(roles)
buyer = Person.objects.get(email="buyer@moorside.example")
_, raw = api_token_create(actor=actor_for(buyer), name="bench")
print(raw)
"""


def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    database_url = fresh_postgres_database("consortium_bench")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-secret-key",
        "SITE_URL": "http://127.0.0.1:8000",
        "DJANGO_SETTINGS_MODULE": "consortium.settings",
    }
    subprocess.run([sys.executable, "-m", "consortium", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    token = (
        subprocess.run(
            [sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    headers = {"Authorization": f"Bearer {token}"}
    print(f"Machine: {machine()}; PostgreSQL; gunicorn 2 sync workers; 4 clients; {seconds:.0f} s each")
    with gunicorn(database_url, workers=2) as port:
        floor = load("GET /healthz (floor)", port, "/healthz", seconds=seconds)
        listing = load(
            "GET /api/v1/people (member buyer, token)",
            port,
            "/api/v1/people?limit=25",
            headers=headers,
            seconds=seconds,
        )
    print(floor.line())
    print(listing.line())
    print(
        f"ratio list/healthz: throughput {listing.per_second / floor.per_second:.2f}x, "
        f"p50 latency {listing.percentile(50) / floor.percentile(50):.2f}x, "
        f"p95 latency {listing.percentile(95) / floor.percentile(95):.2f}x"
    )
    if listing.errors or floor.errors:
        raise SystemExit("errors during the run")


if __name__ == "__main__":
    main()
