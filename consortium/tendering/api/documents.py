"""Endpoints for the tender's documents: listed for anyone who sees the procurement, changed by
its managers until publication (afterwards, attached to an amendment)."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, File, Form, Schema, Status, UploadedFile

from consortium.core.api_errors import ERRORS
from consortium.core.email import absolute_url
from consortium.organisations.api_auth import actor_of
from consortium.tendering import services
from consortium.tendering.api._common import _project, router
from consortium.tendering.models import TenderDocument
from consortium.tendering.services.documents import MAX_TENDER_DOCUMENT_BYTES


class TenderDocumentOut(Schema):
    id: int
    title: str
    file_name: str
    content_type: str = Field(..., description="What the file really is, from its content")
    size: int
    uploaded_at: dt.datetime
    amendment: int | None = Field(None, description="The amendment that added it, if after publication")
    url: str = Field(..., description="Where to download it")

    @staticmethod
    def resolve_amendment(obj: TenderDocument) -> int | None:
        return obj.amendment.number if obj.amendment else None

    @staticmethod
    def resolve_url(obj: TenderDocument) -> str:
        return absolute_url(f"/tenders/{obj.project_id}/documents/{obj.pk}/")


class TenderDocumentIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)


def _upload(file: UploadedFile | None) -> services.DocumentUpload | None:
    if file is None:
        return None
    return services.DocumentUpload(file.name or "document", file.read(MAX_TENDER_DOCUMENT_BYTES + 1))


@router.get(
    "/tenders/{project_id}/documents",
    response={200: list[TenderDocumentOut], **ERRORS},
    operation_id="tender_documents",
)
def tender_documents(request: HttpRequest, project_id: int) -> list[TenderDocument]:
    """The tender's documents, oldest first (those added by an amendment say which)."""
    return list(_project(request, project_id).documents.select_related("amendment"))


@router.post(
    "/tenders/{project_id}/documents",
    response={201: TenderDocumentOut, **ERRORS},
    operation_id="tender_document_add",
)
def tender_document_add(
    request: HttpRequest, project_id: int, payload: Form[TenderDocumentIn], file: File[UploadedFile]
) -> Status:
    """Add a document before publication (PDF, Word, .xlsx, CSV, image or text; up to 10 MB)."""
    upload = _upload(file)
    assert upload is not None
    document = services.tender_document_add(
        actor=actor_of(request), project=_project(request, project_id), title=payload.title, upload=upload
    )
    return Status(201, document)


@router.post(
    "/tenders/{project_id}/documents/{document_id}",
    response={200: TenderDocumentOut, **ERRORS},
    operation_id="tender_document_change",
)
def tender_document_change(
    request: HttpRequest,
    project_id: int,
    document_id: int,
    payload: Form[TenderDocumentIn],
    file: File[UploadedFile] | None = None,
) -> TenderDocument:
    """Retitle a document, or replace its file, before publication."""
    return services.tender_document_change(
        actor=actor_of(request),
        project=_project(request, project_id),
        document_id=document_id,
        title=payload.title,
        upload=_upload(file),
    )


@router.delete(
    "/tenders/{project_id}/documents/{document_id}",
    response={204: None, **ERRORS},
    operation_id="tender_document_remove",
)
def tender_document_remove(request: HttpRequest, project_id: int, document_id: int) -> Status:
    services.tender_document_remove(
        actor=actor_of(request), project=_project(request, project_id), document_id=document_id
    )
    return Status(204, None)
