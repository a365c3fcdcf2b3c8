"""Managing the awarded contract on its own pages: the overview, and one form per action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from consortium.core.errors import ConsortiumError, NotFound, PermissionDenied
from consortium.core.forms import read_form
from consortium.core.views import actor_required, form_errors
from consortium.tendering import selectors, services
from consortium.tendering.models import PerformanceAssessment
from consortium.tendering.schemas import (
    AssessmentIn,
    MilestoneIn,
    MilestoneRecordIn,
    TerminationIn,
    VariationIn,
)
from consortium.tendering.views._common import _actor

# Each action's form: its schema, its service, the page's heading and what it says when done.
FORMS: dict[str, tuple[Any, Any, str, str]] = {
    "milestone": (MilestoneIn, services.milestone_add, "Add a milestone", "Milestone added."),
    "variation": (
        VariationIn,
        services.contract_vary,
        "Vary the contract",
        "Variation recorded and the contract change notice (UK10) published.",
    ),
    "assessment": (
        AssessmentIn,
        services.performance_assess,
        "Assess performance",
        "Assessment recorded (published as a contract performance notice for a contract over £5 million).",
    ),
    "termination": (
        TerminationIn,
        services.contract_terminate,
        "Terminate the contract",
        "Contract terminated and the contract termination notice (UK11) published.",
    ),
}


def _awarded(request: HttpRequest, project_id: int) -> tuple[Any, Any]:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    if project.awarded_contract is None:
        raise NotFound("This procurement has not awarded a contract")
    return actor, project


@actor_required
def tender_contract(request: HttpRequest, project_id: int) -> HttpResponse:
    """The awarded contract as managed: milestones, variations, performance, termination."""
    actor, project = _awarded(request, project_id)
    return render(
        request,
        "tendering/contract.html",
        {
            "project": project,
            "contract": selectors.contract_management(actor, project),
            "manager": selectors.runs_procurements(actor) and project.terminated_on is None,
            "notices": project.notices.select_related("notice_type").filter(
                notice_type__code__in=("UK7", "UK9", "UK10", "UK11")
            ),
        },
    )


@actor_required
def tender_contract_form(request: HttpRequest, project_id: int, kind: str) -> HttpResponse:
    actor, project = _awarded(request, project_id)
    if kind not in FORMS:
        raise NotFound("No such form")
    if not selectors.runs_procurements(actor):
        raise PermissionDenied("Only the consortium's category managers and admins manage contracts.")
    schema, service, heading, done = FORMS[kind]
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = read_form(schema, request.POST, summary=f"Check the {kind}")
            service(actor=actor, project=project, **data.dict())
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, done)
            return redirect("tender-contract", project.pk)
    return render(
        request,
        "tendering/contract_form.html",
        {
            "project": project,
            "kind": kind,
            "heading": heading,
            "errors": errors,
            "form": request.POST,
            "ratings": PerformanceAssessment.Rating.choices,
            "lots": [b.lot.number for b in project.bids.filter(is_winner=True).select_related("lot")],
        },
        status=400 if errors else 200,
    )


@actor_required
def tender_contract_milestone(request: HttpRequest, project_id: int, number: int) -> HttpResponse:
    """Record one milestone met (on a day) or not met."""
    actor, project = _awarded(request, project_id)
    if not selectors.runs_procurements(actor):
        raise PermissionDenied("Only the consortium's category managers and admins manage contracts.")
    milestone = project.milestones.filter(number=number).first()
    if milestone is None:
        raise NotFound("No such milestone")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = read_form(MilestoneRecordIn, request.POST, summary="Check the milestone")
            services.milestone_record(actor=actor, project=project, number=number, **data.dict())
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, f"Milestone {number} recorded.")
            return redirect("tender-contract", project.pk)
    return render(
        request,
        "tendering/contract_milestone.html",
        {"project": project, "milestone": milestone, "errors": errors, "form": request.POST},
        status=400 if errors else 200,
    )
