"""Sustainable procurement's pages: the member's Flexible Framework self-assessment (the grid,
each theme's checklist with evidence, the action plan, progress over years) and the
consortium's view across members; the consortium keeps the criteria."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from consortium.core.dates import current_financial_year as current_year
from consortium.core.dates import financial_year_label as fy_label
from consortium.core.errors import ConsortiumError, NotFound, PermissionDenied, ValidationFailed
from consortium.core.forms import read_form
from consortium.core.views import actor_required, form_errors, form_id
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission
from consortium.sustainability import selectors, services
from consortium.sustainability.constants import LEVELS, ActionStatus, Theme
from consortium.sustainability.schemas import ActionIn, AnswersIn, CriterionIn


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def _year(request: HttpRequest) -> int:
    text = (request.GET.get("year") or request.POST.get("year") or "").strip()
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else current_year()


def _year_options() -> list[tuple[int, str]]:
    this = current_year()
    return [(y, fy_label(y)) for y in range(this, this - 6, -1)]


def progress_chart(history: dict[int, dict[str, int]]) -> SafeString:
    """Levels per theme, year by year, as grouped bars (0 to 5); the table beside it says the same."""
    if not history:
        return mark_safe("")
    themes = [t for t, _ in Theme.choices]
    colours = ["#1d70b8", "#00703c", "#f47738", "#4c2c92", "#d4351c"]
    group = 28 * len(themes) + 24
    width = 60 + group * len(history)
    parts = [
        f'<svg role="img" aria-labelledby="chart-progress" viewBox="0 0 {width} 230" width="100%" '
        'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="13">',
        '<title id="chart-progress">Level reached in each theme, by year</title>',
    ]
    for level in range(6):
        y = 200 - level * 36
        parts.append(f'<text x="0" y="{y + 4}" fill="#0b0c0c">{level}</text>')
        parts.append(f'<line x1="20" x2="{width}" y1="{y}" y2="{y}" stroke="#b1b4b6" stroke-width="0.5"/>')
    for g, (year, levels) in enumerate(sorted(history.items())):
        x0 = 40 + g * group
        for i, theme in enumerate(themes):
            h = levels.get(theme, 0) * 36
            parts.append(
                f'<rect x="{x0 + i * 28}" y="{200 - h}" width="22" height="{h}" fill="{colours[i]}">'
                f"<title>{escape(Theme(theme).label)} {fy_label(year)}: level {levels.get(theme, 0)}</title></rect>"
            )
        parts.append(f'<text x="{x0}" y="222" fill="#0b0c0c">{fy_label(year)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text node is escaped


@actor_required
def framework(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    year = _year(request)
    if selectors.oversees(actor):
        return render(
            request,
            "sustainability/consortium.html",
            {
                "year": year,
                "year_label": fy_label(year),
                "year_options": _year_options(),
                "members": selectors.members_levels(actor, year),
                "spread": selectors.spread(actor, year),
                "themes": Theme.choices,
                "levels": LEVELS,
            },
        )
    if not actor.has(Permission.SUSTAINABILITY_ASSESS):
        raise PermissionDenied("The Flexible Framework is for members' buyers and the consortium.")
    member_id = actor.organisation.pk
    history = selectors.history(actor, member_id)
    return render(
        request,
        "sustainability/framework.html",
        {
            "year": year,
            "year_label": fy_label(year),
            "year_options": _year_options(),
            "themes": selectors.levels(actor, member_id, year),
            "levels": LEVELS,
            "actions": selectors.actions(actor, member_id, year),
            "history": sorted(history.items()),
            "theme_choices": Theme.choices,
            "chart": progress_chart(history),
            "spread": selectors.spread(actor, year),
        },
    )


@actor_required
def theme_checklist(request: HttpRequest, theme: str) -> HttpResponse:
    actor = _actor(request)
    if theme not in Theme.values:
        raise NotFound("There is no such theme")
    if not actor.has(Permission.SUSTAINABILITY_ASSESS):
        raise PermissionDenied("The self-assessment is kept by the member's own buyers and approvers.")
    year = _year(request)
    member_id = actor.organisation.pk
    asked = list(selectors.criteria().filter(theme=theme))
    errors: dict[str, str] = {}
    if request.method == "POST":
        rows = [
            {
                "criterion_id": c.pk,
                "met": request.POST.get(f"met_{c.pk}") == "yes",
                "evidence": request.POST.get(f"evidence_{c.pk}", ""),
            }
            for c in asked
        ]
        try:
            data = read_form(AnswersIn, {"answers": rows}, summary="Check the answers")
            services.assessment_answer(actor=actor, year=year, data=data)
        except ConsortiumError as exc:
            # Name the criterion's own evidence box, so the summary links to it.
            errors = {
                (
                    f"evidence_{asked[int(k.split('[')[1].split(']')[0])].pk}"
                    if k.startswith("answers[")
                    else k
                ): v
                for k, v in form_errors(exc).items()
            }
        else:
            messages.success(request, f"{Theme(theme).label}: answers saved for {fy_label(year)}.")
            return redirect(f"/sustainability/?year={year}")
    saved = selectors.answers(actor, member_id, year)
    cells = []
    for n, name in LEVELS.items():
        items = []
        for c in asked:
            if c.level != n:
                continue
            if errors:
                met = request.POST.get(f"met_{c.pk}") == "yes"
                evidence = request.POST.get(f"evidence_{c.pk}", "")
            else:
                answer = saved.get(c.pk)
                met, evidence = (answer.met, answer.evidence) if answer else (False, "")
            field = f"evidence_{c.pk}"
            items.append(
                {
                    "criterion": c,
                    "met": met,
                    "evidence": evidence,
                    "field": field,
                    "error": errors.get(field, ""),
                }
            )
        cells.append({"level": n, "name": name, "items": items})
    return render(
        request,
        "sustainability/theme.html",
        {
            "theme": Theme(theme),
            "year": year,
            "year_label": fy_label(year),
            "cells": cells,
            "errors": errors,
            "source": asked[0].source if asked else "",
        },
        status=400 if errors else 200,
    )


@actor_required
def action_plan(request: HttpRequest) -> HttpResponse:
    """Add a step to the plan for the next level, or change one's status."""
    actor = _actor(request)
    if not actor.has(Permission.SUSTAINABILITY_ASSESS):
        raise PermissionDenied("The action plan is kept by the member's own buyers and approvers.")
    year = _year(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        fields = {k: request.POST.get(k, "") for k in ("theme", "description", "owner", "due_on", "status")}
        try:
            data = read_form(ActionIn, fields, summary="Check the action")
            if request.POST.get("action_id"):
                services.action_update(
                    actor=actor, action_id=form_id(request.POST.get("action_id"), "action_id"), data=data
                )
            else:
                services.action_add(actor=actor, year=year, data=data)
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, "Action plan saved.")
            return redirect(f"/sustainability/actions/?year={year}")
    return render(
        request,
        "sustainability/actions.html",
        {
            "year": year,
            "year_label": fy_label(year),
            "actions": selectors.actions(actor, actor.organisation.pk, year),
            "errors": errors,
            "form": request.POST if errors else {"status": ActionStatus.PLANNED},
            "themes": Theme.choices,
            "statuses": ActionStatus.choices,
        },
        status=400 if errors else 200,
    )


@actor_required
def criteria(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not selectors.oversees(actor):
        raise PermissionDenied("The framework's criteria are kept by the consortium.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            criterion_id = form_id(request.POST.get("criterion_id"), "criterion_id")
            data = read_form(
                CriterionIn,
                {"text": request.POST.get("text", ""), "retired": request.POST.get("retired") == "yes"},
                summary="Check the criterion",
            )
            services.criterion_update(actor=actor, criterion_id=criterion_id, data=data)
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = {"text": "; ".join(form_errors(exc).values()) or exc.detail}
        else:
            messages.success(request, "Criterion saved.")
            return redirect("sustainability-criteria")
    rows: list[dict[str, Any]] = [
        {"criterion": c, "theme": Theme(c.theme).label, "level": f"{c.level} {LEVELS[c.level]}"}
        for c in selectors.criteria(include_retired=True)
    ]
    return render(
        request,
        "sustainability/criteria.html",
        {"rows": rows, "errors": errors, "source": rows[0]["criterion"].source if rows else ""},
        status=400 if errors else 200,
    )


# --- carbon ---------------------------------------------------------------------------------------


@actor_required
def carbon(request: HttpRequest) -> HttpResponse:
    from consortium.spend.charts import bar_chart
    from consortium.sustainability import carbon as co2

    actor = _actor(request)
    by = request.GET.get("by", "category")
    if by not in co2.DIMENSIONS:
        by = "category"
    data = co2.carbon_by(actor, by)
    return render(
        request,
        "sustainability/carbon.html",
        {
            "data": data,
            "by": by,
            "dimensions": [
                (k, k.capitalize())
                for k in co2.DIMENSIONS
                if k != "member" or actor.organisation.is_consortium
            ],
            "chart": bar_chart(
                [{"label": r["label"], "tonnes": r["tonnes"]} for r in data["rows"]],
                title=f"Tonnes CO2e by {by}",
                value="tonnes",
                prefix="",
                suffix=" t",
                places=1,
            ),
            "table": co2.current_table(),
            "oversees": selectors.oversees(actor),
            "files": co2.carbon_of_spend_files(actor),
        },
    )


@actor_required
def factors(request: HttpRequest) -> HttpResponse:
    from consortium.sustainability import carbon as co2
    from consortium.sustainability.models import FactorTable
    from consortium.sustainability.schemas import FactorTableIn

    actor = _actor(request)
    if not selectors.oversees(actor):
        raise PermissionDenied("Emission factor tables are kept by the consortium.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = read_form(
                FactorTableIn,
                {
                    **{k: request.POST.get(k, "") for k in ("name", "source", "edition", "year")},
                    "illustrative": request.POST.get("illustrative") == "yes",
                },
                summary="Check the factor table",
            )
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationFailed("Choose a file", field_errors={"file": "Choose the CSV or .xlsx file"})
            table = co2.import_table(
                actor=actor,
                data=data,
                content=upload.read(co2.MAX_FACTOR_BYTES + 1),
                filename=upload.name or "",
            )
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            problems = form_errors(exc)
            # Row problems have no field of their own on the page: they belong to the file.
            errors = {k: v for k, v in problems.items() if not k.startswith("row ")}
            rows = [v for k, v in problems.items() if k.startswith("row ")]
            if rows:
                errors["file"] = "; ".join(rows[:20]) + (
                    f" (and {len(rows) - 20} more)" if len(rows) > 20 else ""
                )
        else:
            messages.success(request, f"Factor table version {table.version} imported and now current.")
            return redirect("sustainability-factors")
    return render(
        request,
        "sustainability/factors.html",
        {
            "tables": FactorTable.objects.all()[:20],
            "current": co2.current_table(),
            "errors": errors,
            "form": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


# --- the local economy --------------------------------------------------------------------------


@actor_required
def local_economy(request: HttpRequest) -> HttpResponse:
    from consortium.sustainability import local
    from consortium.sustainability.models import LocalArea
    from consortium.sustainability.schemas import LocalAreaIn

    actor = _actor(request)
    if actor.organisation.is_supplier:
        raise PermissionDenied("The local economy figures are the members' and the consortium's.")
    errors: dict[str, str] = {}
    may_edit = actor.has(Permission.SUSTAINABILITY_ASSESS)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("A member's local area is set by its own buyers and approvers.")
        typed = request.POST.get("districts", "")
        try:
            data = read_form(
                LocalAreaIn,
                {"districts": [d for d in typed.replace(",", " ").split() if d]},
                summary="Check the postcode districts",
            )
            local.local_area_save(actor=actor, data=data)
        except ConsortiumError as exc:
            errors = {"districts": "; ".join(form_errors(exc).values()) or exc.detail}
        else:
            messages.success(request, "Local area saved.")
            return redirect("sustainability-local")
    area = LocalArea.objects.filter(member=actor.organisation).first()
    return render(
        request,
        "sustainability/local.html",
        {
            "rows": local.local_share(actor),
            "may_edit": may_edit,
            "errors": errors,
            "districts": request.POST.get("districts", "")
            if errors
            else " ".join(area.districts if area else []),
            "surveys": [local.figures(s) for s in local.surveys(actor)[:100]],
            "oversees": selectors.oversees(actor),
        },
        status=400 if errors else 200,
    )


@actor_required
def lm3(request: HttpRequest) -> HttpResponse:
    """A supplier answers its LM3 survey per contract; the consortium publishes the figures."""
    from consortium.contracts.models import Contract
    from consortium.sustainability import local
    from consortium.sustainability.schemas import Lm3In

    actor = _actor(request)
    is_supplier = actor.organisation.is_supplier and actor.has(Permission.CATALOGUE_KEEP)
    if not (is_supplier or selectors.oversees(actor)):
        raise PermissionDenied("LM3 surveys are the suppliers' and the consortium's.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("form") == "publish":
                local.lm3_publish(actor=actor, survey_id=form_id(request.POST.get("survey_id"), "survey_id"))
                messages.success(request, "LM3 figures published.")
            else:
                data = read_form(
                    Lm3In,
                    {
                        **{
                            k: request.POST.get(k, "")
                            for k in ("contract_id", "year", "r2_staff", "r2_suppliers", "evidence")
                        },
                        "r3_amount": request.POST.get("r3_amount", "").strip() or None,
                    },
                    summary="Check the survey",
                )
                local.lm3_submit(actor=actor, data=data)
                messages.success(request, "Survey saved. The consortium publishes the figures once checked.")
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc) or {"contract_id": exc.detail}
        else:
            return redirect("sustainability-lm3")
    contracts = (
        list(
            Contract.objects.filter(lots__suppliers=actor.organisation)
            .distinct()
            .values_list("pk", "reference")
        )
        if is_supplier
        else []
    )
    return render(
        request,
        "sustainability/lm3.html",
        {
            "surveys": [local.figures(s) for s in local.surveys(actor)[:100]],
            "is_supplier": is_supplier,
            "oversees": selectors.oversees(actor),
            "contracts": contracts,
            "errors": errors,
            "form": request.POST if errors else {"year": str(current_year())},
        },
        status=400 if errors else 200,
    )


# --- supplier appraisal ---------------------------------------------------------------------------


@actor_required
def appraisal_own(request: HttpRequest) -> HttpResponse:
    from consortium.sustainability import appraisal as ap

    actor = _actor(request)
    if not (actor.organisation.is_supplier and actor.has(Permission.CATALOGUE_KEEP)):
        raise PermissionDenied("The appraisal is answered by the supplier's own people.")
    current = ap.appraisals(actor).filter(current=True).first()
    asked = ap.questions_for(actor.organisation)
    errors: dict[str, str] = {}
    if request.method == "POST":
        answers = {code: request.POST.get(code, "") for code in asked}
        evidence = {code: request.POST.get(f"{code}_evidence", "") for code in asked}
        try:
            ap.submit(actor=actor, answers=answers, evidence=evidence)
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            messages.success(
                request, "Appraisal submitted. The consortium scores it; it is valid for a year."
            )
            return redirect("sustainability-appraisal")
    given = request.POST if errors else {}
    questions = []
    for code, q in asked.items():
        if errors:
            value, evidence_text = given.get(code, ""), given.get(f"{code}_evidence", "")
        elif current is not None:
            v = current.answers.get(code, "")
            value = "yes" if v is True else "no" if v is False else str(v)
            evidence_text = current.evidence.get(code, "")
        else:
            value, evidence_text = "", ""
        questions.append(
            {
                "code": code,
                "text": q["text"],
                "kind": q["kind"],
                "points": q["points"],
                "value": value,
                "evidence": evidence_text,
                "error": errors.get(code, ""),
                "evidence_error": errors.get(f"{code}_evidence", ""),
            }
        )
    return render(
        request,
        "sustainability/appraisal.html",
        {"current": current, "questions": questions, "errors": errors},
        status=400 if errors else 200,
    )


@actor_required
def appraisal_list(request: HttpRequest) -> HttpResponse:
    from consortium.sustainability import appraisal as ap

    actor = _actor(request)
    if not selectors.oversees(actor):
        raise PermissionDenied("Appraisals are scored by the consortium.")
    return render(
        request,
        "sustainability/appraisals.html",
        {
            "appraisals": ap.appraisals(actor).filter(current=True).order_by("supplier__name"),
            "year": current_year(),
        },
    )


@actor_required
def appraisal_score(request: HttpRequest, appraisal_id: int) -> HttpResponse:
    from consortium.sustainability import appraisal as ap

    actor = _actor(request)
    if not selectors.oversees(actor):
        raise PermissionDenied("Appraisals are scored by the consortium.")
    found = ap.appraisals(actor).filter(pk=appraisal_id).first()
    if found is None:
        raise NotFound("There is no such appraisal")
    errors: dict[str, str] = {}
    if request.method == "POST":
        raw = {code: request.POST.get(f"points_{code}", "") for code in ap._asked(found)}
        points = {
            code: int(v) if v.strip().lstrip("-").isdigit() and len(v) < 6 else -1 for code, v in raw.items()
        }
        try:
            ap.score(actor=actor, appraisal_id=found.pk, points=points)
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc) or {"points_ems": exc.detail}
        else:
            messages.success(request, f"{found.supplier.name}'s appraisal scored.")
            return redirect("sustainability-appraisals")
    suggested = ap.suggested_points(found)
    rows = []
    for code in ap._asked(found):
        q = ap.QUESTIONS[code]
        v = found.answers.get(code, "")
        rows.append(
            {
                "code": code,
                "text": q["text"],
                "answer": "Yes" if v is True else "No" if v is False else v,
                "evidence": found.evidence.get(code, ""),
                "most": q["points"],
                "points": request.POST.get(f"points_{code}", "")
                if errors
                else found.points.get(code, suggested.get(code, "")),
                "error": errors.get(f"points_{code}", ""),
            }
        )
    return render(
        request,
        "sustainability/appraisal_score.html",
        {"appraisal": found, "rows": rows, "errors": errors, "year": current_year()},
        status=400 if errors else 200,
    )
