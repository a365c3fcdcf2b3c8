"""Sustainable procurement benchmark, on PostgreSQL.

Carbon MI over 5,000,000 order lines: tonnes CO2e per member per month (spend × the current
factor table's kgCO2e per £, by category), median of 3 — target <= 1 s — beside the bare SQL
aggregate in the same run, both over the daily totals the MI reads and over the order lines
themselves.
"""

from __future__ import annotations

import subprocess
import sys
import time

from bench.harness import ROOT, fresh_postgres_database, machine
from bench.marketplace import MI_PREPARE, _django, _env

TIMES = r"""
import time, statistics
from django.db import connection
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Person
from consortium.sustainability import carbon
admin = actor_for(Person.objects.get(email="admin@cbc.example"))
table = carbon.current_table()
def ours():
    return carbon.carbon_by_member_and_month(admin)
def bare(source, amount, day):
    def run():
        with connection.cursor() as c:
            c.execute(f"SELECT d.buyer_id, date_trunc('month', d.{day}), sum(d.{amount} * f.kg_per_pound) "
                      f"FROM {source} d JOIN sustainability_factor f ON f.category = d.category AND f.table_id = %s "
                      "GROUP BY 1, 2", [table.pk])
            return c.fetchall()
    return run
def median(run):
    run()
    times = []
    for _ in range(3):
        t = time.perf_counter(); run(); times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000
rows = len(ours())
print(f"ours|{median(ours):.1f}|{rows}")
print(f"bare daily totals|{median(bare('spend_dailyspend', 'spend', 'day')):.1f}|")
print(f"bare order lines|{median(bare('orders_orderline', 'line_total', 'ordered_on')):.1f}|")
"""


def main() -> None:
    print(f"Machine: {machine()}")
    database_url = fresh_postgres_database("consortium_bench_carbon")
    env = _env(database_url)
    subprocess.run([sys.executable, "-m", "consortium", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    lines = int(_django(env, MI_PREPARE).split()[-1])
    print(
        f"Carbon MI on PostgreSQL over {lines:,} order lines (set-up {time.perf_counter() - started:.0f} s), "
        "tonnes CO2e per member per month, median of 3, as the consortium admin:"
    )
    out = dict((row.split("|")[0], row.split("|")[1:]) for row in _django(env, TIMES).strip().splitlines())
    ours_ms, groups = float(out["ours"][0]), out["ours"][1]
    daily = float(out["bare daily totals"][0])
    lines_ms = float(out["bare order lines"][0])
    print(
        f"  ours {ours_ms:.1f} ms ({groups} member-months; {'met' if ours_ms <= 1000 else 'NOT met'}, target <= 1000 ms)\n"
        f"  bare SQL over the same daily totals {daily:.1f} ms ({ours_ms / daily:.1f}×); "
        f"bare SQL over the order lines themselves {lines_ms:.1f} ms ({ours_ms / lines_ms:.2f}×)"
    )


if __name__ == "__main__":
    main()
