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


# A factor table in the shape of Defra's spend-based supply-chain factors, with made-up values:
# marked illustrative, so every page that shows an estimate from it says so.
ILLUSTRATIVE_FACTORS = """Category,kgCO2e per £
Stationery and office supplies,0.4500
Cleaning and janitorial,0.5500
ICT equipment,0.3000
Furniture,0.4000
Catering supplies,0.7500
Educational resources,0.3500
"""


def load_sustainability_demo() -> None:
    services.load_framework()
    _factors()
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


def _factors() -> None:
    from consortium.sustainability import carbon
    from consortium.sustainability.models import FactorTable
    from consortium.sustainability.schemas import FactorTableIn

    if FactorTable.objects.exists():
        return
    admin = actor_for(
        Person.objects.get(email="admin@cbc.example"), Organisation.objects.get(kind="consortium").pk
    )
    assert admin is not None
    carbon.import_table(
        actor=admin,
        data=FactorTableIn.model_validate(
            {
                "name": "Demo spend-based factors by marketplace category",
                "source": "Illustrative values in the shape of Defra, UK and England's carbon footprint to 2020, "
                "Table 13 (indirect emissions from the supply chain); not the published figures",
                "edition": "modelled on the edition last updated 2 August 2023",
                "year": 2020,
                "illustrative": True,
            }
        ),
        content=ILLUSTRATIVE_FACTORS.encode(),
        filename="demo-factors.csv",
    )
