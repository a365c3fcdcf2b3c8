"""Pages for care price benchmarking: the commissioner's flow, providers' menus, benchmarks, reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from consortium.care import selectors, services
from consortium.care.access import is_commissioner, is_consortium_officer, is_provider, require_care_access
from consortium.care.charts import box_plot_svg
from consortium.care.constants import AccommodationType, Element, Grade, Population
from consortium.care.schemas import AgreedIn, MenuPageIn, NeedsIn, PlacementIn
from consortium.care.services import AgreedInput, MenuItemInput
from consortium.care.workbooks import MAX_UPLOAD_BYTES
from consortium.core.errors import ConsortiumError, PermissionDenied
from consortium.core.forms import posted, read_form, rows_where
from consortium.core.views import actor_required, confirmation_page, form_errors, uploaded_file
from consortium.organisations.acting import Actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


@actor_required
def care_home(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_care_access(actor)
    context: dict[str, Any] = {
        "is_commissioner": is_commissioner(actor),
        "is_provider": is_provider(actor),
        "is_officer": is_consortium_officer(actor),
    }
    if is_commissioner(actor):
        context["assessments"] = selectors.assessment_list_for(actor)[:100]
        context["placements"] = selectors.placement_list_for(actor)[:20]
    if is_provider(actor):
        context["menus"] = selectors.menu_list_for(actor)
    return render(request, "care/home.html", context)


ASSESSMENT_FIELDS = [
    "client_reference",
    "weekly_budget",
    "accommodation_type",
    "supplements",
    "daytime_hours",
    "daytime_ratio",
    "night_sleeping_nights",
    "night_sleeping_ratio",
    "night_waking_nights",
    "night_waking_ratio",
    "one_to_one_hours",
    "one_to_one_day_shifts",
    "one_to_one_night_shifts",
    "one_to_one_grade",
    "specialist_hours",
    "life_skills_hours",
    "transition_weeks",
    "transition_hours",
]


@actor_required
def assessment_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not is_commissioner(actor):
        raise PermissionDenied("Only a commissioner records a client's needs.")
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"one_to_one_grade": Grade.DOMICILIARY}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in [*ASSESSMENT_FIELDS, "level"]}
        try:
            # Read with the API's NeedsIn; the page chooses the level from a list by id.
            given = posted(request.POST, *ASSESSMENT_FIELDS)
            level_name = selectors.care_level_name(values["level"])
            data = read_form(
                NeedsIn,
                {**given, **({"level": level_name} if level_name else {})},
                raw=True,
                summary="Check the client's needs",
            )
            needs = data.dict()
            needs["level"] = selectors.care_level_named(needs["level"])
            needs["accommodation_type"] = needs["accommodation_type"] or ""
            assessment = services.assessment_create(actor=actor, **needs)
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, f"Needs recorded for client {assessment.client_reference}.")
            return redirect("care-assessment", assessment_id=assessment.pk)
    return render(
        request,
        "care/assessment_new.html",
        {
            "errors": errors,
            "values": values,
            "levels": selectors.care_level_list(),
            "accommodation_types": AccommodationType.choices,
            "grades": Grade.choices,
        },
        status=400 if errors else 200,
    )


@actor_required
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    actor = _actor(request)
    assessment = selectors.assessment_get_for(actor, assessment_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            menu_id = request.POST.get("menu_id", "")
            if not menu_id.isdigit():
                raise services.ValidationFailed("Choose a home to negotiate with from the list")
            menu = selectors.menu_get_for(actor, int(menu_id))
            negotiation = services.negotiation_open(actor=actor, assessment=assessment, menu=menu)
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            return redirect("care-negotiation", negotiation_id=negotiation.pk)
    quotes = selectors.quotes_for(actor, assessment)
    return render(
        request,
        "care/assessment_detail.html",
        {
            "assessment": assessment,
            "quotes": quotes,
            "negotiations": selectors.negotiation_list_for(actor, assessment_id=assessment.pk),
            "placement": selectors.placement_for_assessment(actor, assessment),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _agreed_row(post: Mapping[str, Any], line_id: int) -> dict[str, Any]:
    given = posted(post, f"price_{line_id}", f"quantity_{line_id}", f"note_{line_id}")
    row: dict[str, Any] = {"line_id": line_id}
    for field, name in (("agreed_unit_price", "price"), ("agreed_quantity", "quantity"), ("note", "note")):
        if f"{name}_{line_id}" in given:
            row[field] = given[f"{name}_{line_id}"]
    return row


@actor_required
def negotiation_detail(request: HttpRequest, negotiation_id: int) -> HttpResponse:
    actor = _actor(request)
    negotiation = selectors.negotiation_get_for(actor, negotiation_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "save":
                agreed_lines = list(negotiation.lines.all())
                agreed = read_form(
                    AgreedIn,
                    {"lines": [_agreed_row(request.POST, line.pk) for line in agreed_lines]},
                    raw=True,
                    where=rows_where(
                        "lines",
                        [line.pk for line in agreed_lines],
                        lambda i: Element(agreed_lines[i].element).label,
                        {"agreed_unit_price": "price", "agreed_quantity": "quantity", "note": "note"},
                    ),
                    summary="Check the agreed prices",
                )
                services.negotiation_record_agreed(
                    actor=actor,
                    negotiation=negotiation,
                    lines=[
                        AgreedInput(x.line_id, x.agreed_unit_price, x.agreed_quantity, x.note)
                        for x in agreed.lines
                    ],
                )
                messages.success(request, "Agreed prices saved.")
            elif action == "place":
                start = read_form(PlacementIn, request.POST, summary="Check the start date").start_date
                page = confirmation_page(
                    request,
                    title=f"Place client {negotiation.assessment.client_reference} at {negotiation.menu.home.name}?",
                    consequences=[
                        f"The client is placed from {start:%d %B %Y} at £{negotiation.agreed_total:,.2f} a week "
                        f"(a saving of £{negotiation.weekly_saving:,.2f} a week on the quote).",
                        "The agreed rates join the consortium's benchmarks.",
                        "No other home can be chosen for this client, and the agreed prices can no longer change.",
                    ],
                    button="Confirm the placement",
                    back_url=reverse("care-negotiation", args=[negotiation.pk]),
                    details=[
                        ("Client", negotiation.assessment.client_reference),
                        ("Home", negotiation.menu.home.name),
                        ("Start date", f"{start:%d %B %Y}"),
                        ("Agreed weekly cost", f"£{negotiation.agreed_total:,.2f}"),
                    ],
                )
                if page is not None:
                    return page
                placement = services.placement_confirm(actor=actor, negotiation=negotiation, start_date=start)
                messages.success(
                    request,
                    f"Placement confirmed at {placement.home.name}: £{placement.weekly_cost:,.2f} a week, "
                    f"saving £{placement.weekly_saving:,.2f} a week (£{placement.annual_saving:,.2f} a year).",
                )
            elif action == "withdraw":
                services.negotiation_withdraw(actor=actor, negotiation=negotiation)
                messages.success(request, "Negotiation withdrawn.")
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            return redirect("care-negotiation", negotiation_id=negotiation.pk)
    benchmarks = {b.key: b for b in selectors.benchmark_list_for(actor)}
    lines = [
        {"line": line, "benchmark": benchmarks.get((line.element, line.ratio, line.grade or ""))}
        for line in negotiation.lines.all()
    ]
    return render(
        request,
        "care/negotiation_detail.html",
        {
            "negotiation": negotiation,
            "lines": lines,
            "errors": errors,
            "values": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


def case_workbook_response(actor: Actor, negotiation_id: int) -> HttpResponse:
    from consortium.care.workbooks import case_workbook

    negotiation = selectors.negotiation_get_for(actor, negotiation_id)
    benchmarks = {b.key: b for b in selectors.benchmark_list_for(actor)}
    medians = {}
    for line in negotiation.lines.all():
        b = benchmarks.get((line.element, line.ratio, line.grade or ""))
        medians[line.pk] = b.spread.rounded().median if b and b.spread else None
    response = HttpResponse(case_workbook(negotiation, medians), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="case-{negotiation.assessment.client_reference}-{negotiation.pk}.xlsx"'
    )
    return response


@actor_required
def negotiation_workbook(request: HttpRequest, negotiation_id: int) -> HttpResponse:
    return case_workbook_response(_actor(request), negotiation_id)


@actor_required
def placement_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(request, "care/placement_list.html", {"placements": selectors.placement_list_for(actor)})


@actor_required
def benchmarks(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    commissioned = selectors.benchmark_list_for(actor, population=Population.COMMISSIONED)
    quoted = selectors.benchmark_list_for(actor, population=Population.QUOTED)
    return render(
        request,
        "care/benchmarks.html",
        {
            "commissioned": commissioned,
            "quoted": quoted,
            "chart": box_plot_svg([b for b in commissioned if b.spread]),
            "is_commissioner": is_commissioner(actor),
        },
    )


@actor_required
def reports(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    rows = selectors.council_report_for(actor)
    return render(
        request,
        "care/reports.html",
        {"rows": rows, "own_rates": selectors.own_rates_for(actor) if is_commissioner(actor) else None},
    )


# --- providers' menus ---


@actor_required
def menu_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not is_provider(actor):
        raise PermissionDenied("Only a provider submits price menus.")
    errors: dict[str, str] = {}
    homes = selectors.home_list_for(actor)
    values: dict[str, Any] = {}
    rows = _menu_form_rows()
    if request.method == "POST":
        values = dict(request.POST.items())
        try:
            # Read with the API's MenuItemSchema per priced row, each error named by its row.
            priced = [row for row in rows if str(values.get(f"price_{row['key']}", "")).strip()]
            level_name = selectors.care_level_name(values.get("highest_level"))
            data = read_form(
                MenuPageIn,
                {
                    **posted(request.POST, "home_name", "effective_from"),
                    **({"highest_level": level_name} if level_name else {}),
                    "items": [_menu_row(values, row) for row in priced],
                },
                raw=True,
                where=lambda loc: (
                    ("__all__", "")
                    if loc == ("items",)
                    else rows_where(
                        "items",
                        [row["key"] for row in priced],
                        lambda i: priced[i]["label"],
                        {"unit_price": "price", "element": "price", "grade": "price"},
                    )(loc)
                ),
                summary="Check the price menu",
            )
            home = homes.filter(name=data.home_name).first()
            level = selectors.care_level_named(data.highest_level)
            start = data.effective_from
            items = [MenuItemInput(i.element, i.unit_price, i.ratio, i.grade or "") for i in data.items]
            where = [
                {
                    "unit_price": f"price_{row['key']}",
                    "ratio": f"ratio_{row['key']}",
                    "grade": f"price_{row['key']}",
                    "element": f"price_{row['key']}",
                }
                for row in priced
            ]
            from django.db import transaction

            with transaction.atomic():
                if home is None:
                    home = services.care_home_create(actor=actor, name=data.home_name)
                services.price_menu_submit(
                    actor=actor,
                    home=home,
                    highest_level=level,
                    effective_from=start,
                    items=items,
                    where=where,
                )
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = {
                k.removesuffix(".unit_price").removesuffix(".ratio").removesuffix(".grade"): v
                for k, v in form_errors(exc).items()
            }
        else:
            messages.success(request, f"Price menu for {home.name} saved.")
            return redirect("care-home")
    return render(
        request,
        "care/menu_new.html",
        {
            "errors": errors,
            "values": values,
            "rows": rows,
            "level_options": [(lvl.pk, lvl.name) for lvl in selectors.care_level_list()],
        },
        status=400 if errors else 200,
    )


def _menu_row(values: Mapping[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "element": row["element"],
        "unit_price": str(values[f"price_{row['key']}"]).strip(),
    }
    ratio = str(values.get(f"ratio_{row['key']}", "") or "").strip()
    if row["has_ratio"] and ratio:
        item["ratio"] = ratio
    if row["grade"]:
        item["grade"] = row["grade"]
    return item


def _menu_form_rows() -> list[dict[str, Any]]:
    from consortium.care.constants import ELEMENT_RULES

    rows = []
    for element in Element:
        rule = ELEMENT_RULES[element]
        grades = list(Grade) if rule.has_grade else [None]
        for grade in grades:
            key = element.value + (f"_{grade.value}" if grade else "")
            rows.append(
                {
                    "key": key,
                    "element": element.value,
                    "label": element.label + (f" ({grade.label})" if grade else ""),
                    "unit": rule.unit.label,
                    "has_ratio": rule.has_ratio,
                    "grade": grade.value if grade else "",
                }
            )
    return rows


@actor_required
def menu_upload(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not is_provider(actor):
        raise PermissionDenied("Only a provider uploads price menus.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            content, _name = uploaded_file(request, max_bytes=MAX_UPLOAD_BYTES)
            menu = services.price_menu_import(actor=actor, content=content)
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            messages.success(
                request, f"Price menu for {menu.home.name} uploaded: {menu.items.count()} prices."
            )
            return redirect("care-home")
    return render(request, "care/menu_upload.html", {"errors": errors}, status=400 if errors else 200)


@actor_required
def menu_template(request: HttpRequest) -> HttpResponse:
    from consortium.care.workbooks import menu_template as build

    require_care_access(_actor(request))
    response = HttpResponse(build(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="home-fees-template.xlsx"'
    return response


@actor_required
def menu_detail(request: HttpRequest, menu_id: int) -> HttpResponse:
    menu = selectors.menu_get_for(_actor(request), menu_id)
    return render(request, "care/menu_detail.html", {"menu": menu})
