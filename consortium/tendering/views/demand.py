"""Pages where members register demand (on the page or in a workbook)."""

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
from consortium.tendering import demand_workbook, selectors, services
from consortium.tendering.schemas import DemandIn
from consortium.tendering.views._common import S, _actor


def _filled(p: Mapping[str, Any], n: int) -> bool:
    return bool(posted(p, f"quantity_{n}", f"annual_value_{n}"))


def _row(p: Mapping[str, Any], n: int) -> dict[str, Any]:
    given = posted(p, f"quantity_{n}", f"annual_value_{n}", f"needed_from_{n}")
    row: dict[str, Any] = {"lot_number": n, "will_use": p.get(f"will_use_{n}") == "yes"}
    for field, name in (
        ("estimated_quantity", "quantity"),
        ("annual_value", "annual_value"),
        ("needed_from", "needed_from"),
    ):
        if f"{name}_{n}" in given:
            row[field] = given[f"{name}_{n}"]
    return row


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
                # One row per lot the member filled in, read with the API's DemandIn.
                filled = [lot for lot in project.lots.all() if _filled(request.POST, lot.number)]
                if not filled:
                    raise ValidationFailed(
                        "Nothing to record",
                        field_errors={"__all__": "Give a quantity or annual value for at least one lot"},
                    )
                numbers = [lot.number for lot in filled]
                data = read_form(
                    DemandIn,
                    {"rows": [_row(request.POST, n) for n in numbers]},
                    raw=True,
                    where=rows_where(
                        "rows", numbers, lambda i: f"Lot {numbers[i]}", {"estimated_quantity": "quantity"}
                    ),
                    summary="Check your demand",
                )
                rows = [services.DemandIn(**row.dict()) for row in data.rows]
                where = [f"lot {n} " for n in numbers]
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
