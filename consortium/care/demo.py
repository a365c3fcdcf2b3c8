"""Demo data for care price benchmarking: providers, homes, menus, a year of placements
across the two social-care councils, and the seed's John Smith case (client 1234).
Idempotent: nothing is added twice.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal as D

from consortium.care import services
from consortium.care.constants import Element as E
from consortium.care.constants import Grade
from consortium.care.models import CareHome, CareLevel, NeedsAssessment, PriceMenu
from consortium.care.services import AgreedInput, MenuItemInput
from consortium.organisations.acting import Actor, actor_for
from consortium.organisations.constants import OrganisationKind, Role
from consortium.organisations.models import Organisation, Person, RoleAssignment

MENU_START = dt.date(2026, 4, 1)

# The seed's Cherrytrees menu, with the prices that give the John Smith case.
CHERRYTREES_PRICES = [
    (E.ACCOMMODATION_SHARED_BEDROOM, "446.00", None, ""),
    (E.ACCOMMODATION_STUDIO, "472.00", None, ""),
    (E.SUPPLEMENT, "5.00", None, ""),
    (E.DAYTIME_SHARED, "3.14", 3, ""),
    (E.DAYTIME_SHARED, "2.50", 4, ""),
    (E.NIGHT_SLEEPING, "13.00", 3, ""),
    (E.NIGHT_WAKING, "24.00", 4, ""),
    (E.ONE_TO_ONE, "7.00", None, Grade.DOMICILIARY),
    (E.ONE_TO_ONE, "10.00", None, Grade.QUALIFIED),
    (E.ONE_TO_ONE_DAY_SHIFT, "120.00", None, Grade.DOMICILIARY),
    (E.ONE_TO_ONE_NIGHT_SHIFT, "90.00", None, Grade.DOMICILIARY),
    (E.SPECIALIST, "3.00", None, ""),
    (E.LIFE_SKILLS, "7.00", None, ""),
    (E.TRANSITION, "7.50", None, ""),
]

# Other providers: (provider, Companies House number, homes, price factor against typical, highest level)
PROVIDERS = [
    ("Oakfield Supported Living Ltd", "08223401", ["Oakfield House", "Oakfield Court"], "0.92", 3),
    ("Meadowbank Care Homes Ltd", "08223402", ["Meadowbank"], "1.05", 3),
    ("Trentside Care Ltd", "08223403", ["Trentside Lodge"], "0.97", 2),
    ("Beacon Support Services Ltd", "08223404", ["Beacon View"], "1.10", 3),
    ("Hollybush Care Ltd", "08223405", ["Hollybush Grange"], "0.88", 3),
    ("Riverside Living Ltd", "08223406", ["Riverside"], "1.00", 3),
    ("Kingfisher Care plc", "01334501", ["Kingfisher Place", "Kingfisher Mews"], "1.15", 3),
]

TYPICAL = {
    E.ACCOMMODATION_SHARED_BEDROOM: ("380.00", None, ""),
    E.ACCOMMODATION_STUDIO: ("430.00", None, ""),
    E.ACCOMMODATION_ONE_BED: ("480.00", None, ""),
    E.SUPPLEMENT: ("5.00", None, ""),
    E.DAYTIME_SHARED: ("3.00", 3, ""),
    E.NIGHT_SLEEPING: ("12.00", 3, ""),
    E.NIGHT_WAKING: ("22.00", 4, ""),
    E.ONE_TO_ONE: ("6.80", None, Grade.DOMICILIARY),
    E.SPECIALIST: ("3.20", None, ""),
    E.LIFE_SKILLS: ("6.90", None, ""),
    E.TRANSITION: ("7.20", None, ""),
}


def _commissioner(council: Organisation) -> Actor:
    person = Person.objects.get(email="commissioner@staffordshire.example")
    actor = actor_for(person, council.pk)
    assert actor is not None
    return actor


def _system_provider_actor(provider: Organisation) -> Actor:
    return Actor(
        person=Person.objects.get(email="admin@cbc.example"),
        organisation=provider,
        roles=frozenset({Role.SUPPLIER_USER}),
    )


def _menu(provider: Organisation, home_name: str, level_rank: int, prices: list[tuple]) -> None:  # type: ignore[type-arg]
    actor = _system_provider_actor(provider)
    home = CareHome.objects.filter(provider=provider, name=home_name).first() or services.care_home_create(
        actor=actor, name=home_name, town=provider.town, postcode=provider.postcode
    )
    if not PriceMenu.objects.filter(home=home).exists():
        services.price_menu_submit(
            actor=actor,
            home=home,
            highest_level=CareLevel.objects.get(rank=level_rank),
            effective_from=MENU_START,
            items=[MenuItemInput(e, p, r, g) for e, p, r, g in prices],
        )


def load_care_demo() -> None:
    services.care_levels_ensure_defaults()
    cherrytrees = Organisation.objects.get(name="Cherrytrees Care Ltd")
    _menu(cherrytrees, "Cherrytrees", 3, CHERRYTREES_PRICES)
    rng = random.Random(2007)
    for name, number, homes, factor, level in PROVIDERS:
        provider, _ = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": OrganisationKind.SUPPLIER,
                "identifier": number,
                "is_sme": True,
                "is_local": True,
                "town": "Stafford",
                "postcode": "ST16 1AA",
            },
        )
        person_email = f"care@{name.split()[0].lower()}.example"
        if not RoleAssignment.objects.filter(organisation=provider).exists():
            from django.contrib.auth.hashers import make_password

            from consortium.organisations.demo import DEMO_PASSWORD

            person, _ = Person.objects.get_or_create(
                email=person_email,
                defaults={
                    "full_name": f"{name.split()[0]} Care Manager",
                    "password": make_password(DEMO_PASSWORD),
                },
            )
            RoleAssignment.objects.get_or_create(
                person=person, organisation=provider, role=Role.SUPPLIER_USER
            )
        for home in homes:
            prices = [
                (e, str((D(p) * D(factor) * D(rng.uniform(0.95, 1.05))).quantize(D("0.01"))), r, g)
                for e, (p, r, g) in TYPICAL.items()
            ]
            _menu(provider, home, level, prices)
    _placements(rng)
    _john_smith()
    services.benchmarks_refresh()


def _placements(rng: random.Random) -> None:
    """A year of placements across the two social-care councils, so benchmarks show."""
    councils = [
        Organisation.objects.get(name="Staffordshire County Council"),
        Organisation.objects.get(name="Stoke-on-Trent City Council"),
    ]
    if NeedsAssessment.objects.filter(client_reference__startswith="DEMO-").exists():
        return
    levels = {lvl.rank: lvl for lvl in CareLevel.objects.all()}
    menus = list(PriceMenu.objects.select_related("home").exclude(home__name="Cherrytrees"))
    for n in range(36):
        council = councils[n % 2]
        actor = _commissioner(council)
        assessment = services.assessment_create(
            actor=actor,
            client_reference=f"DEMO-{n + 1:03d}",
            level=levels[rng.choice([1, 2, 2, 3])],
            weekly_budget=D(rng.choice(["650", "750", "900"])),
            accommodation_type="own_bedroom_shared_living",
            daytime_hours=rng.choice([30, 45, 60]),
            daytime_ratio=3,
            night_sleeping_nights=7,
            night_sleeping_ratio=3,
            one_to_one_hours=rng.choice([7, 10, 14]),
            specialist_hours=rng.choice([0, 4, 7]),
            life_skills_hours=rng.choice([5, 10]),
        )
        menu = menus[n % len(menus)]
        if menu.highest_level.rank < assessment.level.rank:
            menu = next(m for m in menus if m.highest_level.rank >= assessment.level.rank)
        negotiation = services.negotiation_open(actor=actor, assessment=assessment, menu=menu)
        services.negotiation_record_agreed(
            actor=actor,
            negotiation=negotiation,
            lines=[
                AgreedInput(
                    line.pk,
                    (line.quoted_unit_price * D(rng.uniform(0.9, 1.0))).quantize(D("0.01")),
                    line.quantity,
                )
                for line in negotiation.lines.all()
            ],
        )
        services.placement_confirm(
            actor=actor, negotiation=negotiation, start_date=dt.date(2026, 4, 6) + dt.timedelta(days=7 * n)
        )


def _john_smith() -> None:
    """The seed's case study: client 1234, ready to quote (the demo takes it to placement)."""
    council = Organisation.objects.get(name="Staffordshire County Council")
    if NeedsAssessment.objects.filter(council=council, client_reference="1234").exists():
        return
    services.assessment_create(
        actor=_commissioner(council),
        client_reference="1234",
        level=CareLevel.objects.get(name="Moderate"),
        weekly_budget=D("700.00"),
        accommodation_type="own_bedroom_shared_living",
        daytime_hours=50,
        daytime_ratio=3,
        night_sleeping_nights=7,
        night_sleeping_ratio=3,
        one_to_one_hours=14,
        one_to_one_grade=Grade.DOMICILIARY,
        specialist_hours=7,
        life_skills_hours=10,
    )
