"""Benchmarks reveal no provider's rate: the attacks of docs/security.md, tried."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consortium.care import selectors, services
from consortium.care.constants import Element
from consortium.care.models import CareLevel
from consortium.care.statistics import protected_spread
from consortium.care.tests.factories import CHERRYTREES_PRICES, JOHN_SMITH, submit_menu
from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.organisations import services as org_services
from consortium.organisations.acting import Actor
from consortium.organisations.constants import OrganisationKind, Role
from consortium.organisations.models import Organisation
from consortium.organisations.tests.factories import PersonFactory, RoleAssignmentFactory

pytestmark = pytest.mark.django_db

KEY = (Element.LIFE_SKILLS, None, "")


def _council(name: str, kind: str = OrganisationKind.UNITARY_COUNCIL) -> Actor:
    council = Organisation.objects.create(name=name, kind=kind)
    person = PersonFactory()
    RoleAssignmentFactory(person=person, organisation=council, role=Role.COMMISSIONER)
    return Actor(person=person, organisation=council, roles=frozenset({Role.COMMISSIONER}))


def _place(commissioner: Actor, provider_name: str, price: str) -> None:
    provider = Organisation.objects.create(name=provider_name, kind=OrganisationKind.SUPPLIER)
    prices = [(e, price if e == Element.LIFE_SKILLS else p, r, g) for e, p, r, g in CHERRYTREES_PRICES]
    menu = submit_menu(provider, f"{provider_name} Home", prices)
    level = CareLevel.objects.get(name="Moderate")
    assessment = services.assessment_create(
        actor=commissioner,
        level=level,
        **{**JOHN_SMITH, "life_skills_hours": D(4), "client_reference": f"C{provider.pk}"},
    )
    negotiation = services.negotiation_open(actor=commissioner, assessment=assessment, menu=menu)
    services.placement_confirm(actor=commissioner, negotiation=negotiation, start_date=dt.date(2026, 3, 1))


def _seen(actor: Actor):  # type: ignore[no-untyped-def]
    services.benchmarks_refresh(on=dt.date(2026, 6, 1))
    return {b.key: b for b in selectors.benchmark_list_for(actor)}.get(KEY)


@pytest.fixture
def four_elsewhere(world):  # type: ignore[no-untyped-def]
    """Four providers placed with by other councils: one short of showing."""
    services.care_levels_ensure_defaults()
    others = _council("Stoke-on-Trent City Council")
    for i, price in enumerate(("31.17", "33.40", "36.05", "39.91")):
        _place(others, f"Provider {i}", price)
    return others


def test_a_council_cannot_unmask_a_cell_with_its_own_placements(world, four_elsewhere):
    attacker = world.actor(Role.COMMISSIONER)
    before = _seen(attacker)
    assert before is not None and before.spread is None and before.providers == 4
    # The attacker places a client with a fifth (friendly) provider at a price it chose...
    _place(attacker, "Friendly Care Ltd", "1.00")
    after = _seen(attacker)
    # ...and still sees nothing: its own placements never count in what it sees.
    assert after is not None and after.spread is None and after.providers == 4
    # Other councils do see the cell now (five providers), but not as one provider's price.
    bystander = _seen(_council("Derby City Council"))
    assert bystander is not None and bystander.spread is not None
    prices = {D("31.17"), D("33.40"), D("36.05"), D("39.91"), D("1.00")}
    s = bystander.spread
    for figure in (s.minimum, s.lower_quartile, s.median, s.upper_quartile, s.maximum):
        assert figure not in prices


def test_what_a_council_sees_does_not_move_when_it_adds_placements(world, four_elsewhere):
    _place(four_elsewhere, "Provider 4", "41.20")
    attacker = world.actor(Role.COMMISSIONER)
    before = _seen(attacker)
    assert before is not None and before.spread is not None
    for i, price in enumerate(("1.00", "999.00", "40.00")):
        _place(attacker, f"Probe {i}", price)
        assert _seen(attacker) == before  # differencing gives nothing


def test_the_threshold_never_drops_below_five(world, four_elsewhere, settings):
    settings.CARE_BENCHMARK_MIN_PROVIDERS = 2
    assert _seen(world.actor(Role.COMMISSIONER)).spread is None  # type: ignore[union-attr]


def test_a_provider_never_sees_itself_in_the_figures(world, four_elsewhere):
    _place(four_elsewhere, "Provider 4", "41.20")
    _place(four_elsewhere, "Provider 5", "44.00")
    provider = Organisation.objects.get(name="Provider 5")
    person = PersonFactory()
    RoleAssignmentFactory(person=person, organisation=provider, role=Role.SUPPLIER_USER)
    as_provider = Actor(person=person, organisation=provider, roles=frozenset({Role.SUPPLIER_USER}))
    seen = _seen(as_provider)
    assert seen is not None and seen.providers == 5  # the other five
    everyone = {b.key: b for b in selectors.benchmark_list_for(_council("Derby City Council"))}[KEY]
    assert everyone.providers == 6 and everyone.spread != seen.spread


@given(st.lists(st.decimals(min_value=1, max_value=2000, places=2), min_size=5, max_size=30, unique=True))
def test_no_end_is_one_providers_price_and_the_figures_are_ordered(values):
    s = protected_spread(values)
    ordered = sorted(values)
    assert s.minimum <= s.lower_quartile <= s.median <= s.upper_quartile <= s.maximum
    assert ordered[0] < s.minimum or s.minimum == s.lower_quartile  # never the exact minimum
    assert s.maximum < ordered[-1] or s.maximum == s.upper_quartile  # never the exact maximum
    assert s.minimum != ordered[0] and s.maximum != ordered[-1]


def test_only_councils_with_adult_social_care_commission(world):
    approver = world.actor(Role.APPROVER)  # a school's approver
    with pytest.raises(ValidationFailed):
        org_services.role_grant(
            actor=approver, person=approver.person, organisation=approver.organisation, role=Role.COMMISSIONER
        )
    district = Organisation.objects.create(name="Cannock Chase District Council", kind="district_council")
    with pytest.raises(ValidationFailed):
        org_services.role_grant(
            actor=world.actor(Role.CONSORTIUM_ADMIN),
            person=PersonFactory(),
            organisation=district,
            role=Role.COMMISSIONER,
        )
    # A commissioner role held at a district by older data still places no one.
    services.care_levels_ensure_defaults()
    person = PersonFactory()
    RoleAssignmentFactory(person=person, organisation=district, role=Role.COMMISSIONER)
    actor = Actor(person=person, organisation=district, roles=frozenset({Role.COMMISSIONER}))
    with pytest.raises(PermissionDenied):
        _place(actor, "Any Care Ltd", "30.00")
