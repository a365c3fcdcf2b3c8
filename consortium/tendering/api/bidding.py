"""Endpoints for suppliers while the tender is open: interest, clarifications, sealed bids."""

from django.http import HttpRequest
from ninja import Status
from ninja.pagination import paginate

from consortium.core.api_errors import ERRORS
from consortium.core.errors import NotFound
from consortium.core.pagination import Page
from consortium.organisations.api_auth import actor_of
from consortium.tendering import selectors, services
from consortium.tendering.api._common import _project, router
from consortium.tendering.models import Bid, Clarification, Project
from consortium.tendering.schemas import (
    AnswerIn,
    BidEnvelopeOut,
    BidIn,
    BidOut,
    ClarificationOut,
    ProjectOut,
    QuestionIn,
    bid_submission,
)


@router.post(
    "/tenders/{project_id}/interest", response={200: ProjectOut, **ERRORS}, operation_id="tender_interest"
)
def tender_interest(request: HttpRequest, project_id: int) -> Project:
    project = _project(request, project_id)
    services.interest_register(actor=actor_of(request), project=project)
    return project


@router.get(
    "/tenders/{project_id}/clarifications",
    response={200: list[ClarificationOut], **ERRORS},
    operation_id="tender_clarification_list",
)
@paginate(Page)
def tender_clarification_list(request: HttpRequest, project_id: int) -> object:
    """Questions and answers, never naming who asked (a supplier sees `mine` on its own)."""
    actor = actor_of(request)
    items = selectors.clarifications_for(actor, _project(request, project_id))
    return [
        {
            "id": c.pk,
            "question": c.question,
            "answer": c.answer,
            "answered_at": c.answered_at,
            "mine": c.asked_by_id == actor.organisation.pk,
        }
        for c in items
    ]


@router.post(
    "/tenders/{project_id}/clarifications",
    response={201: ClarificationOut, **ERRORS},
    operation_id="tender_clarification_ask",
)
def tender_clarification_ask(request: HttpRequest, project_id: int, payload: QuestionIn) -> Status:
    c = services.clarification_ask(
        actor=actor_of(request), project=_project(request, project_id), question=payload.question
    )
    return Status(201, {"id": c.pk, "question": c.question, "answer": "", "answered_at": None, "mine": True})


@router.post(
    "/tenders/{project_id}/clarifications/{clarification_id}/answer",
    response={200: ClarificationOut, **ERRORS},
    operation_id="tender_clarification_answer",
)
def tender_clarification_answer(
    request: HttpRequest, project_id: int, clarification_id: int, payload: AnswerIn
) -> Clarification:
    project = _project(request, project_id)
    clarification = selectors.clarification_of(actor_of(request), project, clarification_id)
    return services.clarification_answer(
        actor=actor_of(request), clarification=clarification, answer=payload.answer
    )


@router.put(
    "/tenders/{project_id}/lots/{lot_number}/bid",
    response={200: BidOut, **ERRORS},
    operation_id="tender_bid_submit",
)
def tender_bid_submit(request: HttpRequest, project_id: int, lot_number: int, payload: BidIn) -> Bid:
    """Submit or resubmit a bid for a lot before the deadline (idempotent with `submission_key`)."""
    return services.bid_submit(
        actor=actor_of(request),
        project=_project(request, project_id),
        lot_number=lot_number,
        **bid_submission(payload),
    )


@router.get(
    "/tenders/{project_id}/my-bids", response={200: list[BidOut], **ERRORS}, operation_id="tender_my_bids"
)
@paginate(Page)
def tender_my_bids(request: HttpRequest, project_id: int) -> object:
    return selectors.own_bids(actor_of(request), _project(request, project_id))


@router.post(
    "/tenders/{project_id}/bids/{bid_id}/withdraw",
    response={200: BidEnvelopeOut, **ERRORS},
    operation_id="tender_bid_withdraw",
)
def tender_bid_withdraw(request: HttpRequest, project_id: int, bid_id: int) -> Bid:
    actor = actor_of(request)
    bid = selectors.own_bid(actor, _project(request, project_id), bid_id=bid_id)
    if bid is None:
        raise NotFound("No such bid")
    return services.bid_withdraw(actor=actor, bid=bid)
