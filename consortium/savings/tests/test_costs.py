"""Cost sharing: the budget, members' figures, scenarios compared and approved into a locked,
versioned statement; each member sees its own charge and net benefit; rebates are raised,
received and shared back by spend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from pydantic import ValidationError as PydanticError

from consortium.audit.models import AuditEvent
from consortium.core.errors import Conflict, PermissionDenied, ValidationFailed
from consortium.organisations.constants import Role
from consortium.savings import selectors, services
from consortium.savings.models import Rebate, RebateShare, Statement
from consortium.savings.schemas import ApproveIn, BudgetIn, MemberFigureIn, RebateUpdateIn, ScenarioIn
from consortium.spend.models import DailySpend

pytestmark = pytest.mark.django_db


def setup_budget(world):  # type: ignore[no-untyped-def]
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    services.budget_save(
        actor=admin,
        data=BudgetIn.model_validate(
            {
                "year": 2026,
                "lines": [{"name": "Core team", "amount": "350000"}, {"name": "Systems", "amount": "0.01"}],
            }
        ),
    )
    for member, population in (
        (world.member, 400),
        (world.other_member, 77000),
        (world.care_council, 880000),
    ):
        services.figure_save(
            actor=admin,
            data=MemberFigureIn.model_validate(
                {
                    "member_id": member.pk,
                    "key": "population",
                    "year": 2025,
                    "value": population,
                    "source": "ONS mid-2025",
                }
            ),
        )
    return admin


def scenario(admin, name, weights, limits=None):  # type: ignore[no-untyped-def]
    return services.scenario_save(
        actor=admin,
        year=2026,
        data=ScenarioIn.model_validate({"name": name, "weights": weights, "limits": limits or {}}),
    )


def test_scenarios_split_the_budget_exactly_and_an_approved_statement_is_locked_and_versioned(world) -> None:  # type: ignore[no-untyped-def]
    admin = setup_budget(world)
    equal = scenario(admin, "Equal shares", {"equal": 100})
    mixed = scenario(
        admin,
        "Population with a floor",
        {"equal": 20, "population": 80},
        {"school": {"floor": "1000", "cap": "5000"}},
    )
    b = selectors.budget(admin, 2026)
    for s in (equal, mixed):
        total, shares = selectors.shares_for(b, s)
        assert total == D("350000.01") and sum(sh.charge for sh in shares) == total
    _, shares = selectors.shares_for(b, mixed)
    school = next(sh for sh in shares if sh.member_id == world.member.pk)
    assert D(1000) <= school.charge <= D(5000)
    first = services.scenario_approve(actor=admin, scenario_id=equal.pk, data=ApproveIn.model_validate({}))
    assert first.version == 1 and first.lines.count() == 3
    with pytest.raises(Conflict):  # an approved scenario is locked
        services.scenario_save(
            actor=admin,
            year=2026,
            data=ScenarioIn.model_validate(
                {"name": "Equal shares", "weights": {"equal": 50, "population": 50}}
            ),
            scenario_id=equal.pk,
        )
    with pytest.raises(ValidationFailed, match="Say why"):
        services.scenario_approve(actor=admin, scenario_id=mixed.pk, data=ApproveIn.model_validate({}))
    second = services.scenario_approve(
        actor=admin, scenario_id=mixed.pk, data=ApproveIn.model_validate({"reason": "Board chose population"})
    )
    assert second.version == 2
    assert list(Statement.objects.filter(current=True)) == [second]
    first.refresh_from_db()
    assert not first.current and first.lines.count() == 3  # the old version is kept as it was
    assert AuditEvent.objects.filter(action="statement.approve").count() == 2


def test_impossible_scenarios_are_refused_with_the_reason(world) -> None:  # type: ignore[no-untyped-def]
    admin = setup_budget(world)
    with pytest.raises(ValidationFailed, match="No member has a pupils figure"):
        scenario(admin, "Pupils", {"pupils": 100})
    with pytest.raises(PydanticError, match="add up to 100"):
        ScenarioIn.model_validate({"name": "x", "weights": {"equal": 60, "spend": 30}})
    with pytest.raises(ValidationFailed, match="floors add up to more"):
        scenario(admin, "Floors", {"equal": 100}, {"county_council": {"floor": "400000"}})


def test_only_the_admin_shares_costs_and_a_member_sees_only_its_own_charge(world) -> None:  # type: ignore[no-untyped-def]
    admin = setup_budget(world)
    s = scenario(admin, "Equal", {"equal": 100})
    services.scenario_approve(actor=admin, scenario_id=s.pk, data=ApproveIn.model_validate({}))
    for role in (Role.CATEGORY_MANAGER, Role.MEMBER_BUYER, Role.APPROVER, Role.SUPPLIER_USER):
        with pytest.raises(PermissionDenied):
            scenario(world.actor(role), "Mine", {"equal": 100})
    buyer = world.actor(Role.MEMBER_BUYER)
    with pytest.raises(PermissionDenied):
        selectors.scenarios(buyer, selectors.budget(buyer, 2026))
    [row] = selectors.net_benefit(buyer, 2026)
    assert row["member_id"] == world.member.pk and row["charge"] == D("116666.67")
    st = Statement.objects.get(current=True)
    assert [line.member_id for line in selectors.statement_lines(buyer, st)] == [world.member.pk]
    with pytest.raises(PermissionDenied):
        selectors.net_benefit(world.actor(Role.SUPPLIER_USER), 2026)


def test_rebates_are_raised_received_and_shared_back_into_net_benefit(world, market) -> None:  # type: ignore[no-untyped-def]
    market.contract.rebate_percent = D("2.00")
    market.contract.save()
    for buyer, spend in ((world.member, D("3000.00")), (world.other_member, D("1000.00"))):
        DailySpend.objects.create(
            day=dt.date(2026, 5, 10),
            buyer=buyer,
            supplier=world.supplier,
            contract=market.contract,
            category="stationery",
            spend=spend,
            lines=1,
        )
    cm = world.actor(Role.CATEGORY_MANAGER)
    assert services.rebates_raise(actor=cm, before=dt.date(2026, 8, 1)) == 1
    assert services.rebates_raise(actor=cm, before=dt.date(2026, 8, 1)) == 0  # once
    rebate = Rebate.objects.get()
    assert (rebate.quarter, rebate.spend, rebate.due, rebate.status) == (
        "2026 Q2",
        D("4000.00"),
        D("80.00"),
        "outstanding",
    )
    with pytest.raises(Conflict):
        services.rebate_update(
            actor=cm,
            rebate_id=rebate.pk,
            data=RebateUpdateIn.model_validate({"status": "received", "on": "2026-08-20", "received": "80"}),
        )
    services.rebate_update(
        actor=cm,
        rebate_id=rebate.pk,
        data=RebateUpdateIn.model_validate({"status": "sent", "on": "2026-08-02"}),
    )
    services.rebate_update(
        actor=cm,
        rebate_id=rebate.pk,
        data=RebateUpdateIn.model_validate({"status": "received", "on": "2026-08-20", "received": "80.00"}),
    )
    shares = dict(RebateShare.objects.values_list("member_id", "amount"))
    assert shares == {world.member.pk: D("60.00"), world.other_member.pk: D("20.00")}
    [row] = selectors.net_benefit(world.actor(Role.MEMBER_BUYER), 2026)
    assert row["rebates"] == D("60.00") and row["charge"] is None and row["net_benefit"] is None
    # A supplier sees its own rebate statements; a member does not see suppliers' rebates.
    assert list(selectors.rebates(world.actor(Role.SUPPLIER_USER))) == [rebate]
    with pytest.raises(PermissionDenied):
        selectors.rebates(world.actor(Role.MEMBER_BUYER))
    with pytest.raises(PermissionDenied):
        services.rebates_raise(actor=world.actor(Role.MEMBER_BUYER))
