"""Pages for evaluators and the category manager: declarations, scoresheets, workbooks, moderation, results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from consortium.core.errors import ConsortiumError, ValidationFailed
from consortium.core.forms import posted, read_form, rows_where
from consortium.core.views import (
    actor_required,
    forbidden,
    form_errors,
    uploaded_file,
)
from consortium.tendering import scoring_workbook, selectors, services
from consortium.tendering.constants import (
    TIE_BREAK_RULE,
    Declaration,
)
from consortium.tendering.models import Bid
from consortium.tendering.schemas import DeclarationIn, ScoresheetIn, scores_by_bid
from consortium.tendering.views._common import _actor


@actor_required
def tender_evaluation(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    assignments = selectors.my_assignments(actor, project)
    if not assignments:
        return forbidden(request, reason="You are not an evaluator of this procurement.")
    errors: dict[str, str] = {}
    if request.method == "POST" and request.FILES.get("file"):
        try:
            content, _name = uploaded_file(request, max_bytes=scoring_workbook.MAX_BYTES)
            criteria = [a.criterion for a in assignments if a.declaration == Declaration.NO_CONFLICT]
            scores = scoring_workbook.read(content, criteria)
            count = services.scores_submit(actor=actor, project=project, scores=scores)
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, f"{count} scores saved from your workbook.")
            return redirect("tender-evaluation", project.pk)
    elif request.method == "POST":
        try:
            data = read_form(DeclarationIn, request.POST, summary="Check your declaration")
            services.declaration_make(actor=actor, project=project, conflict=data.conflict, note=data.note)
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, "Declaration recorded.")
            return redirect("tender-evaluation", project.pk)
    return render(
        request,
        "tendering/evaluation.html",
        {
            "project": project,
            "assignments": assignments,
            "declared": all(a.declaration != Declaration.PENDING for a in assignments),
            "conflicted": any(a.declaration == Declaration.CONFLICT for a in assignments),
            "errors": errors,
            "opened": project.opened_at is not None,
        },
        status=400 if errors else 200,
    )


@require_GET
@actor_required
def tender_scoring_workbook(request: HttpRequest, project_id: int) -> HttpResponse:
    """The evaluator's scoring workbook: its criteria × every bid, to score offline."""
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    criteria = [a.criterion for a in selectors.active_assignments(actor, project).select_related("criterion")]
    if not criteria:
        return forbidden(
            request, reason="Only evaluators who declared no conflict download a scoring workbook."
        )
    bids = selectors.bids_for_reading(actor, project)
    response = HttpResponse(
        scoring_workbook.template(sorted(criteria, key=lambda c: c.number), bids, actor.person.pk),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="scores-{project.reference}.xlsx"'
    return response


def _scoresheet(post: Mapping[str, Any], bids: list[Bid]) -> dict[int, services.ScoreIn]:
    """The scores typed on a scoresheet or moderation page, read with the API's ScoresheetIn;
    a bid left without a score is skipped, and every error names its bid."""
    typed = [
        (n, b) for n, b in enumerate(bids, start=1) if posted(post, f"score_{b.pk}", f"justification_{b.pk}")
    ]
    if not typed:
        raise ValidationFailed(
            "Nothing to save", field_errors={"__all__": "Give a score for at least one bid"}
        )
    rows = [
        {
            "bid_id": b.pk,
            **{
                f: v
                for f in ("score", "justification")
                if (v := posted(post, f"{f}_{b.pk}").get(f"{f}_{b.pk}"))
            },
        }
        for _, b in typed
    ]
    data = read_form(
        ScoresheetIn,
        {"scores": rows},
        raw=True,
        where=rows_where("scores", [b.pk for _, b in typed], lambda i: f"Bid {typed[i][0]}"),
        summary="Check the scores",
    )
    return scores_by_bid(data)


@actor_required
def tender_scoresheet(request: HttpRequest, project_id: int, criterion_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    criterion = selectors.criterion_of(actor, project, criterion_id)
    if not selectors.active_assignments(actor, project).filter(criterion=criterion).exists():
        return forbidden(
            request, reason="Only this criterion's evaluators who declared no conflict score it."
        )
    rows = selectors.answers_to(actor, project, criterion)
    errors: dict[str, str] = {}
    # One click saves in place (htmx): the evaluator stays on the criterion; without
    # JavaScript the form posts and redirects as before.
    in_place = request.headers.get("HX-Request") == "true"
    saved = ""
    if request.method == "POST":
        try:
            services.scoresheet_submit(
                actor=actor, criterion=criterion, scores=_scoresheet(request.POST, [b for b, _ in rows])
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            saved = f"Your scores for {criterion.number} {criterion.title} are saved."
            if not in_place:
                messages.success(request, saved)
                return redirect("tender-evaluation", project.pk)
    mine = selectors.my_scores(actor, criterion)
    return render(
        request,
        "tendering/scoresheet.html",
        {
            "project": project,
            "criterion": criterion,
            "rows": [(b, answer, mine.get(b.pk)) for b, answer in rows],
            "score_label": f"Your score (0–{criterion.scale_max})",
            "errors": errors,
            "scale": range(criterion.scale_max + 1),
            "form": request.POST if errors else {},
            "saved": saved,
        },
        # htmx swaps only successful answers: an error summary comes back as 200 to it.
        status=400 if errors and not in_place else 200,
    )


@actor_required
def tender_moderation(request: HttpRequest, project_id: int, criterion_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    if not selectors.runs_procurements(actor):
        return forbidden(request, reason="The category manager moderates.")
    criterion = selectors.criterion_of(actor, project, criterion_id)
    rows = selectors.answers_to(actor, project, criterion)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.moderation_submit(
                actor=actor, criterion=criterion, consensus=_scoresheet(request.POST, [b for b, _ in rows])
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, f"Consensus scores for {criterion.number} recorded.")
            return redirect("tender-detail", project.pk)
    individual, consensus = selectors.scores_for_moderation(actor, criterion)
    return render(
        request,
        "tendering/moderation.html",
        {
            "project": project,
            "criterion": criterion,
            "rows": [(b, a, individual.get(b.pk, []), consensus.get(b.pk)) for b, a in rows],
            "errors": errors,
            "form": request.POST,
            "scale": range(criterion.scale_max + 1),
        },
        status=400 if errors else 200,
    )


@actor_required
def tender_results(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    if not selectors.runs_procurements(actor):
        return forbidden(
            request, reason="Results are for the category managers and admins until the award is approved."
        )
    bids = list(selectors.bid_list_for(actor, project).order_by("lot__number", "rank", "id"))
    return render(
        request,
        "tendering/results.html",
        {
            "project": project,
            "bids": bids,
            "tie_break": TIE_BREAK_RULE,
            "admin": selectors.approves_awards(actor),
        },
    )
