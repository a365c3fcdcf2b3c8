"""Endpoints for evaluating bids: evaluators, declarations, scores, moderation, results."""

from typing import Any

from django.http import HttpRequest
from ninja import Status

from consortium.core.api_errors import ERRORS
from consortium.organisations.api_auth import actor_of
from consortium.tendering import selectors, services
from consortium.tendering.api._common import _criterion, _project, router
from consortium.tendering.models import Bid
from consortium.tendering.schemas import (
    AssignIn,
    BidEnvelopeOut,
    DeclarationIn,
    ScoresheetIn,
    WorkbookIn,
    scores_by_bid,
)


@router.post(
    "/tenders/{project_id}/evaluators",
    response={201: dict[str, Any], **ERRORS},
    operation_id="tender_evaluator_assign",
)
def tender_evaluator_assign(request: HttpRequest, project_id: int, payload: AssignIn) -> Status:
    project = _project(request, project_id)
    evaluator = selectors.evaluator_choice(actor_of(request), payload.evaluator_id)
    a = services.evaluator_assign(
        actor=actor_of(request), criterion=_criterion(project, payload.criterion_id), evaluator=evaluator
    )
    return Status(
        201,
        {
            "id": a.pk,
            "criterion_id": a.criterion_id,
            "evaluator_id": a.evaluator_id,
            "declaration": a.declaration,
        },
    )


@router.post(
    "/tenders/{project_id}/declaration",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_declaration",
)
def tender_declaration(request: HttpRequest, project_id: int, payload: DeclarationIn) -> dict[str, Any]:
    """An evaluator's conflict-of-interest declaration, before seeing any bid."""
    project = _project(request, project_id)
    count = services.declaration_make(
        actor=actor_of(request), project=project, conflict=payload.conflict, note=payload.note
    )
    return {"criteria": count, "conflict": payload.conflict}


@router.put(
    "/tenders/{project_id}/criteria/{criterion_id}/scores",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_scoresheet",
)
def tender_scoresheet(
    request: HttpRequest, project_id: int, criterion_id: int, payload: ScoresheetIn
) -> dict[str, Any]:
    """An evaluator's own scores with justifications; nobody else's are shown."""
    project = _project(request, project_id)
    n = services.scoresheet_submit(
        actor=actor_of(request), criterion=_criterion(project, criterion_id), scores=scores_by_bid(payload)
    )
    return {"scored": n}


@router.put(
    "/tenders/{project_id}/criteria/{criterion_id}/moderation",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_moderation",
)
def tender_moderation(
    request: HttpRequest, project_id: int, criterion_id: int, payload: ScoresheetIn
) -> dict[str, Any]:
    """The moderator's consensus score per bid, with reasons."""
    project = _project(request, project_id)
    n = services.moderation_submit(
        actor=actor_of(request), criterion=_criterion(project, criterion_id), consensus=scores_by_bid(payload)
    )
    return {"moderated": n}


def _workbook(payload: WorkbookIn) -> dict[tuple[int, int], services.ScoreIn]:
    return {(s.criterion_id, s.bid_id): services.ScoreIn(s.score, s.justification) for s in payload.scores}


@router.put(
    "/tenders/{project_id}/scores",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_scores_submit",
)
def tender_scores_submit(request: HttpRequest, project_id: int, payload: WorkbookIn) -> dict[str, Any]:
    """An evaluator's whole scoring workbook at once: scores for any of its criteria and bids."""
    n = services.scores_submit(
        actor=actor_of(request), project=_project(request, project_id), scores=_workbook(payload)
    )
    return {"scored": n}


@router.put(
    "/tenders/{project_id}/consensus",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_consensus_submit",
)
def tender_consensus_submit(request: HttpRequest, project_id: int, payload: WorkbookIn) -> dict[str, Any]:
    """The moderator's consensus scores for many criteria at once."""
    n = services.consensus_submit(
        actor=actor_of(request), project=_project(request, project_id), consensus=_workbook(payload)
    )
    return {"moderated": n}


@router.post(
    "/tenders/{project_id}/results",
    response={200: list[BidEnvelopeOut], **ERRORS},
    operation_id="tender_results",
)
def tender_results(request: HttpRequest, project_id: int) -> list[Bid]:
    """Work out price points, totals and ranking (ties broken by the stated rule)."""
    bids = services.evaluation_finalise(actor=actor_of(request), project=_project(request, project_id))
    return sorted(bids, key=lambda b: (b.lot_id, b.rank or 0))
