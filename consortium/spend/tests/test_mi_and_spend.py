from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from openpyxl import Workbook

from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.orders import services as orders
from consortium.organisations.constants import Role
from consortium.spend import mi, selectors, services
from consortium.spend.models import SpendFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def trading(world, market):
    buyer = world.actor(Role.MEMBER_BUYER)
    orders.basket_add(actor=buyer, item_id=market.paper.pk, quantity=10)  # £50.00, baseline £55.00
    orders.basket_add(actor=buyer, item_id=market.notes.pk, quantity=5)  # £6.00, baseline £6.60
    placed = orders.checkout(actor=buyer, checkout_key="t1", delivery_address="Leek")
    orders.basket_add(actor=buyer, item_id=market.pens.pk, quantity=2)
    cancelled = orders.checkout(actor=buyer, checkout_key="t2", delivery_address="Leek")[0]
    orders.order_step(actor=buyer, order=cancelled, to="cancelled", reason="changed mind")
    return placed


def test_spend_savings_rebates_and_shares(world, trading):
    buyer = world.actor(Role.MEMBER_BUYER)
    by_supplier = {r["label"]: r["spend"] for r in mi.spend_by(buyer, "supplier")}
    assert by_supplier == {world.supplier.name: D("50.00"), world.other_supplier.name: D("6.00")}
    s = mi.savings(buyer)
    assert (s["saving"], s["baseline"], s["rate_percent"]) == (D("5.60"), D("61.60"), D("9.1"))
    rebate = {r["supplier"]: r["rebate"] for r in mi.rebates(buyer)}
    assert rebate[world.supplier.name] == D("0.75")  # 1.5% of £50.00
    shares = mi.local_and_sme(buyer)
    assert shares["sme_percent"] == D("89.3")  # £50 of £56 with an SME
    assert mi.spend_by(world.actor(Role.CONSORTIUM_ADMIN), "member")[0]["spend"] == D("56.00")


def test_members_see_only_their_own_figures(world, trading):
    from consortium.organisations.acting import actor_for

    assert mi.spend_by(actor_for(world.outsider), "supplier") == []
    with pytest.raises(PermissionDenied):
        mi.spend_by(world.actor(Role.SUPPLIER_USER), "month")


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "Spend"
    ws.append(["supplier", "date", "amount", "description"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_spend_file_finds_on_and_off_contract_spend(world, trading):
    buyer = world.actor(Role.MEMBER_BUYER)
    content = _xlsx(
        [
            ["MIDLANDS OFFICE SUPPLIES LIMITED", "2026-05-01", 1000, "Paper and pens"],
            ["Acme Cleaning Co", "01/06/2026", "£2,500.00", "Cleaning materials"],
            ["Acme Cleaning Co", "2026-07-01", 500, "Hand soap"],
        ]
    )
    spend_file = services.spend_file_import(actor=buyer, content=content, filename="ap.xlsx")
    a = selectors.analysis(buyer, spend_file)
    assert (a["total"], a["on_contract"], a["off_contract"]) == (D("4000.00"), D("1000.00"), D("3000.00"))
    assert a["top_off_contract_suppliers"][0]["supplier_name"] == "Acme Cleaning Co"
    assert a["off_contract_categories"][0]["category"] == "Cleaning and janitorial"
    assert a["saving_available"] == (D("3000.00") * a["saving_rate_percent"] / 100).quantize(D("0.01"))


def test_bad_spend_rows_are_named_and_nothing_is_stored(world):
    buyer = world.actor(Role.MEMBER_BUYER)
    with pytest.raises(ValidationFailed) as exc:
        services.spend_file_import(
            actor=buyer,
            content=_xlsx([["", "yesterday", "lots", "x"], ["Ok Ltd", "2026-01-01", 5, ""]]),
            filename="ap.xlsx",
        )
    assert set(exc.value.field_errors) == {"Spend!A2", "Spend!B2"}
    csv_bad = b"supplier,date,amount,description\nOk Ltd,2026-01-01,abc,\n"
    with pytest.raises(ValidationFailed) as exc:
        services.spend_file_import(actor=buyer, content=csv_bad, filename="ap.csv")
    assert list(exc.value.field_errors) == ["row 2, amount"]
    with pytest.raises(ValidationFailed):
        services.spend_file_import(actor=buyer, content=b"who,what\n", filename="ap.csv")
    assert not SpendFile.objects.exists()


def test_months_and_quarters_are_folded_from_daily_spend(world, trading):
    import datetime as dt

    from consortium.orders.models import OrderLine

    # Move the paper line into an earlier quarter: it must show as its own month and quarter.
    line = OrderLine.objects.get(name="Recycled copier paper A4")
    OrderLine.objects.filter(pk=line.pk).update(ordered_on=dt.date(2026, 2, 10))
    OrderLine.objects.exclude(pk=line.pk).update(ordered_on=dt.date(2026, 5, 3))
    from consortium.spend import rollup

    rollup.rebuild()  # lines changed behind the service's back: total them again
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    months = mi.spend_by(admin, "month")
    # The latest 12 months, this one included, empty months as £0.
    assert len(months) == 12 and months[-1]["month"] == dt.date.today().replace(day=1)
    assert [(m["label"], m["spend"]) for m in months if m["spend"]] == [
        ("Feb 2026", D("50.00")),
        ("May 2026", D("6.00")),
    ]
    rebates = {(r["quarter"], r["supplier"]): r["rebate"] for r in mi.rebates(admin)}
    assert rebates[("2026 Q1", world.supplier.name)] == D("0.75")
    assert ("2026 Q2", world.supplier.name) not in rebates


def test_the_daily_totals_move_with_the_orders_and_match_the_lines(world, trading, market):
    from django.db.models import Sum

    from consortium.orders.models import OrderLine
    from consortium.spend import rollup
    from consortium.spend.models import DailySpend

    def totals():  # type: ignore[no-untyped-def]
        lines = OrderLine.objects.filter(in_spend=True).aggregate(
            s=Sum("line_total"), b=Sum("baseline_total")
        )
        daily = DailySpend.objects.aggregate(s=Sum("spend"), b=Sum("baseline"), n=Sum("lines"))
        return lines["s"] or 0, daily["s"] or 0, lines["b"] or 0, daily["b"] or 0, daily["n"] or 0

    assert totals() == (D("56.00"), D("56.00"), D("61.60"), D("61.60"), 2)
    buyer = world.actor(Role.MEMBER_BUYER)
    order = trading[0]
    orders.order_step(actor=buyer, order=order, to="cancelled", reason="duplicate")
    spend, daily, *_ = totals()
    assert spend == daily
    rollup.rebuild()
    assert totals()[:2] == (spend, daily)


def test_suppliers_are_matched_by_number_then_name_and_likely_names_confirmed_once(world, trading, signed_in):
    from consortium.spend.models import SpendLine

    world.supplier.identifier = "01234567"
    world.supplier.save()
    world.other_supplier.vat_number = "GB987654321"
    world.other_supplier.save()
    buyer = world.actor(Role.MEMBER_BUYER)
    csv = (
        b"supplier,date,amount,description,company_number,vat_number\n"
        b"MOS Trading,2026-05-01,100,Paper,1234567,\n"  # Companies House number, any name
        b"NSG,2026-05-02,50,Pens,,987 6543 21\n"  # VAT number
        b"Midlands Ofice Supplies,2026-05-03,30,Toner,,\n"  # a typo: suggested, not counted
        b"Midlands Ofice Supplies,2026-05-04,20,Toner,,\n"
        b"Acme Cleaning,2026-05-05,10,Soap,,\n"
    )
    sf = services.spend_file_import(actor=buyer, content=csv, filename="ap.csv")
    methods = dict(SpendLine.objects.filter(spend_file=sf).values_list("supplier_name", "match_method"))
    assert methods == {
        "MOS Trading": "companies_house",
        "NSG": "vat_number",
        "Midlands Ofice Supplies": "suggested",
        "Acme Cleaning": "",
    }
    a = selectors.analysis(buyer, sf)
    assert a["on_contract"] == D("150.00")
    (suggestion,) = a["suggestions"]
    assert suggestion["supplier_id"] == world.supplier.pk and suggestion["spend"] == D("50.00")
    client = signed_in(Role.MEMBER_BUYER)
    page = client.post(
        f"/spend/{sf.pk}/",
        {"supplier_name": "Midlands Ofice Supplies", "supplier_id": world.supplier.pk, "action": "confirm"},
    )
    assert page.status_code == 302
    assert selectors.analysis(buyer, sf)["on_contract"] == D("200.00")
    # Remembered: the next file matches the name at once.
    again = services.spend_file_import(
        actor=buyer,
        content=b"supplier,date,amount,description\nMidlands Ofice Supplies,2026-06-01,5,x\n",
        filename="b.csv",
    )
    assert again.lines.get().match_method == "confirmed"
    # Refused once: never suggested again; another member's files are untouched by this one's choice.
    other = services.spend_file_import(
        actor=buyer,
        content=b"supplier,date,amount,description\nNational Stationary Group,2026-06-01,5,x\n",
        filename="c.csv",
    )
    assert other.lines.get().suggested_supplier == world.other_supplier
    services.spend_match_decide(
        actor=buyer,
        spend_file=other,
        supplier_name="National Stationary Group",
        supplier_id=world.other_supplier.pk,
        confirm=False,
    )
    third = services.spend_file_import(
        actor=buyer,
        content=b"supplier,date,amount,description\nNational Stationary Group,2026-07-01,5,x\n",
        filename="d.csv",
    )
    assert third.lines.get().suggested_supplier is None
    with pytest.raises(PermissionDenied):
        services.spend_match_decide(
            actor=world.actor(Role.CONSORTIUM_ADMIN),
            spend_file=sf,
            supplier_name="Acme Cleaning",
            supplier_id=world.supplier.pk,
            confirm=True,
        )
    with pytest.raises(ValidationFailed):
        services.spend_match_decide(
            actor=buyer, spend_file=sf, supplier_name="Nobody", supplier_id=world.supplier.pk, confirm=True
        )


def test_mi_exports_state_the_period_total_and_real_months(world, trading, signed_in):
    import datetime as dt

    from openpyxl import load_workbook

    client = signed_in(Role.MEMBER_BUYER)
    wb = load_workbook(io.BytesIO(client.get("/mi/export/month.xlsx").content))
    ws = wb.active
    assert "latest 12 months" in ws["B1"].value
    assert isinstance(ws["A2"].value, dt.datetime) and ws["A2"].number_format == "mmm yyyy"
    assert ws.cell(row=ws.max_row, column=1).value == "Total"
    assert ws.cell(row=ws.max_row, column=2).value == sum(
        ws.cell(row=r, column=2).value for r in range(2, ws.max_row)
    )
    contracts = load_workbook(io.BytesIO(client.get("/mi/export/contract.xlsx").content)).active
    assert contracts["A2"].value == "CBC-T1 Office supplies"
    page = client.get("/mi/").content.decode()
    assert "the latest 12 months" in page and "Total" in page
