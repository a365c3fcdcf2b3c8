"""The procurement's open data (OCDS 1.1.5 releases and record)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from consortium.core.api_errors import ERRORS
from consortium.core.email import absolute_url
from consortium.tendering import ocds, selectors
from consortium.tendering.api._common import router
from consortium.tendering.models import Notice


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


class NoticeOut(Schema):
    id: int
    code: str = Field(..., alias="notice_type.code", description="UK1–UK17")
    name: str = Field(..., alias="notice_type.name")
    published_at: dt.datetime
    summary: str
    legal_basis: str = Field("", description="The Act's section (and the Regulations') it is published under")
    sections: list[dict[str, Any]] = Field(
        ..., description="[{heading, rows: [[label, value], …]}] as published"
    )
    url: str = Field(..., description="The notice as a page; add .pdf for the document")

    @staticmethod
    def resolve_legal_basis(obj: Notice) -> str:
        return str(obj.body.get("legal_basis", ""))

    @staticmethod
    def resolve_sections(obj: Notice) -> list[dict[str, Any]]:
        return list(obj.body.get("sections", []))

    @staticmethod
    def resolve_url(obj: Notice) -> str:
        return absolute_url(f"/tenders/{obj.project_id}/notices/{obj.pk}/")


@router.get(
    "/tenders/{project_id}/notices",
    response={200: list[NoticeOut], **ERRORS},
    operation_id="tender_notices",
    auth=None,
)
def tender_notices(request: HttpRequest, project_id: int) -> list[Notice]:
    """The UK notices published for the procurement, each with its content as published (open data)."""
    project = selectors.published_project(project_id)
    return list(project.notices.select_related("notice_type").order_by("published_at", "id"))
