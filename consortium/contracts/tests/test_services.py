"""Contracts: set-up rules, lots, and the draft → live → expired state machine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from consortium.audit.models import AuditEvent
from consortium.contracts import services
from consortium.contracts.constants import CONTRACT_TRANSITIONS, Access, ContractStatus
from consortium.contracts.models import Contract
from consortium.core.errors import Conflict, PermissionDenied, ValidationFailed
from consortium.organisations.constants import Role

START, END = dt.date(2027, 1, 1), dt.date(2028, 12, 31)


def _create(world, **overrides):  # type: ignore[no-untyped-def]
    values = {
        "actor": world.actor(Role.CATEGORY_MANAGER),
        "reference": "CBC-STAT-01",
        "title": "Stationery",
        "scope": "regional",
        "start_date": START,
        "end_date": END,
    } | overrides
    return services.contract_create(**values)


def test_a_category_manager_sets_up_a_draft_contract_let_by_the_consortium(world):
    contract = _create(world, rebate_percent="1.5", extension_months=24, cpv_codes=["30192000"])
    assert contract.status == ContractStatus.DRAFT
    assert contract.let_by == world.consortium
    assert contract.rebate_percent == Decimal("1.5")
    assert AuditEvent.objects.filter(action="contract.create", object_id=str(contract.pk)).exists()


def test_a_member_may_let_a_contract_for_others_to_piggy_back_on(world):
    contract = _create(world, let_by=world.other_member, access=Access.NAMED, access_named=[world.member])
    assert contract.let_by == world.other_member
    assert list(contract.access_named.all()) == [world.member]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reference": " "}, "reference"),
        ({"title": ""}, "title"),
        ({"scope": "galactic"}, "scope"),
        ({"kind": "loan"}, "kind"),
        ({"end_date": dt.date(2026, 1, 1)}, "end_date"),
        ({"access": "anyone"}, "access"),
        ({"access": Access.KINDS, "access_kinds": ["supplier"]}, "access_kinds"),
        ({"access": Access.NAMED}, "access_named"),
        ({"rebate_percent": "101"}, "rebate_percent"),
        ({"rebate_percent": "lots"}, "rebate_percent"),
    ],
)
def test_bad_details_are_named_and_nothing_is_stored(world, overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        _create(world, **overrides)
    assert field in caught.value.field_errors
    assert not Contract.objects.exists()


def test_a_reference_is_unique(world):
    _create(world)
    with pytest.raises(Conflict):
        _create(world)


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.CATEGORY_MANAGER, Role.CONSORTIUM_ADMIN)])
def test_only_the_consortium_manages_contracts(world, role):
    with pytest.raises(PermissionDenied):
        _create(world, actor=world.actor(role))


def test_a_lot_needs_suppliers_and_a_free_number(world):
    contract = _create(world)
    actor = world.actor(Role.CATEGORY_MANAGER)
    with pytest.raises(ValidationFailed):
        services.lot_add(actor=actor, contract=contract, number=1, title="Paper", suppliers=[world.member])
    services.lot_add(actor=actor, contract=contract, number=1, title="Paper", suppliers=[world.supplier])
    with pytest.raises(Conflict):
        services.lot_add(actor=actor, contract=contract, number=1, title="Again", suppliers=[world.supplier])


ALL_PAIRS = [(a, b) for a in ContractStatus for b in ContractStatus]


@pytest.mark.parametrize(("start", "to"), ALL_PAIRS)
def test_every_transition_is_allowed_or_refused_as_the_table_says(world, start, to):
    contract = _create(world)
    services.lot_add(
        actor=world.actor(Role.CATEGORY_MANAGER),
        contract=contract,
        number=1,
        title="Paper",
        suppliers=[world.supplier],
    )
    Contract.objects.filter(pk=contract.pk).update(status=start)
    contract.refresh_from_db()
    if to in CONTRACT_TRANSITIONS[start]:
        services.contract_transition(actor=world.actor(Role.CATEGORY_MANAGER), contract=contract, to=to)
        contract.refresh_from_db()
        assert contract.status == to
    else:
        with pytest.raises(Conflict):
            services.contract_transition(actor=world.actor(Role.CATEGORY_MANAGER), contract=contract, to=to)
        contract.refresh_from_db()
        assert contract.status == start


def test_a_contract_without_lots_cannot_go_live(world):
    contract = _create(world)
    with pytest.raises(Conflict, match="lot"):
        services.contract_transition(
            actor=world.actor(Role.CATEGORY_MANAGER), contract=contract, to=ContractStatus.LIVE
        )
