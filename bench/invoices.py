"""Invoice intake benchmark, on PostgreSQL (#19).

10,000 Peppol BIS Billing 3.0 e-invoices (UBL 2.1, one to six lines each, about 5% priced over
the order and 1% sent twice) against 10,000 delivered call-off orders, taken in as an access
point would deliver them: batches of 1,000 through `invoice_upload_many`, each checked against
the official EN 16931 and Peppol rules on every core, then matched three ways and stored.
Beside it, in the same run, checking alone (the same 10,000 through the same rules and cores).
Target: intake <= 60 s.
"""

from __future__ import annotations

import subprocess
import sys

from bench.harness import ROOT, fresh_postgres_database, machine
from bench.marketplace import _django, _env

INVOICES = 10_000

RUN = r"""
import datetime as dt, random, time
from decimal import Decimal as D
from django.utils import timezone
from consortium.core.dates import today_in_london
from consortium.core.money import to_penny
from consortium.demo.loader import load_demo
from consortium.catalogue.models import CatalogueItem
from consortium.invoices import peppol
from consortium.invoices.models import Invoice
from consortium.invoices.services import _party, invoice_upload_many
from consortium.orders.constants import OrderStatus
from consortium.orders.models import Order, OrderLine
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person

N = __N__
load_demo()
rng = random.Random(19)
supplier_org = Organisation.objects.get(name="Midlands Office Supplies Ltd")
supplier = actor_for(Person.objects.get(email="supplier@midlands-office.example"), supplier_org.pk)
items = list(CatalogueItem.objects.filter(supplier=supplier_org).select_related("lot"))
buyers = list(Organisation.objects.filter(kind__in=["school", "district_council", "county_council", "unitary_council"]))
placed_by = Person.objects.get(email="buyer@moorside.example")
today = today_in_london()
orders, lines_of = [], []
for n in range(N):
    chosen = rng.sample(items, k=rng.randint(1, 6))
    lines = [OrderLine(item=i, supplier_code=i.supplier_code, name=i.name, category=i.category,
                       unit_of_measure=i.unit_of_measure, unit_price=i.unit_price, vat_rate=i.vat_rate,
                       quantity=q, quantity_delivered=q, line_total=to_penny(i.unit_price * q), ordered_on=today,
                       cost_centre=f"CC{rng.randrange(100, 999)}")
             for i, q in ((i, rng.randint(1, 40)) for i in chosen)]
    subtotal = sum((ln.line_total for ln in lines), D(0))
    vat = sum((to_penny(ln.line_total * ln.vat_rate / 100) for ln in lines), D(0))
    orders.append(Order(reference=f"CO-BENCH-{n:06d}", buyer=rng.choice(buyers), placed_by=placed_by,
                        supplier=supplier_org, contract_id=chosen[0].lot.contract_id, status=OrderStatus.DELIVERED,
                        delivery_address="Reception", subtotal=subtotal, vat=vat, total=subtotal + vat,
                        checkout_key=f"bench-{n}", submitted_at=timezone.now()))
    lines_of.append(lines)
Order.objects.bulk_create(orders, batch_size=1000)
flat = []
for order, lines in zip(orders, lines_of):
    for ln in lines:
        ln.order, ln.buyer_id, ln.supplier_id, ln.contract_id = order, order.buyer_id, order.supplier_id, order.contract_id
        flat.append(ln)
OrderLine.objects.bulk_create(flat, batch_size=2000)
seller = _party(supplier_org)
parties = {b.pk: _party(b) for b in buyers}
files = []
for n, (order, lines) in enumerate(zip(orders, lines_of)):
    dearer = rng.random() < 0.05
    doc = peppol.DocumentIn(
        is_credit_note=False, number=f"MOS-B{n:06d}", issue_date=today, due_date=today + dt.timedelta(days=30),
        order_reference=order.reference, buyer_reference=order.reference, seller=seller, buyer=parties[order.buyer_id],
        lines=tuple(peppol.LineIn(str(i), str(i), ln.supplier_code, ln.name, D(ln.quantity), ln.unit_of_measure,
                                  to_penny(ln.unit_price * D("1.2")) if dearer and i == 1 else ln.unit_price, ln.vat_rate)
                    for i, ln in enumerate(lines, start=1)))
    files.append((f"{n}.xml", peppol.build(doc)))
# 1% sent twice: the same file again (answered with the invoice it made).
files += [files[i] for i in rng.sample(range(N), N // 100)]
size = sum(len(c) for _, c in files) / len(files)

t = time.perf_counter()
checked = peppol.check_many([c for _, c in files], workers=None)
check_s = time.perf_counter() - t
fatal = sum(1 for findings, refusal in checked if findings is None or any(f.flag == "fatal" for f in findings))

t = time.perf_counter()
outcomes = []
for start in range(0, len(files), 1000):
    outcomes += invoice_upload_many(actor=supplier, files=files[start:start + 1000])
intake_s = time.perf_counter() - t
stored = Invoice.objects.filter(order__reference__startswith="CO-BENCH-")
approved = stored.filter(status="approved").count()
held = stored.filter(status="held").count()
refused = sum(1 for o in outcomes if o.invoice is None)
print(f"{check_s}|{intake_s}|{len(files)}|{stored.count()}|{approved}|{held}|{refused}|{fatal}|{size}")
"""


def main() -> None:
    print(f"Machine: {machine()}")
    database_url = fresh_postgres_database("consortium_bench_invoices")
    env = _env(database_url)
    subprocess.run([sys.executable, "-m", "consortium", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = _django(env, RUN.replace("__N__", str(INVOICES))).strip().splitlines()[-1].split("|")
    check_s, intake_s = float(out[0]), float(out[1])
    files, stored, approved, held, refused, fatal = (int(x) for x in out[2:8])
    size = float(out[8])
    print(
        f"(1) checking alone: {files:,} e-invoices (UBL 2.1, {size / 1024:.1f} KB on average) through the official "
        f"EN 16931 and Peppol BIS Billing 3.0 rules on every core: {check_s:.1f} s "
        f"({check_s / files * 1000:.2f} ms an invoice); {fatal} broke a rule"
    )
    print(
        f"(2) intake on PostgreSQL, in batches of 1,000: checked, routed, matched three ways and stored "
        f"({stored:,} invoices: {approved:,} approved, {held:,} held; {files - stored - refused:,} repeats answered "
        f"with the invoice they made; {refused} refused): {intake_s:.1f} s; target <= 60 s: "
        f"{'met' if intake_s <= 60 else 'NOT met'}; ratio to checking alone {intake_s / check_s:.2f}x"
    )


if __name__ == "__main__":
    main()
