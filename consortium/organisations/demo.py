"""The demo consortium's bodies and people: the Staffordshire partners of the seed,
schools, suppliers, and one person per role. Loading is idempotent. The whole demo
(these, then each system's demo data) is loaded by `consortium.demo.loader`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from consortium.organisations.constants import OrganisationKind as K
from consortium.organisations.constants import Role
from consortium.organisations.models import Membership, Organisation, Person, RoleAssignment

DEMO_PASSWORD = "consortium-demo-2026"
CONSORTIUM_NAME = "Central Buying Consortium"
JOINED = dt.date(2024, 4, 1)

# name, kind, identifier, town, postcode
COUNCILS = [
    ("Cannock Chase District Council", K.DISTRICT_COUNCIL, "E07000192", "Cannock", "WS11 1BG"),
    ("East Staffordshire Borough Council", K.DISTRICT_COUNCIL, "E07000193", "Burton upon Trent", "DE14 2EB"),
    ("Lichfield District Council", K.DISTRICT_COUNCIL, "E07000194", "Lichfield", "WS13 6YU"),
    (
        "Newcastle-under-Lyme Borough Council",
        K.DISTRICT_COUNCIL,
        "E07000195",
        "Newcastle-under-Lyme",
        "ST5 1BL",
    ),
    ("South Staffordshire Council", K.DISTRICT_COUNCIL, "E07000196", "Codsall", "WV8 1PX"),
    ("Stafford Borough Council", K.DISTRICT_COUNCIL, "E07000197", "Stafford", "ST16 3AQ"),
    ("Staffordshire Moorlands District Council", K.DISTRICT_COUNCIL, "E07000198", "Leek", "ST13 6HQ"),
    ("Tamworth Borough Council", K.DISTRICT_COUNCIL, "E07000199", "Tamworth", "B79 7BZ"),
    ("Staffordshire County Council", K.COUNTY_COUNCIL, "E10000028", "Stafford", "ST16 2DH"),
    ("Stoke-on-Trent City Council", K.UNITARY_COUNCIL, "E06000021", "Stoke-on-Trent", "ST4 1HH"),
]
BLUE_LIGHT = [
    ("Staffordshire Police", K.POLICE, "", "Stafford", "ST18 0YY"),
    ("Stoke-on-Trent and Staffordshire Fire and Rescue Service", K.FIRE_AND_RESCUE, "", "Stone", "ST15 0BS"),
]
# name, identifier (URN), town, postcode, parent
SCHOOLS = [
    ("Moorside Primary School", "124301", "Leek", "ST13 5AB", "Staffordshire County Council"),
    ("Chase Valley High School", "124302", "Cannock", "WS11 2CD", "Staffordshire County Council"),
    ("Trentham Community Academy", "139211", "Stoke-on-Trent", "ST4 8EF", "Stoke-on-Trent City Council"),
]
VOLUNTARY = [("Support Staffordshire", K.VOLUNTARY_ORGANISATION, "1160937", "Stafford", "ST16 2AB")]
# name, Companies House number, town, postcode, SME, local, voluntary sector
SUPPLIERS = [
    ("Midlands Office Supplies Ltd", "08123401", "Stafford", "ST16 1AA", True, True, False),
    ("Trent Valley Cleaning Supplies Ltd", "08123402", "Burton upon Trent", "DE14 1AB", True, True, False),
    ("Moorlands Catering Ltd", "08123403", "Leek", "ST13 6AA", True, True, False),
    ("Potteries IT Services Ltd", "08123404", "Stoke-on-Trent", "ST1 1AA", True, True, False),
    ("Cannock Furniture Company Ltd", "08123405", "Cannock", "WS11 1AA", True, True, False),
    ("Cherrytrees Care Ltd", "08123406", "Stone", "ST15 8AA", True, True, False),
    ("Leek Community Transport", "08123407", "Leek", "ST13 5BB", True, True, True),
    ("National Stationery Group plc", "01234501", "Milton Keynes", "MK9 1AA", False, False, False),
    ("Britannia Facilities plc", "01234502", "Leeds", "LS1 1AA", False, False, False),
    ("UK Education Supplies Ltd", "01234503", "Bristol", "BS1 1AA", False, False, False),
    ("Civic Technology Ltd", "01234504", "Manchester", "M1 1AA", False, False, False),
    ("Greenway Janitorial Ltd", "06543201", "Nottingham", "NG1 1AA", True, False, False),
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    job_title: str
    roles: tuple[tuple[str, Role], ...]  # (organisation name, role)


DEMO_PEOPLE = [
    DemoPerson(
        "admin@cbc.example", "Alex Admin", "Consortium manager", ((CONSORTIUM_NAME, Role.CONSORTIUM_ADMIN),)
    ),
    DemoPerson(
        "category.manager@cbc.example",
        "Chris Category",
        "Category manager, corporate services",
        ((CONSORTIUM_NAME, Role.CATEGORY_MANAGER),),
    ),
    DemoPerson(
        "buyer@moorside.example",
        "Bina Buyer",
        "School business manager",
        (("Moorside Primary School", Role.MEMBER_BUYER),),
    ),
    DemoPerson(
        "approver@moorside.example",
        "Adam Approver",
        "Headteacher",
        (("Moorside Primary School", Role.APPROVER),),
    ),
    DemoPerson(
        "commissioner@staffordshire.example",
        "Carla Commissioner",
        "Commissioning officer, adult social care",
        (
            ("Staffordshire County Council", Role.COMMISSIONER),
            ("Stoke-on-Trent City Council", Role.COMMISSIONER),
        ),
    ),
    DemoPerson(
        "evaluator@stafford.example",
        "Evan Evaluator",
        "Procurement officer",
        (("Stafford Borough Council", Role.EVALUATOR), (CONSORTIUM_NAME, Role.EVALUATOR)),
    ),
    DemoPerson(
        "supplier@midlands-office.example",
        "Sam Supplier",
        "Public sector account manager",
        (("Midlands Office Supplies Ltd", Role.SUPPLIER_USER),),
    ),
    DemoPerson(
        "partner.officer@cannock.example",
        "Pat Partner",
        "Customer services officer",
        (("Cannock Chase District Council", Role.PARTNER_OFFICER),),
    ),
    DemoPerson(
        "highways@staffordshire.example",
        "Hana Highways",
        "Highways customer liaison officer",
        (("Staffordshire County Council", Role.PARTNER_OFFICER),),
    ),
    DemoPerson(
        "customer.services@stafford.example",
        "Stan Stafford",
        "Customer services officer",
        (("Stafford Borough Council", Role.PARTNER_OFFICER),),
    ),
    DemoPerson(
        "finance@cannock.example",
        "Fran Finance",
        "Income officer",
        (("Cannock Chase District Council", Role.FINANCE_OFFICER),),
    ),
    DemoPerson(
        "finance.manager@cannock.example",
        "Frank Ledger",
        "Finance manager (approves refunds)",
        (("Cannock Chase District Council", Role.FINANCE_OFFICER),),
    ),
    DemoPerson(
        "procurement@tamworth.example",
        "Tara Tender",
        "Procurement and sustainability lead",
        (("Tamworth Borough Council", Role.APPROVER),),
    ),
    DemoPerson(
        "procurement@police.example",
        "Pete Purchasing",
        "Head of procurement",
        (("Staffordshire Police", Role.APPROVER),),
    ),
]


def _organisation(
    name: str, kind: str, identifier: str, town: str, postcode: str, **extra: object
) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        name=name,
        defaults={"kind": kind, "identifier": identifier, "town": town, "postcode": postcode, **extra},
    )
    return organisation


@transaction.atomic
def load_organisations_demo() -> Organisation:
    """Create or refresh the demo consortium's bodies, memberships and people; returns the consortium."""
    # Its PPON, as the Central Digital Platform would issue one (a demo value).
    consortium = _organisation(CONSORTIUM_NAME, K.CONSORTIUM, "PCBC-0001-DEMO", "Stafford", "ST16 2LH")
    members: list[Organisation] = []
    for row in COUNCILS + BLUE_LIGHT + VOLUNTARY:
        members.append(_organisation(*row))
    for name, urn, town, postcode, parent in SCHOOLS:
        members.append(
            _organisation(name, K.SCHOOL, urn, town, postcode, parent=Organisation.objects.get(name=parent))
        )
    for name, number, town, postcode, sme, local, voluntary in SUPPLIERS:
        _organisation(
            name,
            K.SUPPLIER,
            number,
            town,
            postcode,
            is_sme=sme,
            is_local=local,
            is_voluntary_sector=voluntary,
        )
    for member in members:
        Membership.objects.get_or_create(
            consortium=consortium, organisation=member, left_on=None, defaults={"joined_on": JOINED}
        )
    for demo in DEMO_PEOPLE:
        person = Person.objects.filter(email=demo.email).first()
        if person is None:
            person = Person.objects.create_user(
                demo.email, DEMO_PASSWORD, full_name=demo.full_name, job_title=demo.job_title
            )
        for org_name, role in demo.roles:
            RoleAssignment.objects.get_or_create(
                person=person, organisation=Organisation.objects.get(name=org_name), role=role
            )
    return consortium


def demo_sign_ins() -> list[tuple[str, str, str]]:
    """(role, organisation, e-mail) for each demo person, to print when the demo starts."""
    return [
        (", ".join(dict.fromkeys(Role(r).label for _, r in p.roles)), p.roles[0][0], p.email)
        for p in DEMO_PEOPLE
    ]
