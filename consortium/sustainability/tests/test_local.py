"""The local economy: each member's own districts decide what is local; LM3 from the orders
(R1) and the supplier's survey (R2, R3 or the stated default), published by the consortium."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from consortium.core.errors import Conflict, PermissionDenied, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.spend.models import DailySpend
from consortium.sustainability import local
from consortium.sustainability.schemas import Lm3In, LocalAreaIn

pytestmark = pytest.mark.django_db


def test_local_is_each_members_own_districts(world, market) -> None:  # type: ignore[no-untyped-def]
    world.supplier.postcode, world.supplier.is_sme = "ST16 1AA", True
    world.supplier.save()
    for buyer in (world.member, world.other_member):
        DailySpend.objects.create(
            day=dt.date(2026, 5, 1),
            buyer=buyer,
            supplier=world.supplier,
            contract=market.contract,
            category="stationery",
            spend=D("100.00"),
            lines=1,
        )
    with pytest.raises(ValidationFailed) as e:
        local.local_area_save(
            actor=world.actor(Role.MEMBER_BUYER),
            data=LocalAreaIn.model_validate({"districts": ["st16", "Stafford"]}),
        )
    assert "“Stafford” is not a postcode district" in e.value.field_errors["districts[1]"]
    local.local_area_save(
        actor=world.actor(Role.MEMBER_BUYER), data=LocalAreaIn.model_validate({"districts": ["st16", "WS11"]})
    )
    rows = {r["member"]: r for r in local.local_share(world.actor(Role.CATEGORY_MANAGER))}
    assert rows["Moorside Primary School"]["local_percent"] == D("100.0")
    assert rows["Tamworth Borough Council"]["local_percent"] == D("0.0")  # its own area is not set
    assert rows["Tamworth Borough Council"]["sme_percent"] == D("100.0")
    assert [r["member"] for r in local.local_share(world.actor(Role.MEMBER_BUYER))] == [
        "Moorside Primary School"
    ]
    with pytest.raises(PermissionDenied):
        local.local_share(world.actor(Role.SUPPLIER_USER))


def test_lm3_from_the_orders_and_the_suppliers_survey(world, market) -> None:  # type: ignore[no-untyped-def]
    DailySpend.objects.create(
        day=dt.date(2026, 5, 1),
        buyer=world.member,
        supplier=world.supplier,
        contract=market.contract,
        category="stationery",
        spend=D("10000.00"),
        lines=1,
    )
    supplier = world.actor(Role.SUPPLIER_USER)
    data = {
        "contract_id": market.contract.pk,
        "year": 2026,
        "r2_staff": "3000",
        "r2_suppliers": "1000",
        "evidence": "Payroll",
    }
    survey = local.lm3_submit(actor=supplier, data=Lm3In.model_validate(data))
    f = local.figures(survey)
    # (10,000 + 4,000 + 4,000 × 0.25) ÷ 10,000
    assert (f["r1"], f["r2"], f["r3"], f["r3_surveyed"], f["lm3"]) == (
        D("10000.00"),
        D("4000.00"),
        D("1000.00"),
        False,
        D("1.50"),
    )
    survey = local.lm3_submit(actor=supplier, data=Lm3In.model_validate({**data, "r3_amount": "2000"}))
    assert local.figures(survey)["lm3"] == D("1.60")
    assert not local.surveys(world.actor(Role.MEMBER_BUYER)).exists()  # not published yet
    with pytest.raises(PermissionDenied):
        local.lm3_publish(actor=supplier, survey_id=survey.pk)
    local.lm3_publish(actor=world.actor(Role.CATEGORY_MANAGER), survey_id=survey.pk)
    assert list(local.surveys(world.actor(Role.MEMBER_BUYER))) == [survey]
    with pytest.raises(Conflict):
        local.lm3_submit(actor=supplier, data=Lm3In.model_validate(data))
    # A supplier answers only for contracts it holds, and sees only its own surveys.
    named = market.secret.lot.contract  # other_supplier's alone
    with pytest.raises(ValidationFailed, match="contract your organisation holds"):
        local.lm3_submit(actor=supplier, data=Lm3In.model_validate({**data, "contract_id": named.pk}))
    rival = Actor(
        person=world.people[Role.SUPPLIER_USER],
        organisation=world.other_supplier,
        roles=frozenset({Role.SUPPLIER_USER}),
    )
    assert not local.surveys(rival).exists()


def test_spend_files_count_by_the_supplier_they_were_matched_to(world) -> None:  # type: ignore[no-untyped-def]
    from consortium.spend.models import SpendFile, SpendLine

    world.supplier.postcode = "ST13 5AA"
    world.supplier.save()
    local.local_area_save(
        actor=world.actor(Role.MEMBER_BUYER), data=LocalAreaIn.model_validate({"districts": ["ST13"]})
    )
    f = SpendFile.objects.create(
        organisation=world.member, uploaded_by=world.people[Role.MEMBER_BUYER], filename="ap.csv"
    )
    for supplier, amount in ((world.supplier, D("300.00")), (None, D("100.00"))):
        SpendLine.objects.create(
            spend_file=f,
            organisation=world.member,
            supplier_name="x",
            matched_supplier=supplier,
            paid_on=dt.date(2026, 5, 1),
            amount=amount,
        )
    [row] = local.local_share(world.actor(Role.MEMBER_BUYER))
    assert (row["total"], row["local"], row["local_percent"]) == (D("400.00"), D("300.00"), D("75.0"))
