"""Sustainable procurement's demo: three members' Flexible Framework self-assessments over two
years (each a little further on in the second), with evidence and action plans."""

from __future__ import annotations

import datetime as dt

from consortium.core.dates import current_financial_year
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


# (member, its local postcode districts)
LOCAL_AREAS = [
    ("Moorside Primary School", "buyer@moorside.example", ["ST13", "ST10", "ST8"]),
    ("Tamworth Borough Council", "procurement@tamworth.example", ["B77", "B78", "B79", "WS14"]),
    (
        "Staffordshire Police",
        "procurement@police.example",
        ["ST1", "ST4", "ST13", "ST15", "ST16", "ST17", "ST18", "WS11", "WS13", "DE14", "B79"],
    ),
]
# (contract, supplier, share of the contract's income paid to local staff, share spent with
# local suppliers, round 3 as a share of round 2 when surveyed (None: the stated default), published)
LM3_SURVEYS = [
    ("CBC-0101", "Midlands Office Supplies Ltd", "0.34", "0.12", None, True),
    ("CBC-0102", "Trent Valley Cleaning Supplies Ltd", "0.29", "0.08", "0.31", True),
    ("CBC-0103", "Potteries IT Services Ltd", "0.41", "0.05", None, True),
    ("CBC-0104", "Cannock Furniture Company Ltd", "0.22", "0.17", "0.27", False),
    ("SCC-2201", "Moorlands Catering Ltd", "0.31", "0.24", None, False),
]


def load_sustainability_demo() -> None:
    services.load_framework()
    _factors()
    _local()
    _appraisals()
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


def _local() -> None:
    from decimal import Decimal

    from consortium.contracts.models import Contract
    from consortium.sustainability import local
    from consortium.sustainability.models import Lm3Survey, LocalArea
    from consortium.sustainability.schemas import Lm3In, LocalAreaIn

    for member_name, email, districts in LOCAL_AREAS:
        member = Organisation.objects.get(name=member_name)
        if LocalArea.objects.filter(member=member).exists():
            continue
        actor = actor_for(Person.objects.get(email=email), member.pk)
        assert actor is not None
        local.local_area_save(actor=actor, data=LocalAreaIn.model_validate({"districts": districts}))
    if Lm3Survey.objects.exists():
        return
    consortium = Organisation.objects.get(kind="consortium")
    cm = actor_for(Person.objects.get(email="category.manager@cbc.example"), consortium.pk)
    midlands = actor_for(Person.objects.get(email="supplier@midlands-office.example"))
    assert cm is not None and midlands is not None
    year = current_financial_year() - 1
    for reference, supplier_name, staff_share, suppliers_share, r3_share, published in LM3_SURVEYS:
        contract = Contract.objects.get(reference=reference)
        supplier = Organisation.objects.get(name=supplier_name)
        r1 = local.round_one(contract.pk, supplier.pk, year)
        staff = (r1 * Decimal(staff_share)).quantize(Decimal("0.01"))
        suppliers = (r1 * Decimal(suppliers_share)).quantize(Decimal("0.01"))
        r3 = ((staff + suppliers) * Decimal(r3_share)).quantize(Decimal("0.01")) if r3_share else None
        data = {
            "contract_id": contract.pk,
            "year": year,
            "r2_staff": staff,
            "r2_suppliers": suppliers,
            "r3_amount": r3,
            "evidence": "Payroll by home postcode and the purchase ledger by supplier postcode",
        }
        if supplier == midlands.organisation:
            survey = local.lm3_submit(actor=midlands, data=Lm3In.model_validate(data))
        else:
            # These suppliers returned the survey by e-mail; the category manager keyed it in.
            checked = Lm3In.model_validate(data)
            survey = Lm3Survey.objects.create(
                contract=contract,
                supplier=supplier,
                year=year,
                r2_staff=checked.r2_staff,
                r2_suppliers=checked.r2_suppliers,
                r3_amount=checked.r3_amount,
                evidence=checked.evidence + " (returned by e-mail, entered by the category manager)",
                submitted_by=cm.person,
            )
        if published:
            local.lm3_publish(actor=cm, survey_id=survey.pk)


def _appraisals() -> None:
    """Twenty suppliers' appraisals (or as many as the demo has), scored by the category manager:
    Midlands Office Supplies answered on the page; the rest returned the questionnaire by e-mail
    and the category manager keyed it in."""
    import random

    from consortium.core.dates import now, today_in_london
    from consortium.sustainability import appraisal
    from consortium.sustainability.models import Appraisal

    if Appraisal.objects.exists():
        return
    consortium = Organisation.objects.get(kind="consortium")
    cm = actor_for(Person.objects.get(email="category.manager@cbc.example"), consortium.pk)
    midlands = actor_for(Person.objects.get(email="supplier@midlands-office.example"))
    assert cm is not None and midlands is not None
    rng = random.Random(16)
    for supplier in Organisation.objects.filter(kind="supplier").order_by("name")[:20]:
        big = not supplier.is_sme
        answers = {
            "ems": "yes" if big or rng.random() < 0.4 else "no",
            "crp": "yes" if big or rng.random() < 0.3 else "no",
            "crp_baseline_year": str(rng.choice([2019, 2020, 2021, 2022])),
            "scope1": str(rng.randint(20, 4000) if big else rng.randint(5, 300)),
            "scope2": str(rng.randint(10, 2000) if big else rng.randint(2, 120)),
            "scope3": str(rng.randint(500, 90000) if big else rng.randint(40, 3000)),
            "turnover": str(rng.randint(20, 400) * 1_000_000 if big else rng.randint(1, 20) * 1_000_000),
            "net_zero_year": str(rng.choice([2035, 2040, 2045, 2050])),
            "modern_slavery": "yes" if big or rng.random() < 0.6 else "no",
            "living_wage": "yes" if rng.random() < 0.45 else "no",
            "sme": "yes" if supplier.is_sme else "no",
            "vcse": "yes" if supplier.is_voluntary_sector else "no",
            "local_staff_percent": str(rng.randint(60, 98) if supplier.is_local else rng.randint(0, 15)),
            "apprentices": str(rng.randint(0, 12)),
            "local_food_percent": str(rng.randint(20, 70)),
            "weee_takeback": "yes" if rng.random() < 0.7 else "no",
            "ecolabel_chemicals": "yes" if rng.random() < 0.6 else "no",
            "certified_timber": "yes" if rng.random() < 0.5 else "no",
        }
        asked = appraisal.questions_for(supplier)
        answers = {code: value for code, value in answers.items() if code in asked}
        evidence = {
            code: f"{supplier.name}: {label}"
            for code, label in (
                ("ems", "ISO 14001 certificate"),
                ("crp", "carbon reduction plan on its website"),
                ("modern_slavery", "modern slavery statement"),
                ("living_wage", "Living Wage Foundation accreditation"),
                ("weee_takeback", "take-back scheme terms"),
                ("ecolabel_chemicals", "EU Ecolabel licences"),
                ("certified_timber", "FSC chain-of-custody certificate"),
            )
            if answers.get(code) == "yes"
        }
        if supplier == midlands.organisation:
            made = appraisal.submit(actor=midlands, answers=answers, evidence=evidence)
        else:
            clean, errors = appraisal._checked_answers(answers, evidence, asked)
            assert not errors, errors
            today = today_in_london()
            made = Appraisal.objects.create(
                supplier=supplier,
                answers=clean,
                asked=sorted(asked),
                evidence={**evidence, "note": "Returned by e-mail; keyed in by the category manager"},
                submitted_by=cm.person,
                submitted_at=now(),
                expires_on=today.replace(year=today.year + 1, day=min(today.day, 28)),
            )
        if rng.random() < 0.85:  # a few are still waiting to be scored
            appraisal.score(actor=cm, appraisal_id=made.pk, points=appraisal.suggested_points(made))
