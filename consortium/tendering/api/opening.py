"""Endpoints for the opening and the bids it unseals."""

from django.http import HttpRequest
from ninja.pagination import paginate

from consortium.core.api_errors import ERRORS
from consortium.core.errors import NotFound
from consortium.core.pagination import Page
from consortium.organisations.api_auth import actor_of
from consortium.tendering import selectors, services
from consortium.tendering.api._common import _project, router
from consortium.tendering.models import Bid, Project
from consortium.tendering.schemas import BidEnvelopeOut, BidOut, ProjectOut


@router.get(
    "/tenders/{project_id}/bids",
    response={200: list[BidEnvelopeOut], **ERRORS},
    operation_id="tender_bid_list",
)
@paginate(Page)
def tender_bid_list(request: HttpRequest, project_id: int) -> object:
    """Submitted bids, once the deadline has passed and two people have recorded the opening."""
    return selectors.bid_list_for(actor_of(request), _project(request, project_id))


@router.get(
    "/tenders/{project_id}/bids/{bid_id}", response={200: BidOut, **ERRORS}, operation_id="tender_bid_get"
)
def tender_bid_get(request: HttpRequest, project_id: int, bid_id: int) -> Bid:
    """A bid's content: sealed to all but the bidder until opened; every read is audited."""
    bid = selectors.bid_for_reading(actor_of(request), bid_id)
    if bid.project_id != project_id:
        raise NotFound("No such bid")
    return bid


@router.post(
    "/tenders/{project_id}/openings",
    response={200: ProjectOut, **ERRORS},
    operation_id="tender_opening_record",
)
def tender_opening_record(request: HttpRequest, project_id: int) -> Project:
    services.opening_record(actor=actor_of(request), project=_project(request, project_id))
    return _project(request, project_id)
