"""Pages for collaborative tendering. Thin: each reads through selectors and changes through
services; a refusal from either becomes the page's 403, 404 or error summary."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consortium.core.dates import today_in_london
from consortium.core.errors import ConsortiumError, NotFound, ValidationFailed
from consortium.core.views import (
    actor_required,
    confirmation_page,
    date_field,
    forbidden,
    form_errors,
    uploaded_file,
)
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.organisations.models import Person
from consortium.tendering import demand_workbook, ocds, scoring_workbook, selectors, services
from consortium.tendering.constants import (
    TIE_BREAK_RULE,
    AuthorityType,
    BidStatus,
    ContractType,
    CriterionKind,
    Declaration,
    PriceMethod,
    ProcedureCode,
    ProjectStatus,
)
from consortium.tendering.models import Bid, Criterion, EvaluatorAssignment, EvaluatorScore, Project
from consortium.tendering.scoring import CostProfile
from consortium.tendering.timetable import Timetable, earliest_timetable

S = ProjectStatus


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


def _decimal(value: str, field: str, errors: dict[str, str], *, blank: bool = False) -> Decimal | None:
    text = (value or "").strip().replace(",", "").removeprefix("£")
    if not text and blank:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        errors[field] = "Enter a number, for example 12.50"
        return None


def _int(value: str, field: str, errors: dict[str, str], default: int | None = None) -> int:
    try:
        return int((value or "").strip() or (default if default is not None else ""))
    except ValueError:
        errors[field] = "Enter a whole number"
        return 0


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


@actor_required
def tender_new(request: HttpRequest) -> HttpResponse:
    from consortium.catalogue.constants import Category

    actor = _actor(request)
    if not selectors.runs_procurements(actor):
        return forbidden(request, reason="The consortium's category managers start procurements.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        p = request.POST
        try:
            term = _int(p.get("term_months", ""), "term_months", errors, 36)
            extension = _int(p.get("extension_months", ""), "extension_months", errors, 0)
            price = _decimal(p.get("estimated_unit_price", ""), "estimated_unit_price", errors, blank=True)
            if errors:
                raise ValidationFailed("Check the procurement", field_errors=errors)
            project = services.project_create(
                actor=actor,
                title=p.get("title", ""),
                description=p.get("description", ""),
                cpv_codes=p.get("cpv_codes", "").replace(",", " ").split(),
                contract_type=p.get("contract_type", ""),
                authority_type=p.get("authority_type", AuthorityType.SUB_CENTRAL),
                term_months=term,
                extension_months=extension,
                category=p.get("category", ""),
                lots=[
                    services.LotIn(
                        p.get("lot_title", ""),
                        p.get("lot_specification", ""),
                        price,
                        p.get("lot_unit", "") or "each",
                    )
                ],
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
            if "lots[1].title" in errors:
                errors["lot_title"] = errors.pop("lots[1].title")
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


def _detail_context(actor: Actor, project: Project) -> dict[str, Any]:
    manager = selectors.runs_procurements(actor)
    context: dict[str, Any] = {
        "project": project,
        "manager": manager,
        "admin": selectors.approves_awards(actor),
        "criteria": list(project.criteria.order_by("number")),
        "check": selectors.criteria_check(project),
        "notices": project.notices.select_related("notice_type"),
        "deadline_passed": selectors.deadline_passed(project),
        "openings": list(project.openings.select_related("person")),
        "tie_break": TIE_BREAK_RULE,
        "statuses": S,
    }
    if manager or not actor.organisation.is_supplier:
        context["aggregate"] = selectors.aggregate_demand(project)
    if manager:
        context["evaluators"] = (
            Person.objects.filter(role_assignments__role=Role.EVALUATOR).distinct().order_by("full_name")
        )
        context["assignments"] = project.assignments.select_related("criterion", "evaluator").order_by(
            "criterion__number"
        )
        context["bid_count"] = project.bids.filter(status=BidStatus.SUBMITTED).count()
        from consortium.contracts.models import Contract
        from consortium.organisations.models import Organisation

        context["frameworks"] = Contract.objects.filter(kind="framework", status="live").order_by("reference")
        context["suppliers"] = [
            (o.pk, o.name) for o in Organisation.objects.filter(kind="supplier").order_by("name")
        ]
        context["invited"] = [str(pk) for pk in project.invited_suppliers.values_list("pk", flat=True)]
        context["judged"] = [c for c in selectors.leaf_criteria(project) if c.kind != CriterionKind.PRICE]
    context["own_bids"] = list(selectors.own_bids(actor, project))
    context["invited_to_demand"] = (
        selectors.registers_demand(actor)
        and project.invited_members.filter(pk=actor.organisation.pk).exists()
    )
    context["is_evaluator"] = project.assignments.filter(evaluator=actor.person).exists()
    context["interested"] = project.interests.filter(supplier=actor.organisation).exists()
    context["can_bid"] = selectors.bids(actor) and project.status == S.OPEN and not context["deadline_passed"]
    return context


@actor_required
def tender_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    return render(request, "tendering/tender_detail.html", {**_detail_context(actor, project), "errors": {}})


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


@require_POST
@actor_required
def tender_act(request: HttpRequest, project_id: int) -> HttpResponse:
    """Actions on the procurement page, one named action per form: the managers', the admin's
    award approval, and a supplier's registration of interest."""
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    p = request.POST
    action = p.get("action", "")
    errors: dict[str, str] = {}
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
        if action == "open_demand":
            services.demand_open(
                actor=actor,
                project=project,
                closes_on=date_field(p.get("closes_on", ""), "closes_on", errors),
            )
            done = "Members invited to register demand."
        elif action == "close_demand":
            services.demand_close(actor=actor, project=project)
            done = "Demand closed; the planning release is published."
        elif action == "add_lot":
            price = _decimal(p.get("estimated_unit_price", ""), "estimated_unit_price", errors, blank=True)
            services.lot_add(
                actor=actor,
                project=project,
                lot=services.LotIn(
                    p.get("title", ""), p.get("specification", ""), price, p.get("unit", "") or "each"
                ),
            )
            done = "Lot added."
        elif action == "add_criterion":
            weight = _decimal(p.get("weight", ""), "weight", errors) or Decimal(0)
            parent = (
                project.criteria.filter(pk=p.get("parent") or 0).first()
                if (p.get("parent") or "").isdigit()
                else None
            )
            descriptors = [
                {"score": int(line.split(":", 1)[0]), "descriptor": line.split(":", 1)[1].strip()}
                for line in p.get("descriptors", "").splitlines()
                if ":" in line and line.split(":", 1)[0].strip().isdigit()
            ]
            services.criterion_add(
                actor=actor,
                project=project,
                title=p.get("title", ""),
                weight=weight,
                kind=p.get("kind", CriterionKind.QUALITY),
                parent=parent,
                scale_max=_int(p.get("scale_max", ""), "scale_max", errors, 5),
                descriptors=descriptors,
            )
            done = "Criterion added."
        elif action == "invite_bidders":
            from consortium.contracts.models import Contract
            from consortium.organisations.models import Organisation

            framework_id = p.get("framework", "")
            framework = Contract.objects.filter(pk=framework_id).first() if framework_id.isdigit() else None
            ids = [i for i in p.getlist("suppliers") if i.isdigit()]
            services.bidders_invite(
                actor=actor,
                project=project,
                suppliers=list(Organisation.objects.filter(pk__in=ids)),
                framework=framework,
            )
            done = "Invited suppliers saved: only they may bid."
        elif action == "register_interest":
            services.interest_register(actor=actor, project=project)
            done = "Interest registered: you will be told of clarifications and changes."
        elif action == "publish":
            services.tender_publish(actor=actor, project=project)
            done = "Tender notice published: the tender is open for bids."
        elif action == "record_opening":
            services.opening_record(actor=actor, project=project)
            done = "Your opening is recorded."
        elif action == "assign_evaluator":
            criterion = (
                project.criteria.filter(pk=p.get("criterion") or 0).first()
                if (p.get("criterion") or "").isdigit()
                else None
            )
            evaluator = (
                Person.objects.filter(pk=p.get("evaluator") or 0).first()
                if (p.get("evaluator") or "").isdigit()
                else None
            )
            if criterion is None or evaluator is None:
                raise ValidationFailed(
                    "Choose a criterion and an evaluator",
                    field_errors={"criterion": "Choose a criterion and an evaluator"},
                )
            services.evaluator_assign(actor=actor, criterion=criterion, evaluator=evaluator)
            done = "Evaluator assigned."
        elif action == "finalise":
            services.evaluation_finalise(actor=actor, project=project)
            return redirect("tender-results", project.pk)
        elif action == "approve_award":
            services.award_approve(actor=actor, project=project)
            done = "Award approved: bidders are told and standstill has begun."
        elif action == "conclude":
            services.award_conclude(actor=actor, project=project)
            done = "Contract created and live in the marketplace."
        elif action == "cancel":
            services.project_cancel(actor=actor, project=project, reason=p.get("reason", ""))
            done = "Procurement cancelled."
        else:
            raise NotFound("No such action")
        if errors:
            raise ValidationFailed("Check what you entered", field_errors=errors)
    except ConsortiumError as exc:
        if exc.status_code in (403, 404):
            raise
        errors = errors or form_errors(exc)
        project.refresh_from_db()
        return render(
            request,
            "tendering/tender_detail.html",
            {**_detail_context(actor, project), "errors": errors},
            status=400,
        )
    messages.success(request, done)
    return redirect("tender-detail", project.pk)


@actor_required
def tender_timetable(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    if not selectors.runs_procurements(actor):
        return forbidden(request, reason="The category manager sets the timetable.")
    errors: dict[str, str] = {}
    aggregate = selectors.aggregate_demand(project)
    code = request.POST.get("procedure") or (
        project.procedure.code if project.procedure else ProcedureCode.OPEN
    )
    procedure = selectors.procedure_in_force(code, today_in_london())
    suggested = earliest_timetable(selectors.rules_of(procedure), today_in_london()) if procedure else None
    if request.method == "POST":
        p = request.POST
        fields = [
            "publication",
            "clarification_deadline",
            "tender_deadline",
            "evaluation_ends",
            "award_decision",
            "standstill_ends",
            "contract_start",
        ]
        dates = {f: date_field(p.get(f, ""), f, errors) for f in fields}
        planned = (
            date_field(p["planned_notice_on"], "planned_notice_on", errors)
            if p.get("planned_notice_on")
            else None
        )
        rate = _decimal(p.get("discount_rate", ""), "discount_rate", errors, blank=True)
        try:
            if errors:
                raise ValidationFailed("Check the dates", field_errors=errors)
            services.price_method_set(
                actor=actor,
                project=project,
                method=p.get("price_method", PriceMethod.LOWEST_PRICE),
                discount_rate=rate if rate is not None else project.discount_rate,
            )
            services.timetable_set(
                actor=actor,
                project=project,
                procedure_code=code,
                timetable=Timetable(**dates),
                planned_notice_on=planned,
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, "Procedure and timetable set.")
            return redirect("tender-detail", project.pk)
    initial: dict[str, Any] = dict(request.POST.items()) if request.method == "POST" else {}
    if not initial and suggested:
        initial = {k: v.isoformat() for k, v in vars(suggested).items()}
        initial["price_method"] = project.price_method
        initial["discount_rate"] = str(project.discount_rate)
    return render(
        request,
        "tendering/timetable.html",
        {
            "project": project,
            "aggregate": aggregate,
            "errors": errors,
            "form": initial,
            "procedures": [(p.code, p.get_code_display()) for p in aggregate.procedures]
            + ([("call_off", ProcedureCode.CALL_OFF.label)] if project.framework_id else []),
            "procedure": procedure,
            "price_methods": PriceMethod.choices,
            "chosen": code,
        },
        status=400 if errors else 200,
    )


@actor_required
def tender_demand(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    if not selectors.registers_demand(actor):
        return forbidden(request, reason="Member buyers and approvers register their organisation's demand.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.FILES.get("file"):
                content, _name = uploaded_file(request, max_bytes=demand_workbook.MAX_BYTES)
                rows, where = demand_workbook.read(content)
            else:
                rows, where = [], []
                for lot in project.lots.all():
                    n = lot.number
                    qty_text = request.POST.get(f"quantity_{n}", "").strip()
                    value_text = request.POST.get(f"annual_value_{n}", "").strip()
                    if not qty_text and not value_text:
                        continue
                    row_errors: dict[str, str] = {}
                    qty = _int(qty_text, f"quantity_{n}", row_errors) if qty_text else None
                    value = _decimal(value_text, f"annual_value_{n}", row_errors, blank=True)
                    needed = date_field(
                        request.POST.get(f"needed_from_{n}", ""), f"needed_from_{n}", row_errors
                    )
                    errors |= row_errors
                    rows.append(
                        services.DemandIn(n, needed, qty, value, request.POST.get(f"will_use_{n}") == "yes")
                    )
                    where.append(f"lot {n} ")
                if errors:
                    raise ValidationFailed("Check your demand", field_errors=errors)
                if not rows:
                    raise ValidationFailed(
                        "Nothing to record",
                        field_errors={"__all__": "Give a quantity or annual value for at least one lot"},
                    )
            services.demand_record(actor=actor, project=project, rows=rows, where=where)
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, "Your demand is recorded. You can change it until demand closes.")
            return redirect("tender-demand", project.pk)
    previous = selectors.demand_for_member(actor, project)
    lots = [(lot, previous.get(lot.pk)) for lot in project.lots.all()]
    return render(
        request,
        "tendering/demand.html",
        {
            "project": project,
            "lots": lots,
            "errors": errors,
            "form": request.POST,
            "open": project.status == S.DEMAND,
        },
        status=400 if errors else 200,
    )


@require_GET
@actor_required
def tender_demand_workbook(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    if not selectors.registers_demand(actor):
        return forbidden(request, reason="Members download their demand return.")
    response = HttpResponse(
        demand_workbook.template(project, selectors.demand_for_member(actor, project)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="demand-{project.reference}.xlsx"'
    return response


@actor_required
def tender_clarifications(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("clarification"):
                question = (
                    project.clarifications.filter(pk=request.POST["clarification"]).first()
                    if request.POST["clarification"].isdigit()
                    else None
                )
                if question is None:
                    raise NotFound("No such question")
                services.clarification_answer(
                    actor=actor, clarification=question, answer=request.POST.get("answer", "")
                )
                messages.success(request, "Answer published to every bidder.")
            else:
                services.clarification_ask(
                    actor=actor, project=project, question=request.POST.get("question", "")
                )
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
        },
        status=400 if errors else 200,
    )


@actor_required
def tender_bid(request: HttpRequest, project_id: int, lot_number: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    if not selectors.bids(actor):
        return forbidden(request, reason="Suppliers' users bid.")
    lot = project.lots.filter(number=lot_number).first()
    if lot is None:
        raise NotFound("No such lot")
    asked = [c for c in selectors.leaf_criteria(project) if c.kind != CriterionKind.PRICE]
    bid = selectors.own_bids(actor, project).filter(lot=lot).first()
    errors: dict[str, str] = {}
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("withdraw") and bid:
                services.bid_withdraw(actor=actor, bid=bid)
                messages.success(request, "Bid withdrawn. You may submit again until the deadline.")
                return redirect("tender-bid", project.pk, lot.number)
            lines = []
            for i in range(1, 6):
                if not p.get(f"line_description_{i}", "").strip():
                    continue
                qty = _decimal(p.get(f"line_quantity_{i}", ""), f"line_quantity_{i}", errors) or Decimal(0)
                price = _decimal(
                    p.get(f"line_unit_price_{i}", ""), f"line_unit_price_{i}", errors
                ) or Decimal(0)
                lines.append(
                    services.PriceLineIn(
                        p[f"line_description_{i}"], qty, price, p.get(f"line_unit_{i}", "") or "each"
                    )
                )
            profile = None
            if project.price_method == PriceMethod.WHOLE_LIFE_COST:
                values = [
                    _decimal(p.get(f, ""), f, errors, blank=True) or Decimal(0)
                    for f in (
                        "acquisition_cost",
                        "annual_running_cost",
                        "annual_maintenance_cost",
                        "end_of_life_cost",
                        "residual_value",
                    )
                ]
                profile = CostProfile(*values)
            documents = [
                services.DocumentIn(
                    f.name or "document",
                    f.content_type or "application/octet-stream",
                    f.read(services.MAX_DOCUMENT_BYTES + 1),
                )
                for f in request.FILES.getlist("documents")
            ]
            if not p.get("declaration"):
                errors["declaration"] = "Confirm the declaration to submit your bid"
            if errors:
                raise ValidationFailed("Check your bid", field_errors=errors)
            services.bid_submit(
                actor=actor,
                project=project,
                lot_number=lot.number,
                answers={c.pk: p.get(f"answer_{c.pk}", "") for c in asked},
                price_lines=lines,
                cost_profile=profile,
                documents=documents,
                submission_key=p.get("submission_key", ""),
            )
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(
                request,
                "Bid submitted. Only you can see it until the deadline; you may change or withdraw it until then.",
            )
            return redirect("tender-bid", project.pk, lot.number)
    answers = {a.criterion_id: a.response for a in bid.answers.all()} if bid else {}
    saved_lines = list(bid.price_lines.all()) if bid else []
    import uuid

    return render(
        request,
        "tendering/bid.html",
        {
            "project": project,
            "lot": lot,
            "bid": bid,
            "criteria": [(c, request.POST.get(f"answer_{c.pk}", answers.get(c.pk, ""))) for c in asked],
            # What was typed, when the bid came back with errors; else the bid as saved.
            "lines": [
                (
                    i,
                    {
                        "description": request.POST.get(f"line_description_{i}", ""),
                        "unit": request.POST.get(f"line_unit_{i}", "") or "each",
                        "quantity": request.POST.get(f"line_quantity_{i}", ""),
                        "unit_price": request.POST.get(f"line_unit_price_{i}", ""),
                    }
                    if errors
                    else (saved_lines[i - 1] if i <= len(saved_lines) else None),
                )
                for i in range(1, 6)
            ],
            "errors": errors,
            "form": request.POST,
            "open": project.status == S.OPEN and not selectors.deadline_passed(project),
            "submission_key": uuid.uuid4().hex,
            "wlc": project.price_method == PriceMethod.WHOLE_LIFE_COST,
        },
        status=400 if errors else 200,
    )


@actor_required
def tender_bid_detail(request: HttpRequest, project_id: int, bid_id: int) -> HttpResponse:
    actor = _actor(request)
    bid = selectors.bid_for_reading(actor, bid_id)
    if bid.project_id != project_id:
        raise NotFound("No such bid")
    return render(
        request,
        "tendering/bid_detail.html",
        {
            "bid": bid,
            "project": bid.project,
            "answers": {a.criterion_id: a.response for a in bid.answers.all()},
            "criteria": selectors.leaf_criteria(bid.project),
        },
    )


@actor_required
def tender_evaluation(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    assignments = list(
        EvaluatorAssignment.objects.filter(project=project, evaluator=actor.person)
        .select_related("criterion")
        .order_by("criterion__number")
    )
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
            services.declaration_make(
                actor=actor,
                project=project,
                conflict=request.POST.get("conflict") == "yes",
                note=request.POST.get("note", ""),
            )
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


def _bids_with_answers(actor: Actor, project: Project, criterion: Criterion) -> list[tuple[Bid, str]]:
    from consortium.tendering.models import BidAnswer

    bids = selectors.bids_for_reading(actor, project)
    answers = dict(
        BidAnswer.objects.filter(bid__in=bids, criterion=criterion).values_list("bid_id", "response")
    )
    return [(b, answers.get(b.pk, "")) for b in bids]


def _scores_from(post: Any, bids: list[Bid]) -> dict[int, services.ScoreIn]:
    scores = {}
    for b in bids:
        raw = post.get(f"score_{b.pk}", "")
        if raw == "":
            continue
        scores[b.pk] = services.ScoreIn(
            int(raw) if raw.isdigit() else -1, post.get(f"justification_{b.pk}", "")
        )
    return scores


@actor_required
def tender_scoresheet(request: HttpRequest, project_id: int, criterion_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    criterion = project.criteria.filter(pk=criterion_id).first()
    if criterion is None:
        raise NotFound("No such criterion")
    if not selectors.active_assignments(actor, project).filter(criterion=criterion).exists():
        return forbidden(
            request, reason="Only this criterion's evaluators who declared no conflict score it."
        )
    rows = _bids_with_answers(actor, project, criterion)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.scoresheet_submit(
                actor=actor, criterion=criterion, scores=_scores_from(request.POST, [b for b, _ in rows])
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, f"Your scores for {criterion.number} {criterion.title} are saved.")
            return redirect("tender-evaluation", project.pk)
    mine = selectors.my_scores(actor, criterion)
    return render(
        request,
        "tendering/scoresheet.html",
        {
            "project": project,
            "criterion": criterion,
            "rows": [(b, answer, mine.get(b.pk)) for b, answer in rows],
            "errors": errors,
            "scale": range(criterion.scale_max + 1),
            "form": request.POST,
        },
        status=400 if errors else 200,
    )


@actor_required
def tender_moderation(request: HttpRequest, project_id: int, criterion_id: int) -> HttpResponse:
    actor = _actor(request)
    project = selectors.project_get_for(actor, project_id)
    if not selectors.runs_procurements(actor):
        return forbidden(request, reason="The category manager moderates.")
    criterion = project.criteria.filter(pk=criterion_id).first()
    if criterion is None:
        raise NotFound("No such criterion")
    rows = _bids_with_answers(actor, project, criterion)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.moderation_submit(
                actor=actor, criterion=criterion, consensus=_scores_from(request.POST, [b for b, _ in rows])
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, f"Consensus scores for {criterion.number} recorded.")
            return redirect("tender-detail", project.pk)
    individual: dict[int, list[EvaluatorScore]] = {}
    for s in EvaluatorScore.objects.filter(criterion=criterion).select_related("evaluator"):
        individual.setdefault(s.bid_id, []).append(s)
    from consortium.tendering.models import ModeratedScore

    consensus = {m.bid_id: m for m in ModeratedScore.objects.filter(criterion=criterion)}
    return render(
        request,
        "tendering/moderation.html",
        {
            "project": project,
            "criterion": criterion,
            "rows": [(b, a, individual.get(b.pk, []), consensus.get(b.pk)) for b, a in rows],
            "errors": errors,
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


@actor_required
def tender_summary(request: HttpRequest, project_id: int, bid_id: int) -> HttpResponse:
    actor = _actor(request)
    bid = (
        Bid.objects.select_related("project", "lot", "supplier")
        .filter(pk=bid_id, project_id=project_id)
        .first()
    )
    if bid is None:
        raise NotFound("No such bid")
    rows = selectors.assessment_summary(actor, bid)
    return render(request, "tendering/summary.html", {"bid": bid, "project": bid.project, "rows": rows})


def _published(project_id: int) -> Project:
    try:
        return selectors.published_project(project_id)
    except NotFound as e:  # these pages are open to anyone, outside actor_required
        from django.http import Http404

        raise Http404(e.detail) from e


@require_GET
def tender_ocds_releases(request: HttpRequest, project_id: int) -> HttpResponse:
    """Open data: the release package, downloadable by anyone."""
    project = _published(project_id)
    response = JsonResponse(ocds.release_package(project), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{project.ocid}-releases.json"'
    return response


@require_GET
def tender_ocds_record(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _published(project_id)
    response = HttpResponse(
        json.dumps(ocds.record_package(project), indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{project.ocid}-record.json"'
    return response
