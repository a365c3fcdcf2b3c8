"""Demo citizen services: the Staffordshire partners' services, areas for two districts,
routing that includes street lighting handled by Cannock Chase for the county by agreement,
and a few hundred requests over the last six months in every state — some overdue, some
chased (failure demand). Services and agreements go through the services; the history of
requests is written directly with dates in the past, routed by the same routing function."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.db import transaction
from django.utils import timezone

from consortium.citizen import clock, selectors, services
from consortium.citizen.constants import (
    CLOSED_STATUSES,
    Channel,
    Datatype,
    Demand,
    FailureType,
    RequestStatus,
    UpdateKind,
)
from consortium.citizen.models import ReferenceCounter, RequestUpdate, Service, ServiceRequest
from consortium.citizen.schemas import ChoiceIn, QuestionIn, ServiceIn, ServiceLevelIn
from consortium.core.dates import add_working_days, today_in_london
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person

S = RequestStatus
CANNOCK = "Cannock Chase District Council"
STAFFORD = "Stafford Borough Council"
COUNTY = "Staffordshire County Council"
POLICE = "Staffordshire Police"

# code, name, group, offered by, target days, keywords, urgent warning, questions
SERVICES = [
    (
        "missed-bin",
        "Missed bin collection",
        "Bins and recycling",
        CANNOCK,
        2,
        "bin, rubbish, recycling, collection, waste",
        "",
        [
            QuestionIn(
                code="bin-type",
                question="Which bin was missed?",
                datatype=Datatype.SINGLEVALUELIST,
                required=True,
                order=1,
                values=[
                    ChoiceIn(key="general", name="General waste (black)"),
                    ChoiceIn(key="recycling", name="Recycling (blue)"),
                    ChoiceIn(key="garden", name="Garden waste (brown)"),
                ],
            )
        ],
    ),
    (
        "fly-tipping",
        "Fly-tipping",
        "Street cleaning",
        CANNOCK,
        5,
        "dumped, rubbish, tipping, litter",
        "",
        [
            QuestionIn(
                code="what",
                question="What has been dumped?",
                datatype=Datatype.MULTIVALUELIST,
                required=True,
                order=1,
                values=[
                    ChoiceIn(key="bags", name="Black bags"),
                    ChoiceIn(key="furniture", name="Furniture"),
                    ChoiceIn(key="building", name="Building waste"),
                    ChoiceIn(key="hazardous", name="Chemicals, asbestos or other hazardous waste"),
                ],
            )
        ],
    ),
    (
        "abandoned-vehicle",
        "Abandoned vehicle",
        "Roads and vehicles",
        CANNOCK,
        10,
        "car, van, vehicle, abandoned",
        "",
        [QuestionIn(code="registration", question="Registration number", order=1)],
    ),
    (
        "noise",
        "Noise nuisance",
        "Environmental health",
        STAFFORD,
        10,
        "noise, music, barking, loud",
        "",
        [QuestionIn(code="when", question="When does it happen?", datatype=Datatype.TEXT, order=1)],
    ),
    (
        "pothole",
        "Pothole",
        "Roads and vehicles",
        COUNTY,
        10,
        "road, pothole, hole, pavement",
        "If the hole is dangerous to traffic right now, phone 0300 111 8000.",
        [
            QuestionIn(
                code="depth",
                question="About how deep is it, in centimetres?",
                datatype=Datatype.NUMBER,
                order=1,
            )
        ],
    ),
    (
        "street-light",
        "Street light not working",
        "Roads and vehicles",
        COUNTY,
        5,
        "lamp, light, street light, dark",
        "",
        [QuestionIn(code="column", question="Number on the lamp column", order=1)],
    ),
    (
        "anti-social-behaviour",
        "Anti-social behaviour (not an emergency)",
        "Community safety",
        POLICE,
        5,
        "asb, youths, nuisance, graffiti",
        "If a crime is happening or anyone is in danger, phone 999.",
        [],
    ),
]

AREAS = [
    ("cannock-chase", "Cannock Chase", CANNOCK, ["WS11", "WS12", "WS15 4"]),
    ("stafford", "Stafford", STAFFORD, ["ST16", "ST17", "ST18", "ST21"]),
]

STREETS = {
    "cannock-chase": [
        ("WS11 1BG", "Beecroft Road"),
        ("WS12 4PR", "Hednesford Road"),
        ("WS11 5DH", "Pye Green Road"),
    ],
    "stafford": [("ST16 3AQ", "Riverside"), ("ST17 4AN", "Weeping Cross"), ("ST16 2LH", "Eastgate Street")],
}

DESCRIPTIONS = {
    "missed-bin": "Bin was out by 7am but has not been emptied.",
    "fly-tipping": "Pile of rubbish dumped by the entrance to the lane.",
    "abandoned-vehicle": "Car has not moved for weeks, flat tyres.",
    "noise": "Loud music from the flat above late at night.",
    "pothole": "Deep pothole in the nearside lane.",
    "street-light": "Street light outside number 12 has been off for a week.",
    "anti-social-behaviour": "Group causing damage to the bus shelter in the evenings.",
}


# How long ago the demo's pothole process changed, and what changed (check/demo.py records it
# as a split in a study, and the chart shows new limits from that day).
PROCESS_CHANGE_DAYS_AGO = 75
PROCESS_CHANGE = "Crews take pothole reports straight from the contact centre: no re-keying, one visit"


def load_citizen_demo(*, requests: int = 300) -> None:
    if Service.objects.filter(code="missed-bin").exists():
        return
    rng = random.Random(311)
    orgs = {o.name: o for o in Organisation.objects.filter(name__in=[CANNOCK, STAFFORD, COUNTY, POLICE])}
    consortium = Organisation.objects.get(kind="consortium")
    admin = actor_for(Person.objects.get(email="admin@cbc.example"), consortium.pk)
    officers = {
        CANNOCK: Person.objects.get(email="partner.officer@cannock.example"),
        COUNTY: Person.objects.get(email="highways@staffordshire.example"),
        STAFFORD: Person.objects.get(email="customer.services@stafford.example"),
    }
    assert admin is not None
    today = today_in_london()
    start = today - dt.timedelta(days=180)
    with transaction.atomic():
        catalogue: dict[str, Service] = {}
        for code, name, group, partner, days, keywords, warning, questions in SERVICES:
            officer = officers.get(partner)
            actor = actor_for(officer, orgs[partner].pk) if officer else None
            data = ServiceIn(
                code=code,
                name=name,
                group=group,
                description="",
                keywords=keywords,
                urgent_warning=warning,
                target_working_days=days,
                questions=questions,
            )
            if actor is not None:
                catalogue[code] = services.service_save(actor=actor, data=data)
            else:  # the police have no officer in the demo: their service is set up directly
                catalogue[code] = Service.objects.create(
                    partner=orgs[partner], **data.dict(exclude={"questions"})
                )
        areas = {
            code: services.area_save(
                actor=admin, code=code, name=name, defined_by=orgs[owner], postcode_prefixes=prefixes
            )
            for code, name, owner, prefixes in AREAS
        }
        district = {"cannock-chase": orgs[CANNOCK], "stafford": orgs[STAFFORD]}
        for code in ("missed-bin", "fly-tipping", "abandoned-vehicle", "noise"):
            for area_code, handler in district.items():
                services.routing_rule_add(
                    actor=admin,
                    service=catalogue[code],
                    area=areas[area_code],
                    handled_by=handler,
                    valid_from=start - dt.timedelta(days=365),
                )
        for code in ("pothole", "street-light"):
            services.routing_rule_add(
                actor=admin, service=catalogue[code], area=None, handled_by=orgs[COUNTY], valid_from=start
            )
        services.routing_rule_add(
            actor=admin,
            service=catalogue["street-light"],
            area=areas["cannock-chase"],
            handled_by=orgs[CANNOCK],
            valid_from=start,
            agreement="Street lighting agency agreement, Cannock Chase, 2026",
        )
        services.routing_rule_add(
            actor=admin,
            service=catalogue["anti-social-behaviour"],
            area=None,
            handled_by=orgs[POLICE],
            valid_from=start,
        )
        # Per partner × service targets: Cannock Chase lights the county's street lights in its
        # district to its own target; Stafford clears fly-tipping within two working days' hours.
        levels: list[tuple[str, str, dict[str, object]]] = [
            (CANNOCK, "street-light", {"target_working_days": 7}),
            (
                STAFFORD,
                "fly-tipping",
                {"target_working_hours": 17, "day_starts": "08:30", "day_ends": "17:00"},
            ),
        ]
        for partner, code, target in levels:
            officer_actor = actor_for(officers[partner], orgs[partner].pk)
            assert officer_actor is not None
            services.service_level_save(
                actor=officer_actor,
                service=catalogue[code],
                data=ServiceLevelIn.model_validate({"service_id": catalogue[code].pk, **target}),
            )
        _history(rng, catalogue, start, today, requests, officers)


def _history(
    rng: random.Random,
    catalogue: dict[str, Service],
    start: dt.date,
    today: dt.date,
    count: int,
    officers: dict[str, Person],
) -> None:
    codes = list(catalogue)
    weights = [30, 12, 5, 6, 20, 15, 4]
    year_numbers: dict[int, int] = {}
    for n in range(count):
        code = rng.choices(codes, weights)[0]
        service = catalogue[code]
        area_code = rng.choice(list(STREETS))
        postcode, street = rng.choice(STREETS[area_code])
        if n % 40 == 7:
            postcode, street = "DE14 2EB", "Horninglow Street"  # outside both areas: triage for some services
        day = start + dt.timedelta(days=int((today - start).days * (n / count) ** 0.8))
        confirmed = timezone.make_aware(dt.datetime.combine(day, dt.time(8 + n % 10, (n * 7) % 60)))
        year_numbers[day.year] = year_numbers.get(day.year, 0) + 1
        first_question = next(iter(service.questions.all()), None)
        answers = {}
        if first_question is not None and first_question.values:
            choice = first_question.values[n % len(first_question.values)]["key"]
            answers = {
                first_question.code: [choice]
                if first_question.datatype == Datatype.MULTIVALUELIST
                else choice
            }
        request = ServiceRequest(
            reference=f"SR-{day.year}-{year_numbers[day.year]:06d}",
            token=secrets.token_hex(16),
            service=service,
            status=S.OPEN,
            description=DESCRIPTIONS[code],
            answers=answers,
            address=f"{rng.randint(1, 120)} {street}",
            postcode=postcode,
            email=f"resident{n}@example.org",
            first_name=rng.choice(["Sam", "Alex", "Jo", "Chris", "Priya", "Tom"]),
            channel=rng.choice([Channel.WEB, Channel.WEB, Channel.WEB, Channel.API]),
            confirmed_at=confirmed,
            acknowledged_at=confirmed,
        )
        request.save()
        services.route(request, on=day)
        due = clock.due(confirmed, selectors.level_for(service, request.handled_by))
        request.due_on, request.due_at = due.on, due.at
        age = (today - day).days
        # Older requests are mostly done; the last few weeks' are mostly open; some go overdue.
        if age > 20 or rng.random() < 0.3:
            # The process change the check demo's study records: from PROCESS_CHANGE_DAYS_AGO,
            # the County's crews take pothole reports straight from the contact centre's
            # screen (no re-keying, no second inspection visit), and they are done sooner.
            changed = code == "pothole" and (today - day).days < PROCESS_CHANGE_DAYS_AGO + 10
            late = rng.random() < (0.03 if changed else 0.25 if code == "pothole" else 0.2)
            target = service.target_working_days
            working = target + (
                rng.randint(1, 8)
                if late
                else -rng.randint(max(target // 2, 1), max(target - 1, 1))
                if changed
                else -rng.randint(0, max(target - 2, 0))
            )
            closed_day = min(add_working_days(day, max(working, 0)), today)
            request.status = rng.choice(
                [S.FIXED, S.FIXED, S.FIXED, S.FIXED, S.NO_FURTHER_ACTION, S.DUPLICATE]
            )
            request.closed_at = timezone.make_aware(dt.datetime.combine(closed_day, dt.time(15, 0)))
            request.days_taken, request.met_target = clock.closing(confirmed, request.closed_at, due, "ENG")
        else:
            request.status = rng.choice([S.OPEN, S.INVESTIGATING, S.IN_PROGRESS, S.ACTION_SCHEDULED])
        if request.handled_by_id is None and request.status in CLOSED_STATUSES:
            request.status = S.OPEN
            request.closed_at = request.days_taken = request.met_target = None
        officer = officers.get(request.handled_by.name) if request.handled_by else None
        if officer is not None and rng.random() < 0.6:
            request.assigned_to = officer
        request.save()
        ServiceRequest.objects.filter(pk=request.pk).update(
            submitted_at=confirmed, updated_at=request.closed_at or confirmed
        )
        updates = [
            RequestUpdate(
                request=request, kind=UpdateKind.CITIZEN, channel=request.channel, demand=Demand.VALUE
            )
        ]
        if request.status != S.OPEN:
            updates.append(
                RequestUpdate(
                    request=request,
                    kind=UpdateKind.PUBLIC,
                    status=request.status,
                    text="Thank you: our team has dealt with this." if request.status == S.FIXED else "",
                    by=officer,
                )
            )
        # Chasers: contacts caused by slowness, i.e. failure demand (more of them when late).
        chasers = (
            rng.choice([0, 0, 0, 1, 1, 2])
            if request.due_on and request.due_on < today
            else rng.choice([0, 0, 0, 0, 1])
        )
        for _ in range(chasers):
            updates.append(
                RequestUpdate(
                    request=request,
                    kind=UpdateKind.CITIZEN,
                    text="Any news? It is still there.",
                    channel=rng.choice([Channel.PHONE, Channel.WEB, Channel.EMAIL]),
                    demand=Demand.FAILURE,
                    failure_type=FailureType.CHASING,
                )
            )
        RequestUpdate.objects.bulk_create(updates)
        RequestUpdate.objects.filter(request=request).update(at=confirmed)
    for year, last in year_numbers.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last_number": last})
