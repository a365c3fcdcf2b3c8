"""The tender's documents: uploaded and checked for what they really are, changed or removed
until publication; after it, added only with an amendment (services.amendment)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from consortium.audit.services import audit_record
from consortium.core.dates import now
from consortium.core.errors import NotFound, ValidationFailed
from consortium.core.files import DOCX, XLSX, check_xlsx_archive, sniff_document
from consortium.organisations.acting import Actor
from consortium.tendering.models import Project, TenderAmendment, TenderDocument
from consortium.tendering.services._common import _locked, _require_manager
from consortium.tendering.services.setup import _before_publication

MAX_TENDER_DOCUMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class DocumentUpload:
    name: str
    content: bytes


def checked(upload: DocumentUpload, *, field: str = "file") -> tuple[str, str]:
    """The file's name and real type, or ValidationFailed naming the file and what is wrong."""
    name = (upload.name or "document").replace("/", "_").replace("\\", "_").strip()[:200] or "document"
    if not upload.content:
        raise ValidationFailed(f"“{name}” is empty", field_errors={field: f"“{name}” is empty"})
    if len(upload.content) > MAX_TENDER_DOCUMENT_BYTES:
        raise ValidationFailed(
            f"“{name}” is larger than 10 MB", field_errors={field: f"“{name}” is larger than 10 MB"}
        )
    kind = sniff_document(upload.content)
    if kind is None:
        message = f"“{name}” must be a PDF, a Word document, a spreadsheet (.xlsx or CSV), an image or text"
        raise ValidationFailed(message, field_errors={field: message})
    if kind in (XLSX, DOCX):
        try:
            check_xlsx_archive(upload.content, hint=field)
        except ValidationFailed as exc:
            raise ValidationFailed(
                f"“{name}”: {exc.detail}", field_errors={field: f"“{name}”: {exc.detail}"}
            ) from exc
    return name, kind


def _store(
    actor: Actor,
    project: Project,
    title: str,
    upload: DocumentUpload,
    amendment: TenderAmendment | None = None,
) -> TenderDocument:
    name, kind = checked(upload)
    return TenderDocument.objects.create(
        project=project,
        title=title.strip()[:200] or name,
        file_name=name,
        content_type=kind,
        content=upload.content,
        size=len(upload.content),
        uploaded_by=actor.person,
        uploaded_at=now(),
        amendment=amendment,
    )


def _require_title(title: str) -> None:
    if not title.strip():
        raise ValidationFailed("Check the document", field_errors={"title": "Give the document a title"})


def tender_document_add(
    *, actor: Actor, project: Project, title: str, upload: DocumentUpload
) -> TenderDocument:
    _require_manager(actor)
    _require_title(title)
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        document = _store(actor, project, title, upload)
        audit_record(
            actor=actor,
            action="procurement.document",
            obj=project,
            organisation=project.run_by,
            changes={"added": document.title, "file": document.file_name, "size": document.size},
        )
    return document


def tender_document_change(
    *, actor: Actor, project: Project, document_id: int, title: str, upload: DocumentUpload | None = None
) -> TenderDocument:
    """Retitle a document, or replace its file, before publication."""
    _require_manager(actor)
    _require_title(title)
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        document = project.documents.filter(pk=document_id).first()
        if document is None:
            raise NotFound("No such document in this procurement")
        before = document.file_name
        document.title = title.strip()[:200]
        if upload is not None:
            document.file_name, document.content_type = checked(upload)
            document.content = upload.content
            document.size = len(upload.content)
            document.uploaded_at = now()
            document.uploaded_by = actor.person
        document.save()
        audit_record(
            actor=actor,
            action="procurement.document",
            obj=project,
            organisation=project.run_by,
            changes={"changed": document.title, "file": [before, document.file_name]},
        )
    return document


def tender_document_remove(*, actor: Actor, project: Project, document_id: int) -> None:
    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        document = project.documents.filter(pk=document_id).first()
        if document is None:
            raise NotFound("No such document in this procurement")
        title = document.title
        document.delete()
        audit_record(
            actor=actor,
            action="procurement.document",
            obj=project,
            organisation=project.run_by,
            changes={"removed": title},
        )
