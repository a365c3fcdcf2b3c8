"""What waits in collaborative tendering: demand to register, tenders to bid for, declarations
and scores to give, bids to open. Counts never reveal who bid (only one's own bids count)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse

from consortium.core.dates import now
from consortium.core.worklist import WorkItem
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission
from consortium.tendering import selectors
from consortium.tendering.constants import Declaration
from consortium.tendering.constants import ProjectStatus as S
from consortium.tendering.models import (
    Bid,
    BidOpening,
    DemandReturn,
    EvaluatorAssignment,
    EvaluatorScore,
    Project,
)


def _link(projects: list[int], page: str = "") -> str:
    """The procurement itself when there is one, else the list."""
    return (
        reverse("tender-detail", args=[projects[0]]) + page if len(projects) == 1 else reverse("tender-list")
    )


def items_for(actor: Actor) -> list[WorkItem]:
    items: list[WorkItem] = []
    org = actor.organisation
    if actor.has(Permission.DEMAND_REGISTER) and not org.is_supplier and not org.is_consortium:
        asking = list(
            Project.objects.filter(status=S.DEMAND, invited_members=org)
            .exclude(Exists(DemandReturn.objects.filter(lot__project=OuterRef("pk"), member=org)))
            .values_list("pk", flat=True)
        )
        items.append(
            WorkItem(
                len(asking),
                "procurement asking for your demand",
                "procurements asking for your demand",
                _link(asking, "demand/"),
                order=15,
            )
        )
    if selectors.bids(actor):
        open_now = list(
            selectors.project_list_for(actor)
            .filter(status=S.OPEN, tender_deadline__gt=now())
            .exclude(Exists(Bid.objects.filter(project=OuterRef("pk"), supplier=org, status="submitted")))
            .values_list("pk", flat=True)
        )
        items.append(
            WorkItem(
                len(open_now),
                "tender open for your bid",
                "tenders open for your bid",
                _link(open_now),
                order=15,
            )
        )
    pending = list(
        EvaluatorAssignment.objects.filter(evaluator=actor.person, declaration=Declaration.PENDING)
        .values_list("project_id", flat=True)
        .distinct()
    )
    items.append(
        WorkItem(
            len(pending),
            "procurement asking for your conflict declaration",
            "procurements asking for your conflict declaration",
            _link(pending, "evaluation/"),
            order=10,
        )
    )
    to_score = EvaluatorAssignment.objects.filter(
        evaluator=actor.person, declaration=Declaration.NO_CONFLICT, project__status=S.EVALUATION
    ).exclude(Exists(EvaluatorScore.objects.filter(criterion=OuterRef("criterion"), evaluator=actor.person)))
    projects = list(to_score.values_list("project_id", flat=True).distinct())
    items.append(
        WorkItem(
            to_score.count(),
            "criterion to score",
            "criteria to score",
            _link(projects, "evaluation/"),
            order=10,
        )
    )
    if selectors.runs_procurements(actor):
        to_open = list(
            Project.objects.filter(status=S.OPEN, tender_deadline__lte=now())
            .exclude(Exists(BidOpening.objects.filter(project=OuterRef("pk"), person=actor.person)))
            .values_list("pk", flat=True)
        )
        items.append(
            WorkItem(
                len(to_open),
                "procurement past its deadline to open",
                "procurements past their deadline to open",
                _link(to_open),
                order=10,
            )
        )
    return items
