"""The procurement's open data (OCDS 1.1.5 releases and record)."""

from typing import Any

from django.http import HttpRequest

from consortium.core.api_errors import ERRORS
from consortium.tendering import ocds, selectors
from consortium.tendering.api._common import router


@router.get(
    "/tenders/{project_id}/ocds/releases",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_ocds_releases",
    auth=None,
)
def tender_ocds_releases(request: HttpRequest, project_id: int) -> dict[str, Any]:
    """The OCDS 1.1 release package: every release published for the procurement (open data)."""
    return ocds.release_package(selectors.published_project(project_id))


@router.get(
    "/tenders/{project_id}/ocds/record",
    response={200: dict[str, Any], **ERRORS},
    operation_id="tender_ocds_record",
    auth=None,
)
def tender_ocds_record(request: HttpRequest, project_id: int) -> dict[str, Any]:
    """The OCDS 1.1 record package, with the compiled release."""
    return ocds.record_package(selectors.published_project(project_id))
