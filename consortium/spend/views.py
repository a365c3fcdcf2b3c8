"""Pages: the MI dashboard (with .xlsx exports) and spend-file upload and analysis."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from consortium.core import mi_panels
from consortium.core.errors import ConsortiumError
from consortium.core.forms import read_form
from consortium.core.views import actor_required, form_errors, uploaded_file
from consortium.organisations.acting import Actor
from consortium.spend import mi, selectors, services
from consortium.spend.charts import bar_chart
from consortium.spend.exports import table_workbook
from consortium.spend.schemas import SupplierMatchIn

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "month": ("Spend by month", [("month", "Month"), ("spend", "Spend ex VAT")]),
    "category": ("Spend by category", [("label", "Category"), ("spend", "Spend ex VAT")]),
    "supplier": ("Spend by supplier", [("label", "Supplier"), ("spend", "Spend ex VAT")]),
    "contract": ("Spend by contract", [("label", "Contract"), ("spend", "Spend ex VAT")]),
    "member": ("Spend by member", [("label", "Member"), ("spend", "Spend ex VAT")]),
    "rebates": (
        "Rebate due by quarter",
        [
            ("quarter", "Quarter"),
            ("supplier", "Supplier"),
            ("spend", "Spend ex VAT"),
            ("rebate", "Rebate due"),
        ],
    ),
}


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


def _table(actor: Actor, name: str) -> list[dict[str, Any]]:
    return mi.rebates(actor) if name == "rebates" else mi.spend_by(actor, name)


def _period_text(actor: Actor, table: str) -> str:
    """The period a table covers, said on the page and in its download."""
    if table == "month":
        months = mi.latest_months()
        return f"the latest 12 months, {months[0]:%B %Y} to {timezone.localdate():%-d %B %Y}"
    first, last = mi.period(actor)
    return f"{first:%-d %B %Y} to {last:%-d %B %Y}" if first and last else "no spend yet"


@actor_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    tables = {name: _table(actor, name) for name in TABLES}
    charts = {
        name: bar_chart(tables[name], title=TABLES[name][0])
        for name in ("month", "category", "supplier", "contract", "member")
    }
    return render(
        request,
        "spend/dashboard.html",
        {
            "tables": tables,
            "charts": charts,
            "titles": {k: v[0] for k, v in TABLES.items()},
            "periods": {k: _period_text(actor, k) for k in TABLES},
            "savings": mi.savings(actor),
            "shares": mi.local_and_sme(actor),
            "consortium_view": actor.organisation.is_consortium,
            "period": mi.period(actor),
            # Figures other systems add (invoiced and paid spend): core.mi_panels.
            "panels": mi_panels.panels_for(actor),
            "as_at": timezone.localtime(),
        },
    )


@actor_required
def export(request: HttpRequest, table: str) -> HttpResponse:
    if table not in TABLES:
        raise Http404("No such table")
    title, columns = TABLES[table]
    actor = _actor(request)
    response = HttpResponse(
        table_workbook(title, columns, _table(actor, table), period=_period_text(actor, table)),
        content_type=XLSX,
    )
    response["Content-Disposition"] = f'attachment; filename="{table}.xlsx"'
    return response


@actor_required
def spend_files(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    files = selectors.spend_file_list_for(actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            content, name = uploaded_file(request, max_bytes=services.MAX_BYTES)
            spend_file = services.spend_file_import(actor=actor, content=content, filename=name or "spend")
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, f"{spend_file.rows} payments imported.")
            return redirect("spend-file", spend_file_id=spend_file.pk)
    return render(
        request,
        "spend/spend_files.html",
        {"files": files[:100], "errors": errors},
        status=400 if errors else 200,
    )


@actor_required
def spend_file(request: HttpRequest, spend_file_id: int) -> HttpResponse:
    actor = _actor(request)
    sf = selectors.spend_file_get_for(actor, spend_file_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = read_form(
                SupplierMatchIn, {**request.POST.dict(), "confirm": request.POST.get("action") == "confirm"}
            )
            changed = services.spend_match_decide(actor=actor, spend_file=sf, **data.dict())
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            name = request.POST.get("supplier_name", "")
            messages.success(
                request,
                f"{name}: confirmed ({changed} payment{'s' if changed != 1 else ''}); later files will match it too."
                if data.confirm
                else f"{name}: not suggested as that supplier again.",
            )
            return redirect("spend-file", spend_file_id=sf.pk)
    result = selectors.analysis(actor, sf)
    return render(
        request,
        "spend/spend_file.html",
        {
            "spend_file": sf,
            "a": result,
            "chart": bar_chart(
                [
                    {"label": r["supplier_name"], "spend": r["spend"]}
                    for r in result["top_off_contract_suppliers"]
                ],
                title="Largest off-contract suppliers",
            ),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@actor_required
def spend_template(request: HttpRequest) -> HttpResponse:
    content = table_workbook(
        "Spend",
        [(c, c) for c in services.COLUMNS],
        [
            {
                "supplier": "Example Supplies Ltd",
                "date": "2026-04-01",
                "amount": "123.45",
                "description": "Copier paper",
            }
        ],
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="spend-template.xlsx"'
    return response
