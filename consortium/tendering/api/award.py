"""Endpoints for the award and the bidders' feedback."""

from typing import Any

from django.http import HttpRequest
from ninja import Query

from consortium.core.api_errors import ERRORS
from consortium.organisations.api_auth import actor_of
from consortium.tendering import selectors, services
from consortium.tendering.api._common import _project, router
from consortium.tendering.models import Project
from consortium.tendering.schemas import ConcludeIn, ProjectOut, SummaryRowOut


@router.post(
    "/tenders/{project_id}/award", response={200: ProjectOut, **ERRORS}, operation_id="tender_award_approve"
)
def tender_award_approve(request: HttpRequest, project_id: int) -> Project:
    services.award_approve(actor=actor_of(request), project=_project(request, project_id))
    return _project(request, project_id)


@router.post(
    "/tenders/{project_id}/conclude", response={200: ProjectOut, **ERRORS}, operation_id="tender_conclude"
)
def tender_conclude(request: HttpRequest, project_id: int, signed: Query[ConcludeIn]) -> Project:
    """After standstill: the contract, signed on the day given as `?signed_on=` (today if none)."""
    services.award_conclude(
        actor=actor_of(request), project=_project(request, project_id), signed_on=signed.signed_on
    )
    return _project(request, project_id)


@router.get(
    "/tenders/{project_id}/bids/{bid_id}/summary",
    response={200: list[SummaryRowOut], **ERRORS},
    operation_id="tender_bid_summary",
)
def tender_bid_summary(request: HttpRequest, project_id: int, bid_id: int) -> list[dict[str, Any]]:
    """The bidder's assessment summary: its points and the winner's, per criterion."""
    actor = actor_of(request)
    bid = selectors.bid_for_summary(actor, project_id, bid_id)
    rows = selectors.assessment_summary(actor, bid)
    return [
        {
            "criterion": f"{r.criterion.number} {r.criterion.title}",
            "weight": r.weight,
            "own_points": r.own_points,
            "winner_points": r.winner_points,
        }
        for r in rows
    ]
