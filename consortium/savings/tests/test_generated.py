"""Savings the other systems generate, so members do not retype figures: a care placement's
negotiated saving, a concluded tender's saving per member by demand, the marketplace's monthly
saving against baseline prices. Generating again changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from consortium.care import services as care_services
from consortium.care.tests.factories import agree_john_smith
from consortium.organisations.constants import Role
from consortium.savings import selectors, services
from consortium.savings.models import Saving
from consortium.savings.schemas import SavingDecisionIn
from consortium.spend.models import DailySpend

pytestmark = pytest.mark.django_db


def test_john_smiths_placement_becomes_a_recurring_cashable_saving(care, world) -> None:  # type: ignore[no-untyped-def]
    negotiation = agree_john_smith(care)
    placement = care_services.placement_confirm(
        actor=care.commissioner, negotiation=negotiation, start_date=dt.date(2026, 12, 7)
    )
    s = Saving.objects.get(source_key=f"care:placement:{placement.pk}")
    assert (s.member, s.source, s.method, s.cashable, s.recurrence) == (
        world.care_council,
        "care",
        "negotiated",
        True,
        "recurring",
    )
    assert (s.amount, s.months, s.total) == (D("10296.00"), 12, D("10296.00"))
    assert "John" not in s.title and "Smith" not in s.title + s.baseline  # no client named
    assert "£883.00 a week asked, £685.00 agreed" in s.baseline
    # Generating everything again (the nightly run) makes nothing twice.
    services.generate_all()
    assert Saving.objects.filter(source="care").count() == 1
    # The commissioner's council sees it; validated by the category manager, it counts.
    commissioner = world.actor(Role.COMMISSIONER)
    assert list(selectors.savings(commissioner)) == [s]
    services.saving_decide(
        actor=world.actor(Role.CATEGORY_MANAGER),
        saving_id=s.pk,
        data=SavingDecisionIn.model_validate({"action": "validate"}),
    )
    assert selectors.report(commissioner, "year")["total"] == D("10296.00")


def test_a_concluded_tender_shares_its_saving_by_the_demand_each_member_registered(world) -> None:  # type: ignore[no-untyped-def]
    from consortium.tendering.tests.factories import tender_at

    project = tender_at(world, "awarded")
    made = list(Saving.objects.filter(source="tender").order_by("member__name"))
    assert len(made) == 2 and {s.member for s in made} == {world.member, world.other_member}
    estimates = {s.member: s for s in made}
    # One member gave £60,000 a year; the other 4,000 reams at the £4.50 estimate (£18,000).
    ratio = estimates[world.member].amount / estimates[world.other_member].amount
    assert abs(ratio - D(60000) / D(18000)) < D("0.001") or abs(ratio - D(18000) / D(60000)) < D("0.001")
    # The schedule priced the 4,000 reams members registered.
    winner_unit = D(project.bids.filter(is_winner=True).get().price) / D(4000)
    expected = (D(78000) * (1 - winner_unit / D("4.50"))).quantize(D("0.01"))
    assert sum(s.amount for s in made) == expected
    assert all(s.months == project.term_months and s.method == "pre_tender_estimate" for s in made)
    services.generate_all()
    assert Saving.objects.filter(source="tender").count() == 2


def test_the_marketplace_makes_a_saving_per_member_per_complete_month(world, market) -> None:  # type: ignore[no-untyped-def]
    def day(d, spend, baseline):  # type: ignore[no-untyped-def]
        DailySpend.objects.create(
            day=d,
            buyer=world.member,
            supplier=world.supplier,
            contract=market.contract,
            category="stationery",
            spend=spend,
            spend_with_baseline=spend,
            baseline=baseline,
            lines=1,
        )

    day(dt.date(2026, 10, 3), D("90.00"), D("100.00"))
    day(dt.date(2026, 10, 20), D("45.50"), D("50.00"))
    day(dt.date(2026, 11, 2), D("10.00"), D("12.00"))  # this month: not complete yet
    assert services.savings_from_orders(before=dt.date(2026, 11, 15)) == 1
    s = Saving.objects.get(source="marketplace")
    assert (s.member, s.amount, s.starts_on, s.method) == (
        world.member,
        D("14.50"),
        dt.date(2026, 10, 1),
        "previous_price",
    )
    # A late line in October refreshes the proposed figure rather than adding a second saving.
    day(dt.date(2026, 10, 30), D("5.00"), D("6.00"))
    services.savings_from_orders(before=dt.date(2026, 11, 15))
    assert Saving.objects.filter(source="marketplace").count() == 1
    assert Saving.objects.get(source="marketplace").amount == D("15.50")
