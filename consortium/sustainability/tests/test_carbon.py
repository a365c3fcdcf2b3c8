"""Spend-based carbon: factor tables imported with cell-level errors and versions, emissions
as spend × factor from the MI's daily totals, scoped like the MI, and labelled when the factors
are illustrative."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import Workbook

from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.spend.models import DailySpend
from consortium.sustainability import carbon
from consortium.sustainability.models import FactorTable
from consortium.sustainability.schemas import FactorTableIn

pytestmark = pytest.mark.django_db
META = FactorTableIn.model_validate(
    {
        "name": "Test factors",
        "source": "Defra Table 13",
        "edition": "2023",
        "year": 2020,
        "illustrative": True,
    }
)


def test_a_factor_table_is_refused_cell_by_cell_and_nothing_is_kept(world) -> None:  # type: ignore[no-untyped-def]
    cm = world.actor(Role.CATEGORY_MANAGER)
    bad = b"Category,kgCO2e per GBP\nStationery and office supplies,0.45\nRockets,1\nict,lots\nstationery,0.5\nfurniture,-1\n"
    with pytest.raises(ValidationFailed) as e:
        carbon.import_table(actor=cm, data=META, content=bad, filename="f.csv")
    assert e.value.field_errors == {
        "row 3": "Row 3, cell A3: “Rockets” is not a marketplace category",
        "row 4": "Row 4, cell B4: enter kgCO2e per £ as a number, for example 0.35",
        "row 5": "Row 5, cell A5: stationery is in the file twice",
        "row 6": "Row 6, cell B6: a factor is 0 to 100 kgCO2e per £, to 4 decimal places",
    }
    assert not FactorTable.objects.exists()
    with pytest.raises(PermissionDenied):
        carbon.import_table(actor=world.actor(Role.MEMBER_BUYER), data=META, content=bad, filename="f.csv")


def test_each_import_is_a_new_version_and_xlsx_works(world) -> None:  # type: ignore[no-untyped-def]
    cm = world.actor(Role.CATEGORY_MANAGER)
    first = carbon.import_table(actor=cm, data=META, content=b"category,factor\nict,0.3\n", filename="a.csv")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Category", "kgCO2e per £"])
    ws.append(["ICT equipment", 0.25])
    buffer = io.BytesIO()
    wb.save(buffer)
    second = carbon.import_table(actor=cm, data=META, content=buffer.getvalue(), filename="b.xlsx")
    assert (first.version, second.version) == (1, 2) and carbon.current_table() == second
    assert second.factors.get().kg_per_pound == D("0.2500")


def test_emissions_are_spend_times_factor_scoped_like_the_mi(world, market) -> None:  # type: ignore[no-untyped-def]
    cm = world.actor(Role.CATEGORY_MANAGER)
    carbon.import_table(actor=cm, data=META, content=b"category,factor\nstationery,0.45\n", filename="a.csv")
    for buyer, category, spend in (
        (world.member, "stationery", D("1000.00")),
        (world.member, "ict", D("500.00")),
        (world.other_member, "stationery", D("2000.00")),
    ):
        DailySpend.objects.create(
            day=dt.date(2026, 6, 1),
            buyer=buyer,
            supplier=world.supplier,
            contract=market.contract,
            category=category,
            spend=spend,
            lines=1,
        )
    mine = carbon.carbon_by(world.actor(Role.MEMBER_BUYER), "category")
    assert [(r["key"], r["tonnes"]) for r in mine["rows"]] == [
        ("stationery", D("0.450")),
        ("ict", D("0.000")),
    ]
    assert mine["spend_without_factor"] == D("500.00") and mine["illustrative"]
    everyone = carbon.carbon_by(cm, "member")
    assert {r["label"]: r["tonnes"] for r in everyone["rows"]} == {
        "Tamworth Borough Council": D("0.900"),
        "Moorside Primary School": D("0.450"),
    }
    assert carbon.carbon_by_member_and_month(cm)[0]["tonnes"] in (D("0.450"), D("0.900"))
    with pytest.raises(PermissionDenied):
        carbon.carbon_by(world.actor(Role.SUPPLIER_USER), "category")


def test_the_carbon_page_says_when_figures_are_illustrative(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    carbon.import_table(
        actor=world.actor(Role.CATEGORY_MANAGER), data=META, content=b"c,f\nict,0.3\n", filename="a.csv"
    )
    page = signed_in(Role.MEMBER_BUYER).get("/sustainability/carbon/").content.decode()
    assert "Illustrative figures" in page and "Defra Table 13" in page
    refused = signed_in(Role.CATEGORY_MANAGER).post(
        "/sustainability/carbon/factors/",
        {"name": "x", "source": "y", "edition": "z", "year": "2020", "file": io.BytesIO(b"c,f\nict,many\n")},
    )
    assert refused.status_code == 400 and "Row 2, cell B2" in refused.content.decode()


def test_a_suppliers_own_intensity_beats_the_sector_factor_and_says_so(world, market) -> None:  # type: ignore[no-untyped-def]
    from consortium.sustainability import appraisal

    cm = world.actor(Role.CATEGORY_MANAGER)
    carbon.import_table(actor=cm, data=META, content=b"c,f\nstationery,0.45\n", filename="a.csv")
    DailySpend.objects.create(
        day=dt.date(2026, 6, 1),
        buyer=world.member,
        supplier=world.supplier,
        contract=market.contract,
        category="stationery",
        spend=D("1000.00"),
        lines=1,
    )
    answers = {
        code: "no" if q["kind"] == "yes_no" else "2030"
        for code, q in appraisal.questions_for(world.supplier).items()
    }
    answers.update(
        {
            "crp": "yes",
            "crp_baseline_year": "2020",
            "scope1": "10",
            "scope2": "10",
            "scope3": "80",
            "turnover": "1000000",
            "local_staff_percent": "10",
            "apprentices": "0",
        }
    )
    made = appraisal.submit(
        actor=world.actor(Role.SUPPLIER_USER), answers=answers, evidence={"crp": "Our plan"}
    )
    # Not until the consortium has scored it.
    assert carbon.carbon_by(cm, "category")["rows"][0]["tonnes"] == D("0.450")
    appraisal.score(actor=cm, appraisal_id=made.pk, points=appraisal.suggested_points(made))
    data = carbon.carbon_by(cm, "category")
    # 100 tCO2e ÷ £1,000,000 = 0.1 kg per £: £1,000 is 0.1 t rather than 0.45 t.
    assert data["rows"][0]["tonnes"] == D("0.100")
    assert data["suppliers_with_own_intensity"] == ["Midlands Office Supplies Ltd"]
    assert data["spend_by_supplier_intensity"] == D("1000.00")


def test_uploaded_spend_files_get_the_same_estimate(world) -> None:  # type: ignore[no-untyped-def]
    from consortium.spend.models import SpendFile, SpendLine

    carbon.import_table(
        actor=world.actor(Role.CATEGORY_MANAGER), data=META, content=b"c,f\nict,0.3\n", filename="a.csv"
    )
    f = SpendFile.objects.create(
        organisation=world.member, uploaded_by=world.people[Role.MEMBER_BUYER], filename="ap.csv"
    )
    for category, amount in (("ict", D("2000.00")), ("", D("50.00"))):
        SpendLine.objects.create(
            spend_file=f,
            organisation=world.member,
            supplier_name="Acme",
            paid_on=dt.date(2026, 5, 1),
            amount=amount,
            category=category,
        )
    mine = carbon.carbon_of_spend_files(world.actor(Role.MEMBER_BUYER))
    assert mine["total_tonnes"] == D("0.600") and mine["spend_without_factor"] == D("50.00")
    other = Actor(
        person=world.outsider, organisation=world.other_member, roles=frozenset({Role.MEMBER_BUYER})
    )
    assert carbon.carbon_of_spend_files(other)["rows"] == []
    with pytest.raises(PermissionDenied):
        carbon.carbon_of_spend_files(world.actor(Role.SUPPLIER_USER))
