"""Service check's pages: the streams a manager may check, any stream's capability chart and
demand analysis, and saved studies with the changes they record; exports of each."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from consortium.check import chart as drawing
from consortium.check import exports, selectors, services
from consortium.check.constants import Granularity, Measure
from consortium.check.schemas import SplitIn, StudyIn, StudyParams, StudyUpdate
from consortium.core.errors import ConsortiumError, NotFound, PermissionDenied
from consortium.core.forms import read_form
from consortium.core.views import actor_required, form_errors
from consortium.organisations.acting import Actor

PARAM_NAMES = (
    "organisation_id",
    "counterpart_id",
    "kind",
    "date_from",
    "date_to",
    "granularity",
    "measure",
    "baseline",
    "target",
)


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not selectors.may_check(actor):
        raise PermissionDenied(
            "Checking a service is for the managers of one: your roles see no stream of cases"
        )
    return actor


def _fields(data: QueryDict) -> dict[str, Any]:
    fields: dict[str, Any] = {k: data.get(k, "") for k in PARAM_NAMES}
    fields["median"] = "true" if data.get("median") == "true" else "false"
    return fields


def _typed(data: QueryDict) -> dict[str, Any]:
    """The settings form as it was typed (kept after an error)."""
    return {**_fields(data), "name": data.get("name", "")}


def _form(params: StudyParams) -> dict[str, Any]:
    """The settings form showing these settings (a study's, or the defaults)."""
    dumped = params.model_dump()
    out = {k: ("" if dumped.get(k) is None else dumped[k]) for k in PARAM_NAMES}
    for k in ("date_from", "date_to"):
        if dumped.get(k):
            out[k] = dumped[k].strftime("%d/%m/%Y")
    out["median"] = "true" if params.median else "false"
    return out


def _choices(found: Any, actor: Actor) -> dict[str, Any]:
    return {
        "options": selectors.filter_options(actor, found.key),
        "granularities": Granularity.choices,
        "measures": Measure.choices,
        "limit_methods": [
            ("false", "Mean moving range × 2.66 (Wheeler)"),
            ("true", "Median moving range × 3.145"),
        ],
    }


def _page_context(actor: Actor, made: selectors.Chart) -> dict[str, Any]:
    demand = selectors.demand(actor, made.stream.key, made.params)
    return {
        "chart": made,
        "chart_svg": drawing.svg(made),
        "points": made.point_rows()[-500:],
        "segments": made.segment_rows(),
        "demand": demand,
        "demand_svg": drawing.svg(demand["chart"], element_id="failure-chart") if demand else "",
    }


@actor_required
def home(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        "check/home.html",
        {"streams": selectors.streams(actor), "studies": selectors.studies(actor)},
    )


@actor_required
def stream_page(request: HttpRequest, key: str) -> HttpResponse:
    actor = _actor(request)
    found, scope = selectors.stream(actor, key)
    errors: dict[str, str] = {}
    params = StudyParams.model_validate({})
    try:
        if any(request.GET.get(k) for k in (*PARAM_NAMES, "median")):
            params = read_form(StudyParams, _fields(request.GET), summary="Check the chart's settings")
        made = selectors.chart(actor, key, params)
    except ConsortiumError as exc:
        if exc.status_code in (403, 404):
            raise
        # Settings that cannot be charted (a filter past the actor's cases): the default chart.
        errors = form_errors(exc)
        made = selectors.chart(actor, key, StudyParams.model_validate({}))
    query = urlencode({k: v for k, v in request.GET.items() if v})
    return render(
        request,
        "check/stream.html",
        {
            "stream": found,
            "scope": scope,
            "errors": errors,
            "form": _typed(request.GET) if errors or request.GET else _form(params),
            "query": query,
            **_choices(found, actor),
            **_page_context(actor, made),
        },
    )


@actor_required
def stream_export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    actor = _actor(request)
    if fmt not in exports.FILE_TYPES:
        raise NotFound("Charts export as svg, png or xlsx")
    made = selectors.chart(actor, key, read_form(StudyParams, _fields(request.GET)))
    return exports.response(made, fmt, key.replace(".", "-"), actor=actor)


@actor_required
def study_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    visible = selectors.streams(actor)
    key = request.POST.get("stream") or request.GET.get("stream") or visible[0][0].key
    found, _ = selectors.stream(actor, key) if key in {s.key for s, _ in visible} else visible[0]
    errors: dict[str, str] = {}
    if request.method == "POST":
        fields = {**_typed(request.POST), "stream": found.key}
        try:
            data = read_form(StudyIn, fields, summary="Check the study")
            study = services.study_create(actor=actor, data=data)
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, f"Study saved: {study.name}. Record any change you know of below.")
            return redirect("check-study", study.pk)
    return render(
        request,
        "check/study_new.html",
        {
            "stream": found,
            "streams": [(s.key, s.name) for s, _ in visible],
            "errors": errors,
            "form": _typed(request.POST if request.method == "POST" else request.GET),
            **_choices(found, actor),
        },
        status=400 if errors else 200,
    )


@actor_required
def study_page(request: HttpRequest, study_id: int) -> HttpResponse:
    actor = _actor(request)
    study = selectors.study(actor, study_id)
    errors: dict[str, str] = {}
    posted: QueryDict | None = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "split":
                split = read_form(SplitIn, {k: request.POST.get(k, "") for k in ("on", "reason")})
                services.split_add(actor=actor, study_id=study.pk, data=split)
                messages.success(
                    request, f"Change recorded on {split.on:%d %B %Y}: the chart has new limits from then."
                )
            else:
                data = read_form(StudyUpdate, _typed(request.POST), summary="Check the study's settings")
                services.study_update(actor=actor, study_id=study.pk, data=data)
                messages.success(request, "Study updated.")
        except ConsortiumError as exc:
            errors = form_errors(exc)
            posted = request.POST
        else:
            return redirect("check-study", study.pk)
    study.refresh_from_db()
    found, _ = selectors.stream(actor, study.stream)
    made = selectors.study_chart(actor, study)
    form = _form(selectors.study_params(study))
    form["name"] = study.name
    if posted is not None and posted.get("action") != "split":
        form = _typed(posted)
    return render(
        request,
        "check/study.html",
        {
            "study": study,
            "stream": found,
            "errors": errors,
            "form": form,
            "split_form": posted if posted is not None and posted.get("action") == "split" else {},
            **_choices(found, actor),
            **_page_context(actor, made),
        },
        status=400 if errors else 200,
    )


@actor_required
def study_export(request: HttpRequest, study_id: int, fmt: str) -> HttpResponse:
    actor = _actor(request)
    if fmt not in exports.FILE_TYPES:
        raise NotFound("Charts export as svg, png or xlsx")
    study = selectors.study(actor, study_id)
    return exports.response(selectors.study_chart(actor, study), fmt, f"study-{study.pk}", actor=actor)


@require_POST
@actor_required
def split_remove(request: HttpRequest, study_id: int, split_id: int) -> HttpResponse:
    actor = _actor(request)
    services.split_remove(actor=actor, study_id=study_id, split_id=split_id)
    messages.success(request, "Change removed.")
    return redirect("check-study", study_id)


@require_POST
@actor_required
def study_delete(request: HttpRequest, study_id: int) -> HttpResponse:
    actor = _actor(request)
    services.study_delete(actor=actor, study_id=study_id)
    messages.success(request, "Study deleted.")
    return redirect("check-home")
