"""A procurement taken through the services to any stage, on top of the test world."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from consortium.core.dates import now, today_in_london
from consortium.organisations.acting import actor_for
from consortium.organisations.constants import Role
from consortium.organisations.models import Person, RoleAssignment
from consortium.tendering import selectors, services
from consortium.tendering.constants import CriterionKind, ProjectStatus
from consortium.tendering.models import Bid, Criterion, Project
from consortium.tendering.timetable import earliest_timetable

STAGES = ["draft", "demand", "preparation", "open", "evaluation", "standstill", "awarded"]
# Steps within evaluation, for tests that need one: the evaluator has declared, scored every
# bid, the moderator has moderated every criterion, the results are worked out.
EVALUATION_STEPS = ["declared", "scored", "moderated", "results"]


def rival(world):  # type: ignore[no-untyped-def]
    return actor_for(Person.objects.get(email="rival@example.org"), world.other_supplier.pk)


def outsider(world):  # type: ignore[no-untyped-def]
    return actor_for(world.outsider, world.other_member.pk)


def pass_deadline(project: Project) -> None:
    """As if the tender deadline had passed (tests cannot wait 25 days), with the roles people
    hold now held since before it (only those may record the opening)."""
    deadline = now() - dt.timedelta(minutes=1)
    Project.objects.filter(pk=project.pk).update(tender_deadline=deadline)
    RoleAssignment.objects.filter(created_at__gt=deadline).update(created_at=deadline - dt.timedelta(days=30))
    project.refresh_from_db()


def ensure_rules() -> None:
    """The rules the data migration seeds (a transactional test's flush removes them)."""
    import importlib

    from django.apps import apps

    from consortium.tendering.models import Threshold

    if not Threshold.objects.exists():
        importlib.import_module("consortium.tendering.migrations.0002_rules_in_force").seed(apps, None)


def tender_at(world, stage: str, *, title: str = "School paper and stationery") -> Project:  # type: ignore[no-untyped-def]
    """A procurement at `stage`: two members' demand, one lot, a criteria tree of quality
    (two sub-criteria), social value and price, bids from both suppliers, all scored."""
    ensure_rules()
    cm, ca = world.actor(Role.CATEGORY_MANAGER), world.actor(Role.CONSORTIUM_ADMIN)
    project = services.project_create(
        actor=cm,
        title=title,
        cpv_codes=["30192000"],
        term_months=24,
        extension_months=12,
        lots=[services.LotIn("Paper", "A4 recycled paper, 80gsm", D("4.50"), "ream")],
    )
    quality = services.criterion_add(actor=cm, project=project, title="Quality", weight=D(50))
    services.criterion_add(actor=cm, project=project, title="Delivery", weight=D(60), parent=quality)
    services.criterion_add(
        actor=cm, project=project, title="Account management", weight=D(40), parent=quality
    )
    services.criterion_add(
        actor=cm, project=project, title="Social value", weight=D(10), kind=CriterionKind.SOCIAL_VALUE
    )
    services.criterion_add(actor=cm, project=project, title="Price", weight=D(40), kind=CriterionKind.PRICE)
    if stage == "draft":
        return _fresh(project)
    today = today_in_london()
    services.demand_open(
        actor=cm,
        project=project,
        closes_on=today + dt.timedelta(days=14),
        members=[world.member, world.other_member, world.care_council],
    )
    services.demand_record(
        actor=world.actor(Role.MEMBER_BUYER),
        project=project,
        rows=[services.DemandIn(1, today + dt.timedelta(days=120), annual_value=D("60000"), will_use=True)],
    )
    services.demand_record(
        actor=outsider(world),
        project=project,
        rows=[services.DemandIn(1, today + dt.timedelta(days=120), estimated_quantity=4000, will_use=True)],
    )
    if stage == "demand":
        return _fresh(project)
    services.demand_close(actor=cm, project=project)
    procedure = selectors.procedure_in_force("open", today)
    assert procedure is not None
    services.timetable_set(
        actor=cm,
        project=project,
        procedure_code="open",
        timetable=earliest_timetable(selectors.rules_of(procedure), today),
    )
    if stage == "preparation":
        return _fresh(project)
    services.tender_publish(actor=cm, project=project)
    answers = {
        c.pk: f"We will meet {c.title.lower()} in full."
        for c in selectors.leaf_criteria(project)
        if c.kind != "price"
    }
    services.bid_submit(
        actor=world.actor(Role.SUPPLIER_USER),
        project=project,
        lot_number=1,
        answers=answers,
        price_lines=[services.PriceLineIn(1, D("4.20"))],
    )
    services.bid_submit(
        actor=rival(world),
        project=project,
        lot_number=1,
        answers=answers,
        price_lines=[services.PriceLineIn(1, D("3.90"))],
    )
    if stage == "open":
        return _fresh(project)
    pass_deadline(project)
    services.opening_record(actor=cm, project=project)
    services.opening_record(actor=ca, project=project)
    project.refresh_from_db()
    evaluator = world.people[Role.EVALUATOR]
    judged = [c for c in selectors.leaf_criteria(project) if c.kind != CriterionKind.PRICE]
    for c in judged:
        services.evaluator_assign(actor=cm, criterion=c, evaluator=evaluator)
    if stage == "evaluation":
        return _fresh(project)
    ev = world.actor(Role.EVALUATOR)
    services.declaration_make(actor=ev, project=project, conflict=False)
    if stage == "declared":
        return _fresh(project)
    bids = list(Bid.objects.filter(project=project).order_by("id"))
    scoresheets = {
        c.pk: {
            b.pk: services.ScoreIn(4 if b.supplier_id == world.supplier.pk else 3, "Clear, evidenced plan")
            for b in bids
        }
        for c in judged
    }
    for c in judged:
        services.scoresheet_submit(actor=ev, criterion=c, scores=scoresheets[c.pk])
    if stage == "scored":
        return _fresh(project)
    for c in judged:
        services.moderation_submit(actor=cm, criterion=c, consensus=scoresheets[c.pk])
    if stage == "moderated":
        return _fresh(project)
    services.evaluation_finalise(actor=cm, project=project)
    if stage == "results":
        return _fresh(project)
    services.award_approve(actor=ca, project=project)
    project.refresh_from_db()
    if stage == "standstill":
        return _fresh(project)
    Project.objects.filter(pk=project.pk).update(standstill_ends_on=today - dt.timedelta(days=1))
    project.refresh_from_db()
    services.award_conclude(actor=cm, project=project)
    project.refresh_from_db()
    assert project.status == ProjectStatus.AWARDED
    return project


def _fresh(project: Project) -> Project:
    project.refresh_from_db()
    return project


def leaf(project: Project, number: str) -> Criterion:
    return Criterion.objects.get(project=project, number=number)
