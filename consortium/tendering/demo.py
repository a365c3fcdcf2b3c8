"""Demo procurements, one at each stage, run through the services by demo people: collecting
demand, open for bids, in evaluation, in standstill, and awarded (its contract live in the
marketplace). Each is run on the days it would have been, so its dates, releases and notices
follow the product's own rules (a real tendering period, an opening after the deadline, a
standstill of the lawful length)."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal as D
from typing import Any
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.db import transaction

from consortium.core.dates import LONDON, today_in_london
from consortium.organisations.acting import Actor, actor_for
from consortium.organisations.constants import Role
from consortium.organisations.models import Organisation, Person, RoleAssignment
from consortium.tendering import selectors, services
from consortium.tendering.constants import CriterionKind
from consortium.tendering.models import Bid, Project
from consortium.tendering.scoring import CostProfile
from consortium.tendering.timetable import earliest_timetable

DESCRIPTORS = [
    {"score": 0, "descriptor": "No answer, or does not address the requirement"},
    {"score": 1, "descriptor": "Major gaps; little confidence it would be delivered"},
    {"score": 2, "descriptor": "Partly meets the requirement; some concerns"},
    {"score": 3, "descriptor": "Meets the requirement with evidence"},
    {"score": 4, "descriptor": "Meets it fully with strong, specific evidence"},
    {"score": 5, "descriptor": "Exceeds it; adds value with clear evidence"},
]

# stage, title, category, contract type, price method, lots (title, unit, est. unit price), suppliers
PROCUREMENTS = [
    (
        "demand",
        "Multi-functional devices and print management",
        "ict",
        "goods",
        "whole_life_cost",
        [("Devices and managed print", "device", "1800.00"), ("Paper and consumables", "ream", "3.90")],
        ["Potteries IT Services Ltd", "Civic Technology Ltd", "Midlands Office Supplies Ltd"],
    ),
    (
        "open",
        "Cleaning materials and janitorial supplies",
        "cleaning",
        "goods",
        "lowest_price",
        [("Washroom and hygiene", "case", "18.50"), ("Floor care", "case", "24.00")],
        ["Trent Valley Cleaning Supplies Ltd", "Greenway Janitorial Ltd"],
    ),
    (
        "evaluation",
        "School and office furniture",
        "furniture",
        "goods",
        "lowest_price",
        [("Classroom furniture", "item", "95.00"), ("Office seating", "chair", "140.00")],
        ["Cannock Furniture Company Ltd", "Midlands Office Supplies Ltd", "UK Education Supplies Ltd"],
    ),
    (
        "standstill",
        "Catering provisions for schools",
        "catering",
        "goods",
        "lowest_price",
        [("Fresh and chilled", "delivery", "220.00")],
        ["Moorlands Catering Ltd", "Midlands Office Supplies Ltd"],
    ),
    (
        "awarded",
        "Classroom technology",
        "ict",
        "goods",
        "whole_life_cost",
        [("Interactive displays", "display", "2400.00")],
        ["Potteries IT Services Ltd", "Civic Technology Ltd"],
    ),
]
STAGES = ["demand", "open", "evaluation", "standstill", "awarded"]
# Items the buyer names in a lot's priced schedule (quantity a year, CPV, a typical price the
# demo's bidders price around), besides the lot itself, priced in the quantity members register.
SCHEDULE_ITEMS = {
    "Cleaning materials and janitorial supplies": {
        1: [
            ("Paper hand towels, case of 3,000", "case", D(600), "33763000-6", D("21.40")),
            ("Liquid hand soap, 5 litres", "container", D(240), "33711900-6", D("9.80")),
        ]
    },
    "School and office furniture": {
        2: [("Task chair, ergonomic, 5-year warranty", "chair", D(150), "39112000-0", D("185.00"))]
    },
}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().removesuffix(" ltd")).strip("-")


def _person_for(org: Organisation, role: str, prefix: str, password: str) -> Actor:
    """A demo person of `org` holding `role` (the one already there, or a new one)."""
    existing = RoleAssignment.objects.filter(organisation=org, role=role).select_related("person").first()
    if existing:
        person = existing.person
    else:
        email = f"{prefix}@{_slug(org.name)}.example"
        person = Person.objects.filter(email=email).first() or Person.objects.create(
            email=email, full_name=f"{org.name} {prefix.title()}", password=password
        )
        RoleAssignment.objects.get_or_create(person=person, organisation=org, role=role)
    actor = actor_for(person, org.pk)
    assert actor is not None
    return actor


@contextlib.contextmanager
def _at(day: dt.date, hour: int = 10) -> Iterator[dt.datetime]:
    """Run the services as on `day`, so every date they record — the project's creation,
    each release, the opening, the standstill — is the one it would have had in real time."""
    instant = dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)
    with mock.patch("django.utils.timezone.now", return_value=instant):
        yield instant


def _days(rules: object, today: dt.date) -> int:
    """The tendering period the rules give a tender published today, in days."""
    timetable = earliest_timetable(rules, today)  # type: ignore[arg-type]
    return (timetable.tender_deadline - timetable.publication).days


def load_tendering_demo() -> None:
    if Project.objects.filter(title=PROCUREMENTS[0][1]).exists():
        return
    from consortium.organisations.demo import DEMO_PASSWORD

    rng = random.Random(2023)
    password = make_password(DEMO_PASSWORD)
    consortium = Organisation.objects.get(kind="consortium")
    cm = actor_for(Person.objects.get(email="category.manager@cbc.example"), consortium.pk)
    admin = actor_for(Person.objects.get(email="admin@cbc.example"), consortium.pk)
    evaluator = Person.objects.get(email="evaluator@stafford.example")
    stafford = Organisation.objects.get(name="Stafford Borough Council")
    assert cm is not None and admin is not None
    members = list(
        Organisation.objects.filter(memberships__consortium=consortium, memberships__left_on__isnull=True)
        .distinct()
        .order_by("name")
    )
    today = today_in_london()
    procedure = selectors.procedure_in_force("open", today)
    assert procedure is not None
    rules = selectors.rules_of(procedure)
    period = _days(rules, today)
    # When each one's tender deadline fell (or falls): evaluation under way, an award made two
    # days ago, a contract concluded weeks ago; the open one was published eight days ago.
    deadlines = {
        "open": today - dt.timedelta(days=8) + dt.timedelta(days=period),
        "evaluation": today - dt.timedelta(days=12),
        "standstill": today - dt.timedelta(days=30),
        "awarded": today - dt.timedelta(days=75),
    }
    awards = {"standstill": today - dt.timedelta(days=2), "awarded": today - dt.timedelta(days=40)}
    # The demo's people have run procurements since long before any of these.
    RoleAssignment.objects.filter(person__in=[cm.person, admin.person, evaluator]).update(
        created_at=dt.datetime.combine(today - dt.timedelta(days=730), dt.time(9), tzinfo=LONDON)
    )
    with transaction.atomic():
        for stage, title, category, contract_type, price_method, lots, supplier_names in PROCUREMENTS:
            if stage == "demand":
                publication = today + dt.timedelta(days=18)  # demand opened three days ago
            else:
                publication = deadlines[stage] - dt.timedelta(days=period)
            begin = publication - dt.timedelta(days=21)
            with _at(begin, 9):
                project = _set_up(
                    cm, stage, title, category, contract_type, price_method, lots, members, begin
                )
            with _at(begin + dt.timedelta(days=2), 11):
                # Most members say what they need; a few do not.
                for member in members:
                    if rng.random() < 0.25 or (
                        member.name == "Moorside Primary School" and stage == "demand"
                    ):
                        continue  # Moorside's buyer registers demand in the demo's own walk-through
                    buyer = _person_for(member, Role.MEMBER_BUYER, "buyer", password)
                    rows = [
                        services.DemandIn(
                            n,
                            publication + dt.timedelta(days=100),
                            # Every member says how many (the schedule prices that quantity);
                            # some lots' members also know what they spend a year.
                            estimated_quantity=rng.randint(20, 400),
                            annual_value=None if n % 2 else D(rng.randint(5, 60) * 1000),
                            will_use=rng.random() < 0.9,
                        )
                        for n in range(1, len(lots) + 1)
                    ]
                    services.demand_record(actor=buyer, project=project, rows=rows)
            if stage == "demand":
                continue
            with _at(begin + dt.timedelta(days=14), 17):
                services.demand_close(actor=cm, project=project)
            with _at(publication, 10):
                services.timetable_set(
                    actor=cm,
                    project=project,
                    procedure_code="open",
                    timetable=earliest_timetable(rules, publication),
                )
                services.tender_publish(actor=cm, project=project)
            project.refresh_from_db()
            asked = [c for c in selectors.leaf_criteria(project) if c.kind != CriterionKind.PRICE]
            with _at(publication + dt.timedelta(days=3), 11):
                _bids(project, stage, lots, supplier_names, asked, price_method, password, rng)
            if stage == "open":
                continue
            assert project.tender_deadline is not None
            opened_on = project.tender_deadline.astimezone(LONDON).date() + dt.timedelta(days=1)
            with _at(opened_on, 10):
                services.opening_record(actor=cm, project=project)
                services.opening_record(actor=admin, project=project)
            project.refresh_from_db()
            with _at(opened_on + dt.timedelta(days=1), 10):
                for c in asked:
                    services.evaluator_assign(actor=cm, criterion=c, evaluator=evaluator)
                ev = actor_for(evaluator, stafford.pk)
                assert ev is not None
                services.declaration_make(actor=ev, project=project, conflict=False)
            bids = list(Bid.objects.filter(project=project, status="submitted").order_by("id"))
            for i, c in enumerate(asked):
                scores = {
                    b.pk: services.ScoreIn(
                        rng.randint(2, 5), "Evidence of similar contracts; specific named resources."
                    )
                    for b in bids
                }
                with _at(opened_on + dt.timedelta(days=2 + i), 15):
                    services.scoresheet_submit(actor=ev, criterion=c, scores=scores)
                if stage == "evaluation" and i == len(asked) - 1:
                    break  # the last criterion is still to be moderated
                with _at(opened_on + dt.timedelta(days=3 + i), 11):
                    services.moderation_submit(actor=cm, criterion=c, consensus=scores)
            if stage == "evaluation":
                continue
            with _at(awards[stage], 10):
                services.evaluation_finalise(actor=cm, project=project)
                services.award_approve(actor=admin, project=project)
            if stage == "standstill":
                continue
            project.refresh_from_db()
            assert project.standstill_ends_on is not None
            concluded = project.standstill_ends_on + dt.timedelta(days=1)
            with _at(concluded, 10):
                services.award_conclude(actor=cm, project=project, signed_on=concluded)
            _manage_contract(cm, project, today)


def _manage_contract(cm: Actor, project: Project, today: dt.date) -> None:
    """The awarded contract a few weeks in: milestones (one met), a KPI assessed, a variation."""
    project.refresh_from_db()
    contract = project.awarded_contract
    assert contract is not None
    start = contract.start_date
    with _at(start, 11):  # after the contract was concluded that morning
        services.milestone_add(
            actor=cm,
            project=project,
            title="Displays installed in the first ten schools",
            due_on=start + dt.timedelta(days=14),
        )
        services.milestone_add(
            actor=cm,
            project=project,
            title="First contract review with members",
            due_on=start + dt.timedelta(days=90),
        )
    first_due = start + dt.timedelta(days=14)
    if first_due < today:
        with _at(first_due, 16):
            services.milestone_record(
                actor=cm, project=project, number=1, met=True, on=first_due - dt.timedelta(days=2)
            )
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    if month_end >= start:
        with _at(month_end + dt.timedelta(days=3), 11):
            services.performance_assess(
                actor=cm,
                project=project,
                kpi="Installations completed within 10 working days of order",
                period_end=month_end,
                rating="approaching",
                notes="17 of 19 on time; two delayed by school access.",
            )
    with _at(today - dt.timedelta(days=1), 14):
        services.contract_vary(
            actor=cm,
            project=project,
            description="Ten more interactive displays a year for Staffordshire's libraries, at the contract's prices.",
            rationale="A permitted modification under section 74 of the Procurement Act 2023: within the "
            "contract's scope and below 10% of its value",
            annual_value_change=D("14000.00"),
        )


def _set_up(
    cm: Actor,
    stage: str,
    title: str,
    category: str,
    contract_type: str,
    price_method: str,
    lots: list[tuple[str, str, str]],
    members: list[Organisation],
    begin: dt.date,
) -> Project:
    project = services.project_create(
        actor=cm,
        title=title,
        description=f"{title} for the consortium's members: one procurement, one contract, many buyers.",
        cpv_codes={
            "ict": ["30213000"],
            "cleaning": ["39830000"],
            "furniture": ["39160000"],
            "catering": ["15000000"],
        }[category],
        contract_type=contract_type,
        category=category,
        term_months=36,
        extension_months=12,
        lots=[
            services.LotIn(t, f"The consortium's specification for {t.lower()}.", D(p), u) for t, u, p in lots
        ],
    )
    for lot_number, items in SCHEDULE_ITEMS.get(title, {}).items():
        for description, unit, quantity, cpv, _ in items:
            services.schedule_item_add(
                actor=cm,
                project=project,
                lot_number=lot_number,
                item=services.ScheduleItemIn(description, unit, quantity, cpv),
            )
    quality = services.criterion_add(
        actor=cm, project=project, title="Quality", weight=D(50), guidance="How you will deliver"
    )
    services.criterion_add(
        actor=cm,
        project=project,
        title="Delivery and service levels",
        weight=D(60),
        parent=quality,
        descriptors=DESCRIPTORS,
    )
    services.criterion_add(
        actor=cm,
        project=project,
        title="Account management and MI",
        weight=D(40),
        parent=quality,
        descriptors=DESCRIPTORS,
    )
    services.criterion_add(
        actor=cm,
        project=project,
        title="Social value: local jobs and net zero",
        weight=D(10),
        kind=CriterionKind.SOCIAL_VALUE,
        descriptors=DESCRIPTORS,
    )
    services.criterion_add(
        actor=cm,
        project=project,
        title="Price" if price_method == "lowest_price" else "Whole-life cost",
        weight=D(40),
        kind=CriterionKind.PRICE,
    )
    if price_method == "whole_life_cost":
        services.price_method_set(actor=cm, project=project, method=price_method, discount_rate=D("3.5"))
    services.demand_open(actor=cm, project=project, closes_on=begin + dt.timedelta(days=14), members=members)
    return project


def _bids(
    project: Project,
    stage: str,
    lots: list[tuple[str, str, str]],
    supplier_names: list[str],
    asked: Sequence[Any],
    price_method: str,
    password: str,
    rng: random.Random,
) -> None:
    for s, name in enumerate(supplier_names):
        supplier = _person_for(Organisation.objects.get(name=name), Role.SUPPLIER_USER, "tenders", password)
        if stage == "open" and s == 0:
            services.clarification_ask(
                actor=supplier,
                project=project,
                question="May we offer concentrated products in place of ready-to-use?",
            )
            continue  # the first supplier is still writing its bid
        for lot in project.lots.all():
            base = D(lots[lot.number - 1][2])
            unit_price = (base * D(rng.randint(85, 110)) / 100).quantize(D("0.01"))
            typical = SCHEDULE_ITEMS.get(project.title, {}).get(lot.number, [])
            services.bid_submit(
                actor=supplier,
                project=project,
                lot_number=lot.number,
                answers={
                    c.pk: f"{name} on {c.title.lower()}: our approach, evidence from similar public contracts and named staff."
                    for c in asked
                },
                price_lines=[
                    services.PriceLineIn(
                        item.number,
                        unit_price
                        if item.number == 1
                        else (typical[item.number - 2][4] * D(rng.randint(85, 110)) / 100).quantize(
                            D("0.01")
                        ),
                    )
                    for item in lot.items.all()
                ],
                cost_profile=CostProfile(
                    unit_price * 100,
                    unit_price * rng.randint(8, 15),
                    unit_price * rng.randint(2, 6),
                    unit_price * 5,
                    unit_price * 10,
                )
                if price_method == "whole_life_cost"
                else None,
            )
