"""Sustainable procurement's demo: three members' Flexible Framework self-assessments over two
years (each a little further on in the second), with evidence and action plans."""

from __future__ import annotations

import datetime as dt

from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person
from consortium.sustainability import services
from consortium.sustainability.models import Assessment, Criterion
from consortium.sustainability.schemas import ActionIn, AnswersIn

# member, the assessor's e-mail, {year: {theme: level reached}}
ASSESSMENTS = [
    (
        "Moorside Primary School",
        "buyer@moorside.example",
        {
            2025: {"people": 1, "policy": 1, "process": 1, "suppliers": 0, "measurement": 0},
            2026: {"people": 2, "policy": 2, "process": 1, "suppliers": 1, "measurement": 1},
        },
    ),
    (
        "Tamworth Borough Council",
        "procurement@tamworth.example",
        {
            2025: {"people": 2, "policy": 2, "process": 2, "suppliers": 1, "measurement": 1},
            2026: {"people": 3, "policy": 3, "process": 2, "suppliers": 2, "measurement": 2},
        },
    ),
    (
        "Staffordshire Police",
        "procurement@police.example",
        {
            2025: {"people": 3, "policy": 3, "process": 3, "suppliers": 2, "measurement": 2},
            2026: {"people": 3, "policy": 4, "process": 3, "suppliers": 3, "measurement": 3},
        },
    ),
]
EVIDENCE = {
    "people": "Training log and job descriptions",
    "policy": "Policy approved by the cabinet member",
    "process": "Procurement strategy and contract register",
    "suppliers": "Supplier engagement plan and meeting notes",
    "measurement": "Sustainability dashboard reported quarterly",
}


def load_sustainability_demo() -> None:
    services.load_framework()
    for member_name, email, by_year in ASSESSMENTS:
        member = Organisation.objects.get(name=member_name)
        actor = actor_for(Person.objects.get(email=email), member.pk)
        assert actor is not None
        for year, reached in by_year.items():
            if Assessment.objects.filter(member=member, year=year).exists():
                continue
            rows = []
            for c in Criterion.objects.filter(retired=False):
                met = c.level <= reached[c.theme]
                # One criterion of the next level is already met: partial progress shows.
                met = met or (c.level == reached[c.theme] + 1 and c.position == 1)
                rows.append({"criterion_id": c.pk, "met": met, "evidence": EVIDENCE[c.theme] if met else ""})
            services.assessment_answer(
                actor=actor, year=year, data=AnswersIn.model_validate({"answers": rows})
            )
            weakest = min(reached, key=lambda t: reached[t])
            services.action_add(
                actor=actor,
                year=year,
                data=ActionIn.model_validate(
                    {
                        "theme": weakest,
                        "description": f"Reach level {reached[weakest] + 1} in {weakest}: agree the steps with the consortium",
                        "owner": actor.person.full_name,
                        "due_on": dt.date(year + 1, 3, 31),
                        "status": "done" if year == 2025 else "under_way",
                    }
                ),
            )
