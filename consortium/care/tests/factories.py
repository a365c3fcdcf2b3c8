"""A small care market for tests: the Cherrytrees menu, five other providers, placements,
and the John Smith case (client 1234) in the world's member council."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal as D

from consortium.care import services
from consortium.care.constants import Element as E
from consortium.care.constants import Grade
from consortium.care.demo import CHERRYTREES_PRICES
from consortium.care.models import CareHome, CareLevel, NeedsAssessment, Negotiation, PriceMenu
from consortium.care.services import MenuItemInput
from consortium.organisations.acting import Actor
from consortium.organisations.constants import OrganisationKind, Role
from consortium.organisations.models import Organisation
from consortium.organisations.tests.factories import PersonFactory, RoleAssignmentFactory

JOHN_SMITH = {
    "client_reference": "1234",
    "weekly_budget": D("700.00"),
    "accommodation_type": "own_bedroom_shared_living",
    "daytime_hours": 50,
    "daytime_ratio": 3,
    "night_sleeping_nights": 7,
    "night_sleeping_ratio": 3,
    "one_to_one_hours": 14,
    "one_to_one_grade": Grade.DOMICILIARY,
    "specialist_hours": 7,
    "life_skills_hours": 10,
}


@dataclass
class CareWorld:
    cherrytrees_home: CareHome
    cherrytrees_menu: PriceMenu
    john_smith: NeedsAssessment
    other_council_assessment: NeedsAssessment
    other_commissioner: Actor
    commissioner: Actor


def provider_actor(provider: Organisation) -> Actor:
    person = PersonFactory()
    RoleAssignmentFactory(person=person, organisation=provider, role=Role.SUPPLIER_USER)
    return Actor(person=person, organisation=provider, roles=frozenset({Role.SUPPLIER_USER}))


def submit_menu(
    provider: Organisation, home_name: str, prices: list[tuple], level: str = "High"
) -> PriceMenu:  # type: ignore[type-arg]
    actor = provider_actor(provider)
    home = services.care_home_create(actor=actor, name=home_name)
    return services.price_menu_submit(
        actor=actor,
        home=home,
        highest_level=CareLevel.objects.get(name=level),
        effective_from=dt.date(2026, 1, 1),
        items=[MenuItemInput(e, p, r, g) for e, p, r, g in prices],
    )


def build_care_world(world) -> CareWorld:  # type: ignore[no-untyped-def]
    services.care_levels_ensure_defaults()
    commissioner = world.actor(Role.COMMISSIONER)
    menu = submit_menu(world.supplier, "Cherrytrees", CHERRYTREES_PRICES)
    moderate = CareLevel.objects.get(name="Moderate")
    # Another council with adult social care duties, whose commissioner placed clients with
    # five providers: its placements make the benchmark show to the first council (nobody
    # sees a benchmark moved by their own council's placements).
    stoke = Organisation.objects.create(
        name="Stoke-on-Trent City Council", kind=OrganisationKind.UNITARY_COUNCIL, identifier="E06000021"
    )
    other_person = PersonFactory(email="other.commissioner@example.org")
    RoleAssignmentFactory(person=other_person, organisation=stoke, role=Role.COMMISSIONER)
    other = Actor(person=other_person, organisation=stoke, roles=frozenset({Role.COMMISSIONER}))
    for i in range(5):
        provider = Organisation.objects.create(name=f"Care Provider {i}", kind=OrganisationKind.SUPPLIER)
        factor = D("0.70") + D(i) / 20  # all cheaper than Cherrytrees, as in the seed
        prices = [(e, str((D(p) * factor).quantize(D("0.01"))), r, g) for e, p, r, g in CHERRYTREES_PRICES]
        other_menu = submit_menu(provider, f"Home {i}", prices)
        assessment = services.assessment_create(
            actor=other, level=moderate, **{**JOHN_SMITH, "client_reference": f"P{i}"}
        )
        negotiation = services.negotiation_open(actor=other, assessment=assessment, menu=other_menu)
        services.placement_confirm(actor=other, negotiation=negotiation, start_date=dt.date(2026, 2, 1))
    services.benchmarks_refresh(on=dt.date(2026, 6, 1))
    john_smith = services.assessment_create(actor=commissioner, level=moderate, **JOHN_SMITH)
    other_assessment = services.assessment_create(
        actor=other, level=moderate, **{**JOHN_SMITH, "client_reference": "X9"}
    )
    return CareWorld(menu.home, menu, john_smith, other_assessment, other, commissioner)


def open_negotiation(care: CareWorld) -> Negotiation:
    return services.negotiation_open(
        actor=care.commissioner, assessment=care.john_smith, menu=care.cherrytrees_menu
    )


def agree_john_smith(care: CareWorld) -> Negotiation:
    """The seed's Home Negotiation for John Smith at Cherrytrees: £883.00 quoted, £685.00 agreed
    (shared bedroom at £346.00, night sleeping cover dropped, 13 hours of one-to-one at £7.00)."""
    from consortium.care.constants import Element
    from consortium.care.services import AgreedInput

    negotiation = open_negotiation(care)
    agreed = {
        Element.ACCOMMODATION_SHARED_BEDROOM: ("346.00", "1"),
        Element.NIGHT_SLEEPING: ("13.00", "0"),
        Element.ONE_TO_ONE: ("7.00", "13"),
    }
    services.negotiation_record_agreed(
        actor=care.commissioner,
        negotiation=negotiation,
        lines=[
            AgreedInput(line.pk, *agreed.get(line.element, (line.agreed_unit_price, line.agreed_quantity)))
            for line in negotiation.lines.all()
        ],
    )
    negotiation.refresh_from_db()
    return negotiation


__all__ = ["JOHN_SMITH", "CareWorld", "E", "agree_john_smith", "build_care_world", "open_negotiation"]
