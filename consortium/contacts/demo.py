"""Demo contact centre: queues for the county, two districts and a shared switchboard the
county runs for all three by agreement; agents with skills (the demo's partner officers and a
few more); routing rules including one by agreement (street lighting in Cannock Chase goes to
Cannock Chase); a platform; and the last fortnight's mornings of contacts, so the supervisor's
figures have something to show. Set-up goes through the services; the history of contacts is
written directly with times in the past."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from consortium.citizen.constants import Demand, FailureType
from consortium.contacts import services
from consortium.contacts.constants import ContactChannel, ContactStatus, Outcome
from consortium.contacts.models import Agent, Contact, Queue, ReferenceCounter, Waiting
from consortium.contacts.schemas import AgentIn, QueueIn, RuleIn
from consortium.core.dates import LONDON, now
from consortium.organisations.acting import actor_for
from consortium.organisations.constants import Role
from consortium.organisations.models import Organisation, Person, RoleAssignment

COUNTY = "Staffordshire County Council"
CANNOCK = "Cannock Chase District Council"
STAFFORD = "Stafford Borough Council"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def _hours(opens: str, closes: str, days: tuple[str, ...] = WEEKDAYS) -> dict[str, dict[str, str]]:
    return {d: {"opens": opens, "closes": closes} for d in days}


# email, name, partner, skills, capacity
EXTRA_AGENTS = [
    (
        "switchboard.1@staffordshire.example",
        "Sally Switchboard",
        COUNTY,
        {"general": 4, "bsl": 3},
        {"chat": 3},
    ),
    ("switchboard.2@staffordshire.example", "Simon Switchboard", COUNTY, {"general": 3}, {"chat": 2}),
    ("roads@staffordshire.example", "Rita Roads", COUNTY, {"roads": 5}, {}),
    ("waste@cannock.example", "Wes Waste", CANNOCK, {"waste": 5, "general": 2}, {}),
    ("revenues@stafford.example", "Ruth Revenues", STAFFORD, {"waste": 3, "general": 3}, {"email": 3}),
]


def load_contacts_demo(*, days: int = 14, per_hour: int = 30) -> None:
    if Queue.objects.filter(code="switchboard").exists():
        return
    from consortium.organisations.demo import DEMO_PASSWORD

    rng = random.Random(10)
    orgs = {o.name: o for o in Organisation.objects.filter(name__in=[COUNTY, CANNOCK, STAFFORD])}
    consortium = Organisation.objects.get(kind="consortium")
    admin = actor_for(Person.objects.get(email="admin@cbc.example"), consortium.pk)
    assert admin is not None
    with transaction.atomic():
        queue = {}
        for code, name, partner, main, hours, extra in [
            (
                "county",
                "Staffordshire County Council contact team",
                COUNTY,
                True,
                _hours("08:30", "17:00"),
                {},
            ),
            ("cannock", "Cannock Chase customer services", CANNOCK, True, _hours("08:45", "17:00"), {}),
            ("stafford", "Stafford Borough customer services", STAFFORD, True, _hours("09:00", "17:00"), {}),
            (
                "switchboard",
                "Staffordshire Connects switchboard",
                COUNTY,
                False,
                _hours("08:00", "20:00", (*WEEKDAYS, "sat")),
                {
                    "shared_with_ids": [orgs[CANNOCK].pk, orgs[STAFFORD].pk],
                    "agreement": "Staffordshire Connects shared switchboard agreement 2026",
                    "strategy": "fewest_contacts",
                    "wrap_up_seconds": 20,
                },
            ),
        ]:
            queue[code] = services.queue_save(
                actor=admin,
                data=QueueIn.model_validate(
                    {
                        "code": code,
                        "name": name,
                        "partner_id": orgs[partner].pk,
                        "is_main": main,
                        "opening_hours": hours,
                        **extra,
                    }
                ),
            )
        people = [
            (
                "partner.officer@cannock.example",
                CANNOCK,
                {"waste": 4, "general": 3},
                {"chat": 2},
                ["cannock", "switchboard"],
            ),
            ("highways@staffordshire.example", COUNTY, {"roads": 4, "lighting": 4}, {}, ["county"]),
            (
                "customer.services@stafford.example",
                STAFFORD,
                {"waste": 3, "general": 4},
                {"chat": 3},
                ["stafford", "switchboard"],
            ),
        ]
        for email, name, partner, skills, capacity in EXTRA_AGENTS:
            person = Person.objects.filter(email=email).first()
            if person is None:
                person = Person.objects.create_user(
                    email=email, password=DEMO_PASSWORD, full_name=name, job_title="Customer services adviser"
                )
                RoleAssignment.objects.create(
                    person=person, organisation=orgs[partner], role=Role.PARTNER_OFFICER
                )
            home = {COUNTY: "county", CANNOCK: "cannock", STAFFORD: "stafford"}[partner]
            queues = ["switchboard", home] if "switchboard" in email else [home, "switchboard"]
            people.append((email, partner, skills, capacity, queues))
        agents: list[Agent] = []
        for email, _partner, skills, capacity, queue_codes in people:
            person = Person.objects.get(email=email)
            agents.append(
                services.agent_save(
                    actor=admin,
                    data=AgentIn.model_validate(
                        {
                            "person_id": person.pk,
                            "skills": skills,
                            "capacity": capacity,
                            "endpoint": f"sip:{email.split('@')[0]}@telephony.example",
                            "queues": [
                                {"queue_id": queue[code].pk, "penalty": 0 if n == 0 else 2}
                                for n, code in enumerate(queue_codes)
                            ],
                        }
                    ),
                )
            )
        rules = [
            {
                "order": 10,
                "name": "Callers with an open request: their case's partner",
                "has_open_request": True,
                "route_to": "request_partner",
                "priority": 5,
            },
            {
                "order": 20,
                "name": "BSL callers (interpreter)",
                "language": "bsl",
                "queue_id": queue["switchboard"].pk,
                "priority": 4,
                "required_skill": "bsl",
            },
            {
                "order": 30,
                "name": "Street lights in Cannock Chase (agency agreement)",
                "menu_choice": "2.2",
                "area_partner_id": orgs[CANNOCK].pk,
                "queue_id": queue["cannock"].pk,
            },
            {
                "order": 40,
                "name": "Roads and street lights",
                "menu_choice": "2",
                "queue_id": queue["county"].pk,
                "required_skill": "",
                "steps": [{"after_seconds": 90, "queue_id": queue["switchboard"].pk}],
            },
            {
                "order": 50,
                "name": "Bins and recycling: the district for the caller's postcode",
                "menu_choice": "1",
                "route_to": "area_partner",
                "priority": 1,
            },
            {
                "order": 90,
                "name": "Everything else: the switchboard",
                "queue_id": queue["switchboard"].pk,
                "steps": [{"after_seconds": 60, "queue_id": queue["county"].pk}],
            },
        ]
        for rule in rules:
            services.rule_save(actor=admin, data=RuleIn.model_validate(rule))
        # Some at work, some not, so the supervisor's "agents by state" has something to show.
        states = {
            "available": ["switchboard.1@", "partner.officer@", "customer.services@", "roads@"],
            "break": ["switchboard.2@", "waste@"],
        }
        for state, prefixes in states.items():
            for agent in agents:
                if agent.person.email.startswith(tuple(prefixes)):
                    Agent.objects.filter(pk=agent.pk).update(state=state)
        services.platform_create(actor=admin, name="Staffordshire Connects telephony (demo)")
        _history(rng, list(queue.values()), agents, days=days, per_hour=per_hour)


def _history(
    rng: random.Random, queues: list[Queue], agents: list[Agent], *, days: int, per_hour: int
) -> None:
    """Weekday mornings, 08:30 to 12:30, for the last `days` days (and today, up to now)."""
    at_now = now()
    today = at_now.astimezone(LONDON).date()
    members: dict[int, list[Agent]] = {}
    for agent in agents:
        for membership in agent.memberships.all():
            members.setdefault(membership.queue_id, []).append(agent)
    weights = {"switchboard": 5, "county": 2, "cannock": 2, "stafford": 1}
    rows: list[Contact] = []
    year_numbers: dict[int, int] = {}
    for back in range(days, -1, -1):
        day = today - dt.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=LONDON)
        for minute in range(0, 240):
            moment = start + dt.timedelta(minutes=minute)
            if moment >= at_now - dt.timedelta(minutes=5):
                break
            # Busier at opening and mid-morning.
            rate = per_hour / 60 * (1.6 if minute < 45 else 1.2 if 90 <= minute < 150 else 0.8)
            for _ in range(_poisson(rng, rate)):
                q = rng.choices(queues, weights=[weights.get(x.code, 1) for x in queues])[0]
                arrived = moment + dt.timedelta(seconds=rng.randint(0, 59))
                channel = rng.choices(
                    [
                        ContactChannel.PHONE,
                        ContactChannel.CHAT,
                        ContactChannel.EMAIL,
                        ContactChannel.FACE_TO_FACE,
                    ],
                    weights=[70, 15, 10, 5],
                )[0]
                wait = int(rng.expovariate(1 / (25 if minute < 45 else 12)))
                year = arrived.year
                year_numbers[year] = year_numbers.get(year, 0) + 1
                c = Contact(
                    reference=f"CT-{year}-D{year_numbers[year]:06d}",
                    channel=channel,
                    caller=f"07700 9{rng.randint(0, 99999):05d}" if channel == ContactChannel.PHONE else "",
                    menu=rng.choice(["1", "2", "2.2", "3", ""]),
                    queue=q,
                    partner_id=q.partner_id,
                    arrived_at=arrived,
                    priority=rng.choice([0, 0, 0, 1, 5]),
                )
                if wait > 150 or rng.random() < 0.03:
                    c.status = ContactStatus.ABANDONED
                    c.abandoned_at = arrived + dt.timedelta(seconds=min(wait, 300))
                else:
                    agent = rng.choice(members.get(q.pk) or agents)
                    talk = int(rng.lognormvariate(5.2, 0.5))
                    c.status = ContactStatus.DONE
                    c.agent = agent
                    c.offered_at = arrived + dt.timedelta(seconds=max(wait - 3, 0))
                    c.answered_at = arrived + dt.timedelta(seconds=wait)
                    c.wait_seconds = wait
                    c.ended_at = c.answered_at + dt.timedelta(seconds=talk)
                    c.wrap_up_until = c.ended_at + dt.timedelta(seconds=q.wrap_up_seconds)
                    c.wrapped_at = c.ended_at + dt.timedelta(seconds=rng.randint(10, 60))
                    c.handle_seconds = int((c.wrapped_at - c.answered_at).total_seconds())
                    failure = rng.random() < 0.3
                    c.demand = Demand.FAILURE if failure else Demand.VALUE
                    c.failure_type = (
                        rng.choice(
                            [
                                FailureType.CHASING,
                                FailureType.CHASING,
                                FailureType.NOT_DONE,
                                FailureType.WRONG_PLACE,
                            ]
                        )
                        if failure
                        else ""
                    )
                    c.outcome = rng.choice(
                        [
                            Outcome.RESOLVED,
                            Outcome.RESOLVED,
                            Outcome.REQUEST_CREATED,
                            Outcome.REQUEST_UPDATED,
                            Outcome.REFERRED,
                        ]
                    )
                rows.append(c)
    Contact.objects.bulk_create(rows, batch_size=1000)
    # Three callers waiting now on the switchboard, so "waiting now" and "longest wait" show.
    switchboard = next(q for q in queues if q.code == "switchboard")
    for n, seconds in enumerate((95, 40, 12), start=1):
        year = at_now.astimezone(LONDON).year
        waiting = Contact.objects.create(
            reference=f"CT-{year}-W{n:06d}",
            channel=ContactChannel.PHONE,
            caller=f"01785 27600{n}",
            queue=switchboard,
            partner_id=switchboard.partner_id,
            arrived_at=at_now - dt.timedelta(seconds=seconds),
        )
        Waiting.objects.create(contact=waiting, queue=switchboard, since=waiting.arrived_at)
    ReferenceCounter.objects.get_or_create(year=at_now.astimezone(LONDON).year)


def _poisson(rng: random.Random, rate: float) -> int:
    # Knuth's method: small rates only (a few a minute).
    import math

    limit, k, p = math.exp(-rate), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
