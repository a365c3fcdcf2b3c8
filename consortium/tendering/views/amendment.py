"""Amending a tender after publication, on its own page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from consortium.core.errors import ConsortiumError, PermissionDenied
from consortium.core.forms import read_form
from consortium.core.views import actor_required, form_errors
from consortium.tendering import selectors, services
from consortium.tendering.schemas import AmendmentIn
from consortium.tendering.services.amendment import earliest_deadline_after_amendment
from consortium.tendering.services.documents import MAX_TENDER_DOCUMENT_BYTES
from consortium.tendering.views._common import S, _actor


@actor_required
def tender_amend(request: HttpRequest, project_id: int) -> HttpResponse:
    """A manager amends a tender open for bids: every bidder is told; a significant change
    moves the deadline to leave the procedure's minimum period."""
    actor = _actor(request)
    if not selectors.runs_procurements(actor):
        raise PermissionDenied("Only the consortium's category managers and admins run procurements.")
    project = selectors.project_get_for(actor, project_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = read_form(AmendmentIn, request.POST, summary="Check the amendment")
            uploads = [
                services.DocumentUpload(f.name or "document", f.read(MAX_TENDER_DOCUMENT_BYTES + 1))
                for f in request.FILES.getlist("documents")
            ]
            amendment = services.tender_amend(actor=actor, project=project, documents=uploads, **data.dict())
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(
                request,
                f"Amendment {amendment.number} published: every bidder has been told, and a revised "
                "tender notice published.",
            )
            return redirect("tender-detail", project.pk)
    return render(
        request,
        "tendering/amend.html",
        {
            "project": project,
            "errors": errors,
            "form": request.POST,
            "open": project.status == S.OPEN and not selectors.deadline_passed(project),
            "earliest": earliest_deadline_after_amendment(project),
        },
        status=400 if errors else 200,
    )
