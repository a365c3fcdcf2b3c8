"""The procedure and timetable page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from consortium.core.dates import today_in_london
from consortium.core.errors import ConsortiumError
from consortium.core.forms import posted, read_form
from consortium.core.views import (
    actor_required,
    forbidden,
    form_errors,
)
from consortium.tendering import selectors, services
from consortium.tendering.constants import (
    PriceMethod,
    ProcedureCode,
)
from consortium.tendering.schemas import TimetableIn
from consortium.tendering.timetable import Timetable, earliest_timetable
from consortium.tendering.views._common import _actor


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
        data_in = posted(request.POST, *TimetableIn.model_fields)
        data_in["procedure"] = code
        try:
            data = read_form(TimetableIn, data_in, raw=True, summary="Check the dates")
            services.price_method_set(
                actor=actor,
                project=project,
                method=data.price_method or PriceMethod.LOWEST_PRICE,
                discount_rate=data.discount_rate if data.discount_rate is not None else project.discount_rate,
                carbon_price=data.carbon_price,
            )
            services.timetable_set(
                actor=actor,
                project=project,
                procedure_code=code,
                timetable=Timetable(
                    **data.dict(
                        exclude={
                            "procedure",
                            "planned_notice_on",
                            "price_method",
                            "discount_rate",
                            "carbon_price",
                        }
                    )
                ),
                planned_notice_on=data.planned_notice_on,
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, "Procedure and timetable set.")
            return redirect("tender-detail", project.pk)
    initial: dict[str, Any] = dict(request.POST.items()) if request.method == "POST" else {}
    if not initial and suggested:
        initial = {k: v.strftime("%d/%m/%Y") for k, v in vars(suggested).items()}
        initial["price_method"] = project.price_method
        initial["discount_rate"] = str(project.discount_rate)
        initial["carbon_price"] = str(project.carbon_price) if project.carbon_price is not None else ""
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
