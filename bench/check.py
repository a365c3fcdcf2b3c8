"""Service check benchmarks, on PostgreSQL.

(1) A capability chart for a stream of 1,000,000 finished cases, per case, through the API
    (gunicorn, a bearer token, as the consortium admin): the latest 5,000 plotted, the limits
    from the chosen baseline (each segment's first 1,000 values) and a recorded change splitting
    them — median and p95 of 20 — target <= 500 ms end to end. Printed beside it, not targets:
    the same chart a day and a week at a time (every case grouped).
(2) The XmR computation itself over 1,000,000 values (two segments, all four rules), median of
    5 — target <= 200 ms — beside numpy doing the same arithmetic written out bare.
"""

from __future__ import annotations

import json
import statistics
import time

import numpy as np

from bench.harness import fresh_postgres_database, get, gunicorn, machine
from bench.marketplace import _django, _env

CASES = 1_000_000
# The process changes at case 997,000: from then on cases take about half as long.
CHANGE_AT = 997_000

PREPARE = rf"""
from django.db import connection
from consortium.organisations.demo import load_organisations_demo
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Person
from consortium.organisations.services import api_token_create
load_organisations_demo()
admin = actor_for(Person.objects.get(email="admin@cbc.example"))
_, token = api_token_create(actor=admin, name="bench")
with connection.cursor() as c:
    c.execute("SELECT array_agg(organisation_id) FROM organisations_membership WHERE left_on IS NULL")
    members = c.fetchone()[0]
    m = "ARRAY[" + ",".join(str(int(x)) for x in members) + "]"
    c.execute(f'''
        INSERT INTO check_case (stream, source_id, reference, started_at, ended_at, ended_on, week, value,
                                organisation_id, counterpart_id, kind_key, kind_label)
        SELECT 'citizen.requests', g, 'SR-B-' || g, t - interval '3 days', t,
               (t AT TIME ZONE 'Europe/London')::date,
               date_trunc('week', t AT TIME ZONE 'Europe/London')::date,
               CASE WHEN g < {CHANGE_AT} THEN 2 + (g::bigint * 7919) % 13 ELSE 1 + (g::bigint * 7919) % 6 END,
               ({{m}})[1 + g % {{len(members)}}], NULL, (g % 7)::text, 'Service ' || (g % 7)
        FROM (SELECT g, timestamptz '2022-01-03 09:00+00' + g * interval '2 minutes' AS t
              FROM generate_series(0, {CASES - 1}) AS g) AS s
    ''')
    c.execute("SELECT ended_on FROM check_case WHERE source_id = {CHANGE_AT}")
    change = c.fetchone()[0]
connection.set_autocommit(True)
with connection.cursor() as c:
    c.execute("VACUUM ANALYZE check_case")
    c.execute("SELECT count(*) FROM check_case")
    print(c.fetchone()[0], token, change.isoformat())
"""


def bare_numpy(x: np.ndarray, split: int) -> int:
    """The same arithmetic as consortium.check.xmr, written out once with nothing around it."""
    flags = np.zeros(x.size, dtype=np.uint8)
    mr = np.abs(np.diff(x, prepend=np.nan))
    mr[split] = np.nan
    for s, e in ((0, split), (split, x.size)):
        seg, r = x[s:e], mr[s:e]
        centre = seg.mean()
        mbar = np.nanmean(r)
        unpl, lnpl, url = centre + 2.66 * mbar, centre - 2.66 * mbar, 3.268 * mbar
        flags[s:e] |= ((seg > unpl) | (seg < lnpl)).astype(np.uint8)
        half = (unpl - centre) / 2
        for zone in (seg > centre + half, seg < centre - half):
            w = np.convolve(zone.astype(np.int8), np.ones(4, dtype=np.int8), "valid") >= 3
            member = np.convolve(w.astype(np.int8), np.ones(4, dtype=np.int8), "full") > 0
            flags[s:e] |= member.astype(np.uint8) << 1
        side = np.sign(seg - centre)
        starts = np.ones(seg.size, dtype=bool)
        starts[1:] = (side[1:] != side[:-1]) | (side[1:] == 0)
        run = np.cumsum(starts) - 1
        flags[s:e] |= ((side != 0) & (np.bincount(run)[run] >= 8)).astype(np.uint8) << 2
        with np.errstate(invalid="ignore"):
            flags[s:e] |= (r > url).astype(np.uint8) << 3
    return int(np.count_nonzero(flags))


def computation_benchmark() -> None:
    from consortium.check import xmr

    g = np.arange(CASES, dtype=np.int64)
    values = np.where(g < CHANGE_AT, 2 + (g * 7919) % 13, 1 + (g * 7919) % 6).astype(np.float64)
    # A drift every 50,000 cases before the change, so the rules have runs and jumps to find.
    values[:CHANGE_AT] += ((g[:CHANGE_AT] // 50_000) % 2) * 2 + (g[:CHANGE_AT] % 997 == 0) * 40
    ours, bare = [], []
    for _ in range(5):
        t = time.perf_counter()
        analysis = xmr.analyse(values, [CHANGE_AT])
        ours.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        flagged = bare_numpy(values, CHANGE_AT)
        bare.append((time.perf_counter() - t) * 1000)
    ms, bare_ms = statistics.median(ours), statistics.median(bare)
    same = flagged == int(np.count_nonzero(analysis.flags))
    print(
        f"(2) XmR over {CASES:,} values, two segments, four rules: median {ms:.1f} ms of 5 "
        f"({'met' if ms <= 200 else 'NOT met'}, target <= 200 ms); bare numpy {bare_ms:.1f} ms "
        f"({ms / bare_ms:.2f}×); the same values flagged: {'yes' if same else 'NO'} ({flagged:,})"
    )


def main() -> None:
    print(f"Machine: {machine()}")
    database_url = fresh_postgres_database("consortium_bench_check")
    env = _env(database_url)
    import subprocess
    import sys

    from bench.harness import ROOT

    subprocess.run([sys.executable, "-m", "consortium", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    count, token, change = _django(env, PREPARE).split()[-3:]
    print(
        f"(1) {int(count):,} finished service requests on PostgreSQL (set-up {time.perf_counter() - started:.0f} s)"
    )
    headers = {"Authorization": f"Bearer {token}"}
    with gunicorn(database_url) as port:
        kinds = [
            ("each case, latest 5,000, baseline 1,000, split", f"?baseline=1000&split={change}", 20, 500),
            ("each day (every case grouped)", "?granularity=day", 5, None),
            ("each week (every case grouped)", "?granularity=week", 5, None),
        ]
        for label, query, n, target in kinds:
            path = f"/api/v1/check/streams/citizen.requests/chart{query}"
            status, body = get(port, path, headers)
            assert status == 200, body[:300]
            chart = json.loads(body)
            times = []
            for _ in range(n):
                t = time.perf_counter()
                status, body = get(port, path, headers)
                times.append((time.perf_counter() - t) * 1000)
                assert status == 200
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            verdict = (
                ("met" if p95 <= target else "NOT met") + f", target <= {target} ms"
                if target
                else "no target"
            )
            print(
                f"      {label:<48} median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms of {n}  "
                f"({verdict}); {chart['plotted']:,} of {chart['total']:,} values plotted, "
                f"{len(chart['segments'])} segment(s), {len(chart['signals'])} signal texts"
            )
    computation_benchmark()


if __name__ == "__main__":
    main()
