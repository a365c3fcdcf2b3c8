"""Savings and cost sharing's pages: the register (record, decide, correct, evidence), reports
with charts, .xlsx and the annual savings statement as a PDF; cost sharing (budget, members'
figures, scenarios side by side, approval, statements); net benefit; rebates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from consortium.core.dates import today_in_london
from consortium.core.errors import ConsortiumError, NotFound, PermissionDenied, ValidationFailed
from consortium.core.forms import read_form
from consortium.core.views import actor_required, form_errors, form_id
from consortium.organisations.acting import Actor
from consortium.organisations.constants import OrganisationKind
from consortium.organisations.permissions import Permission
from consortium.savings import selectors, services, years
from consortium.savings.constants import (
    METHOD_FORMULAS,
    SAVING_ACTIONS,
    Category,
    Key,
    Method,
    RebateStatus,
    Recurrence,
    SavingStatus,
    Source,
)
from consortium.savings.evidence import MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES, Upload
from consortium.savings.schemas import (
    ApproveIn,
    BudgetIn,
    MemberFigureIn,
    RebateUpdateIn,
    SavingDecisionIn,
    SavingIn,
    SavingQuery,
    ScenarioIn,
)
from consortium.spend.charts import bar_chart
from consortium.spend.exports import table_workbook

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def _year(value: str | None, default: int | None = None) -> int | None:
    text = (value or "").strip()
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return default


def _year_options() -> list[tuple[int, str]]:
    this = selectors.current_year()
    return [(y, years.label(y)) for y in range(this + 1, this - 6, -1)]


def _uploads(request: HttpRequest) -> list[Upload]:
    files = request.FILES.getlist("evidence")
    if len(files) > MAX_EVIDENCE_FILES:
        # Refused before any is read into memory.
        raise ValidationFailed(
            f"Attach no more than {MAX_EVIDENCE_FILES} files",
            field_errors={"evidence": f"Attach no more than {MAX_EVIDENCE_FILES} files"},
        )
    return [Upload(name=f.name or "evidence", content=f.read(MAX_EVIDENCE_BYTES + 1)) for f in files]


# --- the register -------------------------------------------------------------------------------


@actor_required
def saving_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    errors: dict[str, str] = {}
    try:
        query = read_form(SavingQuery, {k: v for k, v in request.GET.items() if v and k != "page"})
    except ValidationFailed as exc:
        query, errors = SavingQuery.model_validate({}), form_errors(exc)
    qs = selectors.savings(actor, query)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    sees_all = selectors.sees_all(actor)
    return render(
        request,
        "savings/list.html",
        {
            "page": page,
            "query": urlencode({k: v for k, v in request.GET.items() if k != "page" and v}),
            "form": request.GET,
            "errors": errors,
            "sees_all": sees_all,
            "member_options": list(services.members().values_list("pk", "name")) if sees_all else [],
            "statuses": SavingStatus.choices,
            "sources": Source.choices,
            "year_options": _year_options(),
            "summary": selectors.report(actor, "cashable", year=query.year, member_id=query.member_id),
            "may_record": actor.has(Permission.SAVINGS_RECORD) or actor.has(Permission.SAVINGS_VALIDATE),
        },
    )


@actor_required
def saving_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not (actor.has(Permission.SAVINGS_RECORD) or actor.has(Permission.SAVINGS_VALIDATE)):
        raise PermissionDenied(
            "Recording savings is for members' officers and the consortium's category managers."
        )
    for_anyone = actor.has(Permission.SAVINGS_VALIDATE)
    corrects = None
    corrects_text = request.POST.get("corrects_id") or request.GET.get("corrects") or ""
    if corrects_text.strip():
        corrects = selectors.saving(actor, form_id(corrects_text, "corrects_id"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        fields: dict[str, Any] = {
            k: request.POST.get(k, "")
            for k in (
                "title",
                "category",
                "source",
                "method",
                "recurrence",
                "amount",
                "starts_on",
                "baseline",
                "notes",
            )
        }
        fields["members"] = request.POST.getlist("members") if for_anyone else [str(actor.organisation.pk)]
        if corrects is not None:
            fields["members"] = [str(corrects.member_id)]
            fields["corrects_id"] = str(corrects.pk)
        fields["cashable"] = request.POST.get("cashable") == "yes"
        if fields["recurrence"] == Recurrence.RECURRING:
            fields["months"] = request.POST.get("months", "")
        try:
            data = read_form(SavingIn, fields, summary="Check the saving")
            made = services.saving_propose(actor=actor, data=data, files=_uploads(request))
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            refs = ", ".join(s.reference for s in made)
            messages.success(request, f"Saving recorded: {refs}. It counts once someone else validates it.")
            return redirect("savings-detail", made[0].pk)
    form: Any = request.POST if errors else _copy_of(corrects)
    return render(
        request,
        "savings/new.html",
        {
            "errors": errors,
            "form": form,
            "chosen": request.POST.getlist("members") if errors else [],
            "for_anyone": for_anyone,
            "corrects": corrects,
            "member_options": list(services.members().values_list("pk", "name")) if for_anyone else [],
            "categories": Category.choices,
            "methods": [(v, f"{label} — {METHOD_FORMULAS[v]}") for v, label in Method.choices],
            "sources": [(Source.MANUAL, Source.MANUAL.label), (Source.PROJECT, Source.PROJECT.label)],
        },
        status=400 if errors else 200,
    )


def _copy_of(s: Any) -> dict[str, Any]:
    if s is None:
        return {"cashable": "yes", "recurrence": Recurrence.ONE_OFF, "months": "12", "source": Source.MANUAL}
    return {
        "title": s.title,
        "category": s.category,
        "source": s.source if s.source in (Source.MANUAL, Source.PROJECT) else Source.MANUAL,
        "method": s.method,
        "cashable": "yes" if s.cashable else "no",
        "recurrence": s.recurrence,
        "amount": f"{s.amount:.2f}",
        "starts_on": s.starts_on.strftime("%d/%m/%Y"),
        "months": str(s.months),
        "baseline": s.baseline,
        "notes": "",
    }


@actor_required
def saving_detail(request: HttpRequest, saving_id: int) -> HttpResponse:
    actor = _actor(request)
    saving = selectors.saving(actor, saving_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("form") == "evidence":
                services.evidence_add(actor=actor, saving_id=saving.pk, files=_uploads(request))
                messages.success(request, "Evidence added.")
            else:
                data = read_form(
                    SavingDecisionIn,
                    {"action": request.POST.get("action", ""), "note": request.POST.get("note", "")},
                    summary="Check the decision",
                )
                services.saving_decide(actor=actor, saving_id=saving.pk, data=data)
                messages.success(request, f"Saving {SAVING_ACTIONS[data.action].label.lower()}: done.")
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc) or {"action": exc.detail}
        else:
            return redirect("savings-detail", saving.pk)
        saving = selectors.saving(actor, saving_id)
    actions = [
        (name, a.label)
        for name, a in SAVING_ACTIONS.items()
        if saving.status in a.from_statuses
        and actor.has(a.permission)
        and not (a.not_the_proposer and saving.proposed_by_id == actor.person.pk)
        and not (a.proposer_only and saving.proposed_by_id != actor.person.pk)
    ]
    return render(
        request,
        "savings/detail.html",
        {
            "saving": saving,
            "formula": METHOD_FORMULAS.get(saving.method, ""),
            "years": [(years.label(y.year), y.months, y.amount) for y in saving.years.order_by("year")],
            "evidence": saving.evidence.order_by("id").only("id", "name", "size", "content_type", "added_at"),
            "actions": actions,
            "errors": errors,
            "form": request.POST if errors else {},
            "may_correct": saving.status in ("validated", "reported")
            and saving.superseded_by_id is None
            and (actor.has(Permission.SAVINGS_RECORD) or actor.has(Permission.SAVINGS_VALIDATE)),
            "corrections": saving.corrections.order_by("id"),
        },
        status=400 if errors else 200,
    )


@actor_required
def evidence_download(request: HttpRequest, saving_id: int, evidence_id: int) -> HttpResponse:
    e = selectors.evidence_file(_actor(request), saving_id, evidence_id)
    response = HttpResponse(bytes(e.content), content_type=e.content_type)
    # Always a download, typed by what we found it to be, never shown in our own origin.
    safe = "".join(ch for ch in e.name if ch.isalnum() or ch in " ._-")[:100] or "evidence"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- reports ------------------------------------------------------------------------------------


REPORT_COLUMNS = [
    ("label", "Group"),
    ("validated", "Validated (£)"),
    ("cashable", "Cashable (£)"),
    ("non_cashable", "Non-cashable (£)"),
    ("proposed", "Awaiting validation (£)"),
    ("entries", "Entries"),
]


@actor_required
def report(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    group_by = request.GET.get("group_by", "year")
    if group_by not in selectors.GROUPS:
        group_by = "year"
    year = _year(request.GET.get("year"))
    sees_all = selectors.sees_all(actor)
    member_id = _optional_id(request.GET.get("member_id")) if sees_all else None
    data = selectors.report(actor, group_by, year=year, member_id=member_id)
    if request.GET.get("format") == "xlsx":
        columns = [("label", selectors.GROUPS[group_by]), *REPORT_COLUMNS[1:]]
        response = HttpResponse(table_workbook("Savings", columns, data["rows"]), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="savings-by-{group_by}.xlsx"'
        return response
    return render(
        request,
        "savings/report.html",
        {
            "data": data,
            "group_by": group_by,
            "groups": selectors.GROUPS.items(),
            "year": year,
            "member_id": member_id,
            "sees_all": sees_all,
            "year_options": _year_options(),
            "member_options": list(services.members().values_list("pk", "name")) if sees_all else [],
            "chart": bar_chart(
                data["rows"],
                title=f"Validated savings by {selectors.GROUPS[group_by].lower()}",
                value="validated",
            ),
            "query": urlencode({k: v for k, v in request.GET.items() if k != "format" and v}),
            "this_year": selectors.current_year(),
        },
    )


def _optional_id(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 and int(text) > 0 else None


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    """The statement is self-contained: WeasyPrint fetches nothing, whatever text a saving holds."""
    raise ValueError(f"Not fetched: {url[:80]}")


@actor_required
def statement_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """A member's annual savings statement for its cabinet: validated savings by category and
    method with their formulas, its charge for the shared service, rebates and net benefit."""
    import weasyprint

    actor = _actor(request)
    if not 2000 <= year <= 2100:
        raise NotFound("There is no such financial year")
    if selectors.sees_all(actor):
        member_id = _optional_id(request.GET.get("member_id"))
        if member_id is None:
            messages.error(request, "Choose a member to make its annual savings statement.")
            return redirect(f"{reverse('savings-report')}?group_by=member&year={year}")
    elif actor.has(Permission.SAVINGS_RECORD):
        member_id = actor.organisation.pk
    else:
        raise PermissionDenied()
    rows = selectors.net_benefit(actor, year, member_id=member_id)
    if not rows:
        raise NotFound("There is no such member")
    html = render_to_string(
        "savings/statement_pdf.html",
        {
            "year": years.label(year),
            "benefit": rows[0],
            "by_category": selectors.report(actor, "category", year=year, member_id=member_id)["rows"],
            "by_method": selectors.report(actor, "method", year=year, member_id=member_id)["rows"],
            "formulas": METHOD_FORMULAS,
            "method_labels": dict(Method.choices),
            "entries": selectors.savings(
                actor, SavingQuery.model_validate({"member_id": member_id, "year": year})
            ).filter(status__in=["validated", "reported"], superseded_by__isnull=True)[:200],
            "today": today_in_london(),
        },
    )
    pdf = weasyprint.HTML(string=html, url_fetcher=_no_fetching).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = "".join(ch for ch in rows[0]["member"] if ch.isalnum())[:40]
    response["Content-Disposition"] = (
        f'attachment; filename="savings-statement-{name}-{years.label(year)}.pdf"'
    )
    return response


# --- cost sharing -------------------------------------------------------------------------------


def _limits_from(post: Any) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for kind, _label in OrganisationKind.choices:
        floor, cap = post.get(f"floor_{kind}", "").strip(), post.get(f"cap_{kind}", "").strip()
        if floor or cap:
            out[kind] = {k: v for k, v in (("floor", floor), ("cap", cap)) if v}
    return out


@actor_required
def costs(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not (selectors.may_share_costs(actor) or actor.has(Permission.SAVINGS_RECORD)):
        raise PermissionDenied("Cost sharing is for the consortium and its members.")
    budgets = list(selectors.budgets(actor))
    year = _year(request.GET.get("year") or request.POST.get("year"), budgets[0].year if budgets else None)
    budget = next((b for b in budgets if b.year == year), None)
    may_edit = actor.has(Permission.COSTS_SHARE)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Only the consortium's admins change the budget and its scenarios.")
        which = request.POST.get("form")
        try:
            if which == "budget":
                names, amounts = request.POST.getlist("line_name"), request.POST.getlist("line_amount")
                lines = [
                    {"name": n, "amount": a}
                    for n, a in zip(names, amounts, strict=False)
                    if n.strip() or a.strip()
                ]
                data = read_form(
                    BudgetIn,
                    {
                        "year": request.POST.get("year", ""),
                        "lines": lines,
                        "notes": request.POST.get("notes", ""),
                    },
                    summary="Check the budget",
                )
                services.budget_save(actor=actor, data=data)
                messages.success(request, f"Budget for {years.label(data.year)} saved.")
                return redirect(f"{request.path}?year={data.year}")
            if which == "scenario" and budget is not None:
                weights = {k: request.POST.get(f"weight_{k}", "").strip() for k, _ in Key.choices}
                scenario_data = read_form(
                    ScenarioIn,
                    {
                        "name": request.POST.get("name", ""),
                        "weights": {k: v for k, v in weights.items() if v},
                        "limits": _limits_from(request.POST),
                    },
                    summary="Check the scenario",
                )
                services.scenario_save(actor=actor, year=budget.year, data=scenario_data)
                messages.success(request, f"Scenario “{scenario_data.name}” added.")
                return redirect(f"{request.path}?year={budget.year}")
            if which == "approve" and budget is not None:
                approve = read_form(ApproveIn, {"reason": request.POST.get("reason", "")})
                st = services.scenario_approve(
                    actor=actor,
                    scenario_id=form_id(request.POST.get("scenario_id"), "scenario_id"),
                    data=approve,
                )
                messages.success(request, f"Statement version {st.version} approved and locked.")
                return redirect(f"{request.path}?year={budget.year}")
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc) or {"form": exc.detail}
    compared: list[dict[str, Any]] = []
    member_rows: list[dict[str, Any]] = []
    statements: list[Any] = []
    current_lines: dict[int, Decimal] = {}
    if budget is not None:
        statements = list(selectors.statements(actor, budget))
        current = next((s for s in statements if s.current), None)
        if current is not None:
            current_lines = {
                line.member_id: line.charge for line in selectors.statement_lines(actor, current)
            }
        if selectors.may_share_costs(actor):
            for s in selectors.scenarios(actor, budget):
                try:
                    _total, shares = selectors.shares_for(budget, s)
                except ValidationFailed as exc:
                    compared.append({"scenario": s, "problem": exc.detail, "shares": {}})
                    continue
                compared.append({"scenario": s, "problem": "", "shares": {sh.member_id: sh for sh in shares}})
            ids = {pk for c in compared for pk in c["shares"]} | set(current_lines)
            member_names = dict(services.members().filter(pk__in=ids).values_list("pk", "name"))
            member_rows = [
                {
                    "name": member_names.get(pk, ""),
                    "cells": [c["shares"].get(pk) for c in compared],
                    "approved": current_lines.get(pk),
                }
                for pk in sorted(ids, key=lambda k: member_names.get(k, ""))
            ]
    return render(
        request,
        "savings/costs.html",
        {
            "budgets": budgets,
            "budget": budget,
            "total": selectors.budget_total(budget) if budget else None,
            "year": year,
            "may_edit": may_edit,
            "sees_all": selectors.may_share_costs(actor),
            "compared": compared,
            "member_rows": member_rows,
            "statements": statements,
            "own_charge": current_lines.get(actor.organisation.pk),
            "errors": errors,
            "form": request.POST if errors else {},
            "keys": Key.choices,
            "kinds": [
                (k, label) for k, label in OrganisationKind.choices if k not in ("supplier", "consortium")
            ],
            "year_options": _year_options(),
            "new_lines": range(3),
        },
        status=400 if errors else 200,
    )


@actor_required
def figures(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    qs = selectors.figures(actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not actor.has(Permission.COSTS_SHARE):
            raise PermissionDenied("Only the consortium's admins record members' figures.")
        try:
            data = read_form(
                MemberFigureIn,
                {k: request.POST.get(k, "") for k in ("member_id", "key", "year", "value", "source")},
                summary="Check the figure",
            )
            services.figure_save(actor=actor, data=data)
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, "Figure saved.")
            return redirect("savings-figures")
    return render(
        request,
        "savings/figures.html",
        {
            "figures": qs.order_by("member__name", "key", "-year"),
            "errors": errors,
            "form": request.POST if errors else {},
            "may_edit": actor.has(Permission.COSTS_SHARE),
            "member_options": list(services.members().values_list("pk", "name")),
            "key_options": [(Key.POPULATION, Key.POPULATION.label), (Key.PUPILS, Key.PUPILS.label)],
        },
        status=400 if errors else 200,
    )


@actor_required
def net_benefit(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    year = _year(request.GET.get("year"), selectors.current_year()) or selectors.current_year()
    rows = selectors.net_benefit(actor, year)
    return render(
        request,
        "savings/net_benefit.html",
        {
            "rows": rows,
            "year": year,
            "year_label": years.label(year),
            "year_options": _year_options(),
            "sees_all": selectors.sees_all(actor) or actor.has(Permission.COSTS_SHARE),
        },
    )


# --- rebates ------------------------------------------------------------------------------------


@actor_required
def rebates(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    qs = selectors.rebates(actor)
    may_edit = actor.has(Permission.SAVINGS_VALIDATE) and actor.organisation.is_consortium
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Rebates are kept by the consortium's category managers.")
        try:
            if request.POST.get("form") == "raise":
                n = services.rebates_raise(actor=actor)
                messages.success(request, f"{n} new rebate statement{'s' if n != 1 else ''} raised.")
            else:
                data = read_form(
                    RebateUpdateIn,
                    {
                        "status": request.POST.get("status", ""),
                        "on": request.POST.get("on", ""),
                        "received": request.POST.get("received", "") or None,
                        "distribute": request.POST.get("distribute") == "yes",
                    },
                    summary="Check the rebate",
                )
                services.rebate_update(
                    actor=actor, rebate_id=form_id(request.POST.get("rebate_id"), "rebate_id"), data=data
                )
                messages.success(request, "Rebate updated.")
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            # The rebate's fields are hidden on the page: every problem is the form's.
            errors = {"form": "; ".join(form_errors(exc).values()) or exc.detail}
        else:
            return redirect("savings-rebates")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "savings/rebates.html",
        {
            "page": page,
            "totals": selectors.rebate_totals(actor),
            "may_edit": may_edit,
            "errors": errors,
            "form": request.POST if errors else {},
            "statuses": RebateStatus,
            "today": today_in_london().strftime("%d/%m/%Y"),
        },
        status=400 if errors else 200,
    )


@require_POST
@actor_required
def generate(request: HttpRequest) -> HttpResponse:
    """Make (or refresh) every generated saving now, rather than waiting for the nightly run."""
    actor = _actor(request)
    if not actor.has(Permission.SAVINGS_VALIDATE):
        raise PermissionDenied()
    made = services.generate_all()
    messages.success(
        request,
        f"Generated savings checked: {made['placements']} from placements, {made['awards']} from awards, "
        f"{made['orders']} from monthly orders.",
    )
    return redirect("savings-list")
