"""Savings' demo: the savings the marketplace, tendering and care already imply (generated, then
validated by the category manager), the Staffordshire partnership's estimated project savings
from the seed as entries with evidence, members' population and pupils, the shared service's
budget for two years apportioned under two scenarios, and suppliers' rebates."""

from __future__ import annotations

import datetime as dt

from consortium.core.dates import today_in_london
from consortium.organisations.acting import Actor, actor_for
from consortium.organisations.models import Organisation, Person
from consortium.savings import services
from consortium.savings.evidence import Upload
from consortium.savings.models import Budget, MemberFigure, Rebate, Saving, Scenario, Statement
from consortium.savings.schemas import (
    ApproveIn,
    BudgetIn,
    MemberFigureIn,
    RebateUpdateIn,
    SavingDecisionIn,
    SavingIn,
    ScenarioIn,
)

# The ten Staffordshire partner councils of the seed's partnership.
PARTNERS = [
    "Staffordshire County Council",
    "Stoke-on-Trent City Council",
    "Cannock Chase District Council",
    "East Staffordshire Borough Council",
    "Lichfield District Council",
    "Newcastle-under-Lyme Borough Council",
    "South Staffordshire Council",
    "Stafford Borough Council",
    "Staffordshire Moorlands District Council",
    "Tamworth Borough Council",
]
# The seed's "Estimated £ savings" (Staffordshire Connects, "Joint procurement: the benefits"):
# (project, £, method, cashable).
PROJECTS = [
    ("Consultation", "250000", "process", False),
    ("Joined-up directory", "200000", "process", False),
    ("CRM", "1500000", "pre_tender_estimate", True),
    ("e-Payments", "312000", "pre_tender_estimate", True),
    ("Legal costs", "200000", "cost_avoidance", True),
    ("Partnership procurement costs", "50000", "process", True),
]
# Demo figures, rounded approximations of the ONS mid-2023 estimates for each area (police and
# fire serve the county and the city), and schools' pupils; not official statistics.
POPULATION = {
    "Staffordshire County Council": 890000,
    "Stoke-on-Trent City Council": 260000,
    "Cannock Chase District Council": 101000,
    "East Staffordshire Borough Council": 126000,
    "Lichfield District Council": 108000,
    "Newcastle-under-Lyme Borough Council": 125000,
    "South Staffordshire Council": 110000,
    "Stafford Borough Council": 138000,
    "Staffordshire Moorlands District Council": 96000,
    "Tamworth Borough Council": 78000,
    "Staffordshire Police": 1150000,
    "Stoke-on-Trent and Staffordshire Fire and Rescue Service": 1150000,
}
PUPILS = {"Moorside Primary School": 420, "Chase Valley High School": 1100, "Trentham Community Academy": 900}


def _actor(email: str) -> Actor:
    person = Person.objects.get(email=email)
    actor = actor_for(person, Organisation.objects.get(kind="consortium").pk)
    assert actor is not None
    return actor


def load_savings_demo() -> None:
    cm = _actor("category.manager@cbc.example")
    admin = _actor("admin@cbc.example")
    services.generate_all()
    _projects(cm, admin)
    # The category manager validates what the systems generated, except last month's orders
    # (left proposed for the demo's workflow); savings of the year before are reported.
    last_month = today_in_london().replace(day=1) - dt.timedelta(days=1)
    for s in Saving.objects.filter(status="proposed", source__in=["marketplace", "tender", "care"]).order_by(
        "id"
    ):
        if s.source == "marketplace" and s.starts_on >= last_month.replace(day=1):
            continue
        services.saving_decide(
            actor=cm, saving_id=s.pk, data=SavingDecisionIn.model_validate({"action": "validate"})
        )
    for s in Saving.objects.filter(status="validated", starts_on__lt=dt.date(2026, 4, 1)).order_by("id"):
        services.saving_decide(
            actor=cm, saving_id=s.pk, data=SavingDecisionIn.model_validate({"action": "report"})
        )
    _figures(admin)
    _costs(admin)
    _rebates(cm)


def _projects(cm: Actor, admin: Actor) -> None:
    partners = list(
        Organisation.objects.filter(name__in=PARTNERS).order_by("name").values_list("pk", flat=True)
    )
    for name, amount, method, cashable in PROJECTS:
        title = f"Staffordshire Connects: {name}"
        if Saving.objects.filter(title=title).exists():
            continue
        made = services.saving_propose(
            actor=cm,
            data=SavingIn.model_validate(
                {
                    "members": partners,
                    "title": title,
                    "category": "shared_services",
                    "source": "project",
                    "method": method,
                    "cashable": cashable,
                    "recurrence": "one_off",
                    "amount": amount,
                    "starts_on": "2025-10-01",
                    "baseline": "The partners buying and running it separately",
                    "notes": "The partnership's estimate, shared equally among the ten partner councils.",
                }
            ),
            files=[
                Upload(
                    f"{name} estimate.txt",
                    f"Staffordshire Connects partnership, estimated savings: {name} £{int(amount):,}.\n".encode(),
                )
            ],
        )
        for s in made:
            services.saving_decide(
                actor=admin, saving_id=s.pk, data=SavingDecisionIn.model_validate({"action": "validate"})
            )


def _figures(admin: Actor) -> None:
    if MemberFigure.objects.exists():
        return
    for key, table, source in (
        ("population", POPULATION, "Demo figure rounded from the ONS mid-2023 population estimates"),
        ("pupils", PUPILS, "Demo figure: the school's roll in the January 2025 census"),
    ):
        for name, value in table.items():
            member = Organisation.objects.filter(name=name).first()
            if member is None:
                continue
            services.figure_save(
                actor=admin,
                data=MemberFigureIn.model_validate(
                    {"member_id": member.pk, "key": key, "year": 2025, "value": value, "source": source}
                ),
            )


def _costs(admin: Actor) -> None:
    lines = [
        {"name": "Core team", "amount": "350000"},
        {"name": "Systems and hosting", "amount": "45000"},
        {"name": "Premises", "amount": "15000"},
    ]
    for year in (2025, 2026):
        if not Budget.objects.filter(year=year).exists():
            services.budget_save(
                actor=admin,
                data=BudgetIn.model_validate(
                    {
                        "year": year,
                        "lines": lines,
                        "notes": "The seed's core team at £350k a year, with its systems and premises.",
                    }
                ),
            )
        for name, weights, limits in (
            ("Equal shares", {"equal": 100}, {}),
            (
                "Population, spend and usage",
                {"equal": 25, "population": 35, "spend": 25, "usage": 15},
                {
                    "school": {"floor": "500", "cap": "5000"},
                    "voluntary_organisation": {"cap": "1000"},
                },
            ),
        ):
            if not Scenario.objects.filter(budget__year=year, name=name).exists():
                services.scenario_save(
                    actor=admin,
                    year=year,
                    data=ScenarioIn.model_validate({"name": name, "weights": weights, "limits": limits}),
                )
        if not Statement.objects.filter(budget__year=year).exists():
            chosen = "Equal shares" if year == 2025 else "Population, spend and usage"
            services.scenario_approve(
                actor=admin,
                scenario_id=Scenario.objects.get(budget__year=year, name=chosen).pk,
                data=ApproveIn.model_validate({}),
            )


def _rebates(cm: Actor) -> None:
    services.rebates_raise(actor=cm)
    rebates = list(Rebate.objects.filter(status="outstanding").order_by("quarter", "supplier__name"))
    for i, rebate in enumerate(rebates[: max(0, len(rebates) - 2)]):
        services.rebate_update(
            actor=cm,
            rebate_id=rebate.pk,
            data=RebateUpdateIn.model_validate(
                {"status": "sent", "on": _quarter_end(rebate.quarter) + dt.timedelta(days=10)}
            ),
        )
        if i % 3 != 2:  # most are paid; a few are still owed
            services.rebate_update(
                actor=cm,
                rebate_id=rebate.pk,
                data=RebateUpdateIn.model_validate(
                    {
                        "status": "received",
                        "on": _quarter_end(rebate.quarter) + dt.timedelta(days=40),
                        "received": str(rebate.due),
                        "distribute": True,
                    }
                ),
            )


def _quarter_end(quarter: str) -> dt.date:
    return services._quarter_bounds(quarter)[1]
