"""Pages for suppliers while the tender is open: clarifications and the bid."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from consortium.core.errors import ConsortiumError, ValidationFailed
from consortium.core.forms import Where, posted, read_form, rows_where
from consortium.core.views import (
    actor_required,
    forbidden,
    form_errors,
    form_id,
)
from consortium.tendering import selectors, services
from consortium.tendering.constants import (
    CriterionKind,
    PriceMethod,
)
from consortium.tendering.schemas import AnswerIn, BidIn, QuestionIn, bid_submission
from consortium.tendering.sealing import content_of
from consortium.tendering.views._common import S, _actor


@actor_required
def tender_clarifications(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("clarification"):
                question = selectors.clarification_of(
                    actor, project, form_id(request.POST.get("clarification"), "clarification")
                )
                answer = read_form(
                    AnswerIn,
                    request.POST,
                    where=lambda loc: (f"answer_{question.pk}", ""),
                    summary="Check the answer",
                )
                services.clarification_answer(actor=actor, clarification=question, answer=answer.answer)
                messages.success(request, "Answer published to every bidder.")
            else:
                data = read_form(QuestionIn, request.POST, summary="Check your question")
                services.clarification_ask(actor=actor, project=project, question=data.question)
                messages.success(
                    request,
                    "Question sent. The answer will be published to every bidder, without naming you.",
                )
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            return redirect("tender-clarifications", project.pk)
    return render(
        request,
        "tendering/clarifications.html",
        {
            "project": project,
            "clarifications": selectors.clarifications_for(actor, project),
            "manager": selectors.runs_procurements(actor),
            "can_ask": selectors.bids(actor) and project.status == S.OPEN,
            "errors": errors,
            "form": request.POST,
        },
        status=400 if errors else 200,
    )


# The bid page's schedule: a unit price input per item of the lot's schedule, unit_price_<n>.
COST_PROFILE_INPUTS = {
    "acquisition": "acquisition_cost",
    "annual_running": "annual_running_cost",
    "annual_maintenance": "annual_maintenance_cost",
    "end_of_life": "end_of_life_cost",
    "residual_value": "residual_value",
    "annual_emissions": "annual_emissions",
}


def _bid_input(
    p: Mapping[str, Any], asked: list[Any], wlc: bool, items: list[Any]
) -> tuple[dict[str, Any], Where]:
    """The bid page's inputs assembled into the API's BidIn, and where each error belongs (the
    service names an item left unpriced)."""
    typed = {i.number: str(p.get(f"unit_price_{i.number}", "")).strip() for i in items}
    rows = [n for n, v in typed.items() if v]
    data: dict[str, Any] = {
        "answers": {c.pk: str(p.get(f"answer_{c.pk}", "")) for c in asked},
        "price_lines": [{"item": n, "unit_price": typed[n]} for n in rows],
        "submission_key": str(p.get("submission_key", ""))[:64],
    }
    if wlc:
        data["cost_profile"] = {
            f: v for f, name in COST_PROFILE_INPUTS.items() if (v := posted(p, name).get(name))
        }
    line_where = rows_where("price_lines", rows, lambda i: f"Item {rows[i]}", {"unit_price": "unit_price"})

    def where(loc: tuple[int | str, ...]) -> tuple[str, str]:
        if loc[:1] == ("cost_profile",) and len(loc) > 1:
            return COST_PROFILE_INPUTS.get(str(loc[1]), "acquisition_cost"), ""
        if loc[:1] == ("answers",) and len(loc) > 1:
            return f"answer_{loc[1]}", ""
        return line_where(loc)

    return data, where


@actor_required
def tender_bid(request: HttpRequest, project_id: int, lot_number: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    if not selectors.bids(actor):
        return forbidden(request, reason="Suppliers' users bid.")
    lot = selectors.lot_of(actor, project, lot_number)
    asked = [c for c in selectors.leaf_criteria(project) if c.kind != CriterionKind.PRICE]
    bid = selectors.own_bid(actor, project, lot=lot)
    items = list(lot.items.all())
    errors: dict[str, str] = {}
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("withdraw") and bid:
                services.bid_withdraw(actor=actor, bid=bid)
                messages.success(request, "Bid withdrawn. You may submit again until the deadline.")
                return redirect("tender-bid", project.pk, lot.number)
            wlc = project.price_method == PriceMethod.WHOLE_LIFE_COST
            data, where = _bid_input(p, asked, wlc, items)
            try:
                payload = read_form(BidIn, data, raw=True, where=where, summary="Check your bid")
            except ValidationFailed as exc:
                errors = dict(exc.field_errors)
            if not p.get("declaration"):
                errors["declaration"] = "Confirm the declaration to submit your bid"
            if errors:
                raise ValidationFailed("Check your bid", field_errors=errors)
            documents = [
                services.DocumentIn(
                    f.name or "document",
                    f.content_type or "application/octet-stream",
                    f.read(services.MAX_DOCUMENT_BYTES + 1),
                )
                for f in request.FILES.getlist("documents")
            ]
            services.bid_submit(
                actor=actor,
                project=project,
                lot_number=lot.number,
                documents=documents,
                **bid_submission(payload),
            )
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            # The service names a schedule item as items[n].unit_price: its input is unit_price_n.
            errors = {
                (f"unit_price_{k[6:-12]}" if k.startswith("items[") and k.endswith("].unit_price") else k): v
                for k, v in form_errors(exc).items()
            }
        else:
            messages.success(
                request,
                "Bid submitted. Only you can see it until the deadline; you may change or withdraw it until then.",
            )
            return redirect("tender-bid", project.pk, lot.number)
    content = content_of(bid) if bid else None
    answers = content.answers if content else {}
    saved = {line.item_number: line.unit_price for line in content.price_lines} if content else {}
    import uuid

    return render(
        request,
        "tendering/bid.html",
        {
            "project": project,
            "lot": lot,
            "bid": bid,
            # A criterion reusing the appraisal shows the bidder's appraisal answer until it writes its own.
            "criteria": [
                (
                    c,
                    request.POST.get(
                        f"answer_{c.pk}",
                        answers.get(c.pk)
                        or (
                            services.appraisal_answer(actor.organisation, c.appraisal_question)
                            if c.appraisal_question
                            else ""
                        ),
                    ),
                )
                for c in asked
            ],
            # What was typed, when the bid came back with errors; else the bid as saved.
            "lines": [
                (
                    item,
                    request.POST.get(f"unit_price_{item.number}", "")
                    if errors
                    else saved.get(item.number, ""),
                )
                for item in items
            ],
            "content": content,
            "errors": errors,
            "form": request.POST,
            "open": project.status == S.OPEN and not selectors.deadline_passed(project),
            "submission_key": uuid.uuid4().hex,
            "wlc": project.price_method == PriceMethod.WHOLE_LIFE_COST,
        },
        status=400 if errors else 200,
    )
