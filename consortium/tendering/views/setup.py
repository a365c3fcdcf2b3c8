"""Pages for the procurement list, a new procurement, and the procurement page with its actions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from consortium.core.errors import ConsortiumError, NotFound, PermissionDenied
from consortium.core.forms import posted, read_form, renamed
from consortium.core.views import (
    actor_required,
    confirmation_page,
    forbidden,
    form_errors,
)
from consortium.organisations.acting import Actor
from consortium.tendering import selectors, services
from consortium.tendering.constants import (
    AuthorityType,
    ContractType,
)
from consortium.tendering.models import Project
from consortium.tendering.schemas import (
    AssignIn,
    BiddersIn,
    ConcludeIn,
    CriterionChangeIn,
    CriterionIn,
    DemandOpenIn,
    LotIn,
    ProjectIn,
    ReasonIn,
    ScheduleItemIn,
)
from consortium.tendering.views._common import _actor, _detail_context, appraisal_question_choices


@actor_required
def tender_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        "tendering/tender_list.html",
        {
            "projects": selectors.project_list_for(actor)[:200],
            "can_manage": selectors.runs_procurements(actor),
        },
    )


# A lot's inputs on the pages (the first lot on "new procurement", "add a lot" after).
LOT_INPUTS = {
    "title": "lot_title",
    "specification": "lot_specification",
    "estimated_unit_price": "estimated_unit_price",
    "unit": "lot_unit",
}


def _lot_input(p: Mapping[str, Any]) -> dict[str, Any]:
    given = posted(p, *LOT_INPUTS.values())
    return {field: given[name] for field, name in LOT_INPUTS.items() if name in given}


@actor_required
def tender_new(request: HttpRequest) -> HttpResponse:
    from consortium.catalogue.constants import Category

    actor = _actor(request)
    if not selectors.runs_procurements(actor):
        return forbidden(request, reason="The consortium's category managers start procurements.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        p = request.POST
        # One page holds the procurement and its first lot: assembled into the API's ProjectIn.
        fields = posted(p, "title", "description", "contract_type", "authority_type", "category")
        fields |= posted(p, "term_months", "extension_months")
        try:
            data = read_form(
                ProjectIn,
                {
                    **fields,
                    "cpv_codes": p.get("cpv_codes", "").replace(",", " ").split(),
                    "lots": [_lot_input(p)],
                },
                raw=True,
                where=renamed({f"lots[0].{field}": name for field, name in LOT_INPUTS.items()}),
                summary="Check the procurement",
            )
            values = data.dict()
            project = services.project_create(
                actor=actor, lots=[services.LotIn(**lot) for lot in values.pop("lots")], **values
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(
                request,
                f"Procurement {project.reference} started. Add criteria, then invite members to register demand.",
            )
            return redirect("tender-detail", project.pk)
    return render(
        request,
        "tendering/tender_new.html",
        {
            "errors": errors,
            "form": request.POST,
            "contract_types": ContractType.choices,
            "authority_types": AuthorityType.choices,
            "categories": Category.choices,
        },
        status=400 if errors else 200,
    )


@actor_required
def tender_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    return render(
        request, "tendering/tender_detail.html", {**_detail_context(actor, project), "errors": {}, "form": {}}
    )


# Steps that cannot be taken back: each is checked and confirmed on a page that says what happens.
IRREVERSIBLE: dict[str, tuple[str, list[str], str]] = {
    "close_demand": (
        "Close demand for {project.reference}?",
        [
            "Members can no longer register or change their demand.",
            "The aggregated demand fixes the estimated value and the procurement regime.",
            "A planning release is published as open data.",
        ],
        "Close demand",
    ),
    "publish": (
        "Publish the tender for {project.reference}?",
        [
            "The tender notice is published and the tender opens for bids.",
            "The lots, criteria, weights and timetable can no longer be changed.",
            "A tender release is published as open data.",
        ],
        "Publish the tender",
    ),
    "approve_award": (
        "Approve the award for {project.reference}?",
        [
            "Every bidder is told the outcome with an assessment summary.",
            "The standstill period begins; the contract can be concluded when it ends.",
        ],
        "Approve the award",
    ),
    "conclude": (
        "Conclude the contract for {project.reference}?",
        ["The contract is created and goes live in the marketplace for the members who asked for it."],
        "Conclude the contract",
    ),
    "cancel": (
        "Cancel {project.reference}?",
        ["The procurement ends for good; a termination notice is published if it was published."],
        "Cancel the procurement",
    ),
}


# The procurement page's actions: each reads its form with the API's schema and calls one
# service; it returns what to tell the user (None: go to the results instead).
Action = Callable[[Actor, Project, Mapping[str, Any]], str | None]


def _open_demand(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    data = read_form(DemandOpenIn, p)
    members = None if data.member_ids is None else selectors.members_by_id(actor, data.member_ids)
    services.demand_open(actor=actor, project=project, closes_on=data.closes_on, members=members)
    return "Members invited to register demand."


def _close_demand(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    services.demand_close(actor=actor, project=project)
    return "Demand closed; the planning release is published."


def _without_demand(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    # Its own field name: the cancel form on the same page asks for a reason too.
    data = read_form(
        ReasonIn,
        {"reason": p.get("without_demand_reason", "")},
        where=renamed({"reason": "without_demand_reason"}),
        summary="Say why members are not asked",
    )
    services.preparation_without_demand(actor=actor, project=project, reason=data.reason)
    return "Ready to prepare the tender: set the procedure and timetable."


def _add_lot(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    data = read_form(LotIn, _lot_input(p), raw=True, where=renamed(LOT_INPUTS), summary="Check the lot")
    services.lot_add(actor=actor, project=project, lot=services.LotIn(**data.dict()))
    return "Lot added."


def _add_criterion(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    # Descriptors are typed one per line as "score: what earns it".
    descriptors = [
        {"score": line.split(":", 1)[0].strip(), "descriptor": line.split(":", 1)[1].strip()}
        for line in str(p.get("descriptors", "")).splitlines()
        if ":" in line
    ]
    fields = posted(p, "weight", "kind", "scale_max", "guidance", "appraisal_question")
    if str(p.get("criterion_title", "")).strip():
        fields["title"] = str(p.get("criterion_title")).strip()
    if str(p.get("parent", "")).strip():
        fields["parent_id"] = str(p.get("parent")).strip()
    data = read_form(
        CriterionIn,
        {**fields, "descriptors": descriptors},
        raw=True,
        where=lambda loc: (
            ("descriptors", "") if loc[:1] == ("descriptors",) else renamed({"parent_id": "parent"})(loc)
        ),
        summary="Check the criterion",
    )
    values = data.dict()
    parent_id = values.pop("parent_id")
    parent = selectors.criterion_of(actor, project, parent_id) if parent_id else None
    services.criterion_add(actor=actor, project=project, parent=parent, **values)
    return "Criterion added."


def _invite_bidders(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    fields: dict[str, Any] = {
        "supplier_ids": [i for i in getattr(p, "getlist", lambda _k: [])("suppliers") if i]
    }
    if str(p.get("framework", "")).strip():
        fields["framework_id"] = str(p.get("framework")).strip()
    data = read_form(BiddersIn, fields, raw=True, where=renamed({"framework_id": "framework"}))
    services.bidders_invite(
        actor=actor,
        project=project,
        suppliers=selectors.suppliers_by_id(actor, data.supplier_ids),
        framework=selectors.framework_of(actor, data.framework_id) if data.framework_id else None,
    )
    return "Invited suppliers saved: only they may bid."


def _register_interest(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    services.interest_register(actor=actor, project=project)
    return "Interest registered: you will be told of clarifications and changes."


def _publish(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    services.tender_publish(actor=actor, project=project)
    return "Tender notice published: the tender is open for bids."


def _record_opening(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    services.opening_record(actor=actor, project=project)
    return "Your opening is recorded."


def _assign_evaluator(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    data = read_form(
        AssignIn,
        {"criterion_id": p.get("criterion") or None, "evaluator_id": p.get("evaluator") or None},
        raw=True,
        where=renamed({"criterion_id": "criterion", "evaluator_id": "evaluator"}),
        summary="Choose a criterion and an evaluator",
    )
    services.evaluator_assign(
        actor=actor,
        criterion=selectors.criterion_of(actor, project, data.criterion_id),
        evaluator=selectors.evaluator_choice(actor, data.evaluator_id),
    )
    return "Evaluator assigned."


def _finalise(actor: Actor, project: Project, p: Mapping[str, Any]) -> None:
    services.evaluation_finalise(actor=actor, project=project)
    return None


def _approve_award(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    services.award_approve(actor=actor, project=project)
    return "Award approved: bidders are told and standstill has begun."


def _conclude(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    services.award_conclude(actor=actor, project=project, signed_on=read_form(ConcludeIn, p).signed_on)
    return "Contract created and live in the marketplace."


def _cancel(actor: Actor, project: Project, p: Mapping[str, Any]) -> str:
    services.project_cancel(actor=actor, project=project, reason=read_form(ReasonIn, p).reason)
    return "Procurement cancelled."


ACTIONS: dict[str, Action] = {
    "open_demand": _open_demand,
    "close_demand": _close_demand,
    "without_demand": _without_demand,
    "add_lot": _add_lot,
    "add_criterion": _add_criterion,
    "invite_bidders": _invite_bidders,
    "register_interest": _register_interest,
    "publish": _publish,
    "record_opening": _record_opening,
    "assign_evaluator": _assign_evaluator,
    "finalise": _finalise,
    "approve_award": _approve_award,
    "conclude": _conclude,
    "cancel": _cancel,
}


@require_POST
@actor_required
def tender_act(request: HttpRequest, project_id: int) -> HttpResponse:
    """Actions on the procurement page, one named action per form: the managers', the admin's
    award approval, and a supplier's registration of interest."""
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    p = request.POST
    action = p.get("action", "")
    if action in IRREVERSIBLE and (selectors.runs_procurements(actor) or selectors.approves_awards(actor)):
        title, consequences, button = IRREVERSIBLE[action]
        page = confirmation_page(
            request,
            title=title.format(project=project),
            consequences=consequences,
            button=button,
            back_url=reverse("tender-detail", args=[project.pk]),
            details=[
                ("Procurement", f"{project.reference} {project.title}"),
                ("Status", project.get_status_display()),
            ],
            warning=action == "cancel",
        )
        if page is not None:
            return page
    try:
        handler = ACTIONS.get(action)
        if handler is None:
            raise NotFound("No such action")
        done = handler(actor, project, p)
        if done is None:  # the evaluation is finalised: its results are the next page
            return redirect("tender-results", project.pk)
    except ConsortiumError as exc:
        if exc.status_code in (403, 404):
            raise
        errors = form_errors(exc)
        project.refresh_from_db()
        return render(
            request,
            "tendering/tender_detail.html",
            {**_detail_context(actor, project), "errors": errors, "form": request.POST, "action": action},
            status=400,
        )
    messages.success(request, done)
    return redirect("tender-detail", project.pk)


def _manager(actor: Actor) -> None:
    if not selectors.runs_procurements(actor):
        raise PermissionDenied("Only the consortium's category managers and admins run procurements.")


@actor_required
def tender_lot(request: HttpRequest, project_id: int, lot_number: int) -> HttpResponse:
    """One lot on its own page: corrected, or removed, until the tender is published."""
    actor = _actor(request)
    _manager(actor)
    project = selectors.project_get_for(actor, project_id)
    lot = project.lots.filter(number=lot_number).first()
    if lot is None:
        raise NotFound("No such lot in this procurement")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                services.lot_remove(actor=actor, project=project, lot_number=lot_number)
                messages.success(request, f"Lot {lot_number} removed; the later lots moved up a number.")
                return redirect("tender-detail", project.pk)
            data = read_form(
                LotIn, _lot_input(request.POST), raw=True, where=renamed(LOT_INPUTS), summary="Check the lot"
            )
            services.lot_change(
                actor=actor, project=project, lot_number=lot_number, lot=services.LotIn(**data.dict())
            )
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, f"Lot {lot_number} saved.")
            return redirect("tender-detail", project.pk)
    form = (
        request.POST
        if errors
        else {
            "lot_title": lot.title,
            "lot_specification": lot.specification,
            "estimated_unit_price": lot.estimated_unit_price if lot.estimated_unit_price is not None else "",
            "lot_unit": lot.unit,
        }
    )
    return render(
        request,
        "tendering/lot_edit.html",
        {
            "project": project,
            "lot": lot,
            "errors": errors,
            "form": form,
            "editable": project.status in ("draft", "demand", "preparation"),
        },
        status=400 if errors else 200,
    )


ITEM_INPUTS = {
    "description": "item_description",
    "unit": "item_unit",
    "quantity": "item_quantity",
    "cpv_code": "item_cpv_code",
}


@actor_required
def tender_schedule_item(
    request: HttpRequest, project_id: int, lot_number: int, item_number: int | None = None
) -> HttpResponse:
    """One item of a lot's priced schedule on its own page (or a new one): added, corrected or
    removed until the tender is published."""
    actor = _actor(request)
    _manager(actor)
    project = selectors.project_get_for(actor, project_id)
    lot = selectors.lot_of(actor, project, lot_number)
    item = None
    if item_number is not None:
        item = lot.items.filter(number=item_number).first()
        if item is None:
            raise NotFound("No such item in this lot's schedule")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if item is not None and request.POST.get("action") == "remove":
                services.schedule_item_remove(
                    actor=actor, project=project, lot_number=lot_number, item_number=item.number
                )
                messages.success(request, f"Item {item.number} removed from lot {lot_number}'s schedule.")
                return redirect("tender-lot", project.pk, lot_number)
            data = read_form(
                ScheduleItemIn,
                {f: v for f, name in ITEM_INPUTS.items() if (v := str(request.POST.get(name, "")).strip())},
                raw=True,
                where=renamed(ITEM_INPUTS),
                summary="Check the item",
            )
            values = services.ScheduleItemIn(**data.dict())
            if item is None:
                services.schedule_item_add(actor=actor, project=project, lot_number=lot_number, item=values)
            else:
                services.schedule_item_change(
                    actor=actor, project=project, lot_number=lot_number, item_number=item.number, item=values
                )
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = {ITEM_INPUTS.get(k, k): v for k, v in form_errors(exc).items()}
        else:
            messages.success(request, f"Lot {lot_number}'s schedule saved.")
            return redirect("tender-lot", project.pk, lot_number)
    form = (
        request.POST
        if errors or item is None
        else {
            "item_description": item.description,
            "item_unit": item.unit,
            "item_quantity": item.quantity if item.quantity is not None else "",
            "item_cpv_code": item.cpv_code,
        }
    )
    return render(
        request,
        "tendering/schedule_item.html",
        {
            "project": project,
            "lot": lot,
            "item": item,
            "errors": errors,
            "form": form,
            "editable": project.status in ("draft", "demand", "preparation"),
        },
        status=400 if errors else 200,
    )


def _descriptors_text(descriptors: list[dict[str, Any]]) -> str:
    return "\n".join(f"{d['score']}: {d['descriptor']}" for d in descriptors)


@actor_required
def tender_criterion(request: HttpRequest, project_id: int, criterion_id: int) -> HttpResponse:
    """One criterion on its own page: corrected (every field's error at once) or removed."""
    actor = _actor(request)
    _manager(actor)
    project = selectors.project_get_for(actor, project_id)
    criterion = selectors.criterion_of(actor, project, criterion_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("action") == "remove":
                services.criterion_remove(actor=actor, project=project, criterion_id=criterion.pk)
                messages.success(
                    request, f"Criterion {criterion.number} removed; the others are numbered again."
                )
                return redirect("tender-detail", project.pk)
            descriptors = [
                {"score": line.split(":", 1)[0].strip(), "descriptor": line.split(":", 1)[1].strip()}
                for line in str(p.get("descriptors", "")).splitlines()
                if ":" in line
            ]
            fields = posted(p, "weight", "scale_max", "guidance", "appraisal_question")
            if str(p.get("criterion_title", "")).strip():
                fields["title"] = str(p.get("criterion_title")).strip()
            data = read_form(
                CriterionChangeIn,
                {**fields, "descriptors": descriptors},
                raw=True,
                where=lambda loc: (
                    ("descriptors", "")
                    if loc[:1] == ("descriptors",)
                    else renamed({"title": "criterion_title"})(loc)
                ),
                summary="Check the criterion",
            )
            services.criterion_change(actor=actor, project=project, criterion_id=criterion.pk, **data.dict())
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = {("criterion_title" if k == "title" else k): v for k, v in form_errors(exc).items()}
        else:
            messages.success(request, f"Criterion {criterion.number} saved.")
            return redirect("tender-detail", project.pk)
    form = (
        request.POST
        if errors
        else {
            "criterion_title": criterion.title,
            "weight": criterion.weight,
            "scale_max": criterion.scale_max,
            "guidance": criterion.guidance,
            "appraisal_question": criterion.appraisal_question,
            "descriptors": _descriptors_text(criterion.descriptors),
        }
    )
    return render(
        request,
        "tendering/criterion_edit.html",
        {
            "project": project,
            "criterion": criterion,
            "errors": errors,
            "form": form,
            "editable": project.status in ("draft", "demand", "preparation"),
            "appraisal_questions": appraisal_question_choices(),
            "sub_criteria": criterion.children.count(),
        },
        status=400 if errors else 200,
    )
