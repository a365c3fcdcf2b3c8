"""Endpoints for changing a tender after publication: amendments, which every bidder is told of."""

from django.http import HttpRequest
from ninja import Status

from consortium.core.api_errors import ERRORS
from consortium.organisations.api_auth import actor_of
from consortium.tendering import services
from consortium.tendering.api._common import _project, router
from consortium.tendering.models import TenderAmendment
from consortium.tendering.schemas import AmendmentIn, AmendmentOut


@router.post(
    "/tenders/{project_id}/amendments",
    response={201: AmendmentOut, **ERRORS},
    operation_id="tender_amend",
)
def tender_amend(request: HttpRequest, project_id: int, payload: AmendmentIn) -> Status:
    """Amend a tender open for bids: recorded, told to every bidder, published (revised UK4 and
    an OCDS tenderAmendment); a significant change needs a deadline leaving the minimum period."""
    amendment = services.tender_amend(
        actor=actor_of(request), project=_project(request, project_id), **payload.dict()
    )
    return Status(201, amendment)


@router.get(
    "/tenders/{project_id}/amendments",
    response={200: list[AmendmentOut], **ERRORS},
    operation_id="tender_amendments",
)
def tender_amendments(request: HttpRequest, project_id: int) -> list[TenderAmendment]:
    """Every amendment of the tender, oldest first."""
    return list(_project(request, project_id).amendments.all())
