"""The tender's documents: downloaded, and changed on their own pages until publication."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from consortium.core.errors import ConsortiumError, PermissionDenied, ValidationFailed
from consortium.core.views import actor_required, form_errors
from consortium.tendering import selectors, services
from consortium.tendering.models import Project, TenderDocument
from consortium.tendering.services.documents import MAX_TENDER_DOCUMENT_BYTES
from consortium.tendering.views._common import S, _actor

PUBLISHED = (S.OPEN, S.EVALUATION, S.STANDSTILL, S.AWARDED, S.CANCELLED)


@require_GET
def tender_document(request: HttpRequest, project_id: int, document_id: int) -> HttpResponse:
    """A tender document: anyone's once the tender is published, before that its managers'."""
    document = (
        TenderDocument.objects.select_related("project").filter(pk=document_id, project_id=project_id).first()
    )
    if document is None:
        raise Http404("No such document")
    project = document.project
    # Published and open to all: anyone's. Before publication, or a procurement open only to
    # invited suppliers (a direct award, a call-off): only those who may see the procurement.
    if project.status not in PUBLISHED or project.invited_suppliers.exists():
        actor = getattr(request, "actor", None)  # set by the middleware for a signed-in person
        if actor is None or (project.status not in PUBLISHED and not selectors.runs_procurements(actor)):
            raise Http404("No such document")
        try:
            selectors.project_get_for(actor, project.pk)
        except ConsortiumError as exc:
            raise Http404("No such document") from exc
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    safe = "".join(ch for ch in document.file_name if ch.isalnum() or ch in "._- ")[:120] or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _upload(request: HttpRequest) -> services.DocumentUpload | None:
    f = request.FILES.get("file")
    if f is None:
        return None
    return services.DocumentUpload(f.name or "document", f.read(MAX_TENDER_DOCUMENT_BYTES + 1))


@actor_required
def tender_document_edit(
    request: HttpRequest, project_id: int, document_id: int | None = None
) -> HttpResponse:
    """Add a document (document_id None), or change or remove one, until publication."""
    actor = _actor(request)
    if not selectors.runs_procurements(actor):
        raise PermissionDenied("Only the consortium's category managers and admins run procurements.")
    project: Project = selectors.project_get_for(actor, project_id)
    document = None
    if document_id is not None:
        document = project.documents.filter(pk=document_id).first()
        if document is None:
            raise Http404("No such document")
    errors: dict[str, str] = {}
    if request.method == "POST":
        p = request.POST
        try:
            if document is not None and p.get("action") == "remove":
                services.tender_document_remove(actor=actor, project=project, document_id=document.pk)
                messages.success(request, f"“{document.title}” removed.")
                return redirect("tender-detail", project.pk)
            title = str(p.get("title", "")).strip()
            upload = _upload(request)
            problems: dict[str, Any] = {}
            if not title:
                problems["title"] = "Give the document a title"
            if document is None and upload is None:
                problems["file"] = "Choose a file to upload"
            if problems:
                raise ValidationFailed("Check the document", field_errors=problems)
            if document is None:
                assert upload is not None
                services.tender_document_add(actor=actor, project=project, title=title, upload=upload)
            else:
                services.tender_document_change(
                    actor=actor, project=project, document_id=document.pk, title=title, upload=upload
                )
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, "Tender documents saved.")
            return redirect("tender-detail", project.pk)
    return render(
        request,
        "tendering/document_edit.html",
        {
            "project": project,
            "document": document,
            "errors": errors,
            "form": request.POST if errors else {"title": document.title if document else ""},
            "editable": project.status in (S.DRAFT, S.DEMAND, S.PREPARATION),
        },
        status=400 if errors else 200,
    )
