"""Service check's JSON API: the streams an actor may check, any stream's capability chart
and demand analysis asked for directly, and saved studies with their recorded changes and
exports (SVG, PNG, .xlsx)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from consortium.check import exports, selectors, services
from consortium.check.schemas import (
    ChartOut,
    ChartQuery,
    DemandOut,
    PointOut,
    SegmentOut,
    SignalOut,
    SplitIn,
    SplitOut,
    StreamOut,
    StudyIn,
    StudyOut,
    StudyParams,
    StudyUpdate,
)
from consortium.core.api_errors import ERRORS
from consortium.core.errors import NotFound
from consortium.organisations.api_auth import actor_of

router = Router(tags=["check"])


@router.get("/check/streams", response={200: list[StreamOut], **ERRORS}, operation_id="check_streams")
def stream_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "key": s.key,
            "name": s.name,
            "case": s.case,
            "starts": s.starts,
            "ends": s.ends,
            "unit": s.unit,
            "organisation_label": s.organisation_label,
            "counterpart_label": s.counterpart_label,
            "kind_label": s.kind_label,
            "has_demand": s.demand is not None,
            "scope": scope or "",
            "notes": s.notes,
        }
        for s, scope in selectors.streams(actor_of(request))
    ]


@router.get(
    "/check/streams/{key}/chart", response={200: ChartOut, **ERRORS}, operation_id="check_stream_chart"
)
def stream_chart(request: HttpRequest, key: str, q: Query[ChartQuery]) -> ChartOut:
    """A capability chart asked for directly: `split` (repeatable) starts a new segment on a day."""
    splits = [(on, "", None) for on in q.split]
    return _chart_out(selectors.chart(actor_of(request), key, q.without_splits(), splits))


def _chart_out(made: selectors.Chart) -> ChartOut:
    """Built from our own typed values, so not validated again: 5,000 points would otherwise
    spend more time in validation than in the database."""
    data = made.as_dict()
    data["points"] = [PointOut.model_construct(**p) for p in data["points"]]
    data["segments"] = [SegmentOut.model_construct(**s) for s in data["segments"]]
    data["signals"] = [SignalOut.model_construct(**s) for s in data["signals"]]
    data["splits"] = [SplitOut.model_construct(**s) for s in data["splits"]]
    return ChartOut.model_construct(**data)


@router.get(
    "/check/streams/{key}/demand", response={200: DemandOut, **ERRORS}, operation_id="check_stream_demand"
)
def stream_demand(request: HttpRequest, key: str, q: Query[StudyParams]) -> dict[str, Any]:
    data = selectors.demand(actor_of(request), key, q)
    if data is None:
        raise NotFound("This stream's system does not classify contacts as value or failure demand")
    data.pop("chart")
    return data


@router.get("/check/studies", response={200: list[StudyOut], **ERRORS}, operation_id="check_studies")
def study_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [selectors.study_out(s) for s in selectors.studies(actor_of(request))]


@router.post("/check/studies", response={201: StudyOut, **ERRORS}, operation_id="check_study_create")
def study_create(request: HttpRequest, payload: StudyIn) -> Status:
    return Status(201, selectors.study_out(services.study_create(actor=actor_of(request), data=payload)))


@router.get("/check/studies/{study_id}", response={200: StudyOut, **ERRORS}, operation_id="check_study_get")
def study_get(request: HttpRequest, study_id: int) -> dict[str, Any]:
    return selectors.study_out(selectors.study(actor_of(request), study_id))


@router.put(
    "/check/studies/{study_id}", response={200: StudyOut, **ERRORS}, operation_id="check_study_update"
)
def study_update(request: HttpRequest, study_id: int, payload: StudyUpdate) -> dict[str, Any]:
    return selectors.study_out(
        services.study_update(actor=actor_of(request), study_id=study_id, data=payload)
    )


@router.delete("/check/studies/{study_id}", response={204: None, **ERRORS}, operation_id="check_study_delete")
def study_delete(request: HttpRequest, study_id: int) -> Status:
    services.study_delete(actor=actor_of(request), study_id=study_id)
    return Status(204, None)


@router.get(
    "/check/studies/{study_id}/chart", response={200: ChartOut, **ERRORS}, operation_id="check_study_chart"
)
def study_chart(request: HttpRequest, study_id: int) -> ChartOut:
    actor = actor_of(request)
    return _chart_out(selectors.study_chart(actor, selectors.study(actor, study_id)))


@router.get(
    "/check/studies/{study_id}/demand", response={200: DemandOut, **ERRORS}, operation_id="check_study_demand"
)
def study_demand(request: HttpRequest, study_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    s = selectors.study(actor, study_id)
    data = selectors.demand(actor, s.stream, selectors.study_params(s))
    if data is None:
        raise NotFound("This stream's system does not classify contacts as value or failure demand")
    data.pop("chart")
    return data


@router.post(
    "/check/studies/{study_id}/splits", response={201: SplitOut, **ERRORS}, operation_id="check_split_add"
)
def split_add(request: HttpRequest, study_id: int, payload: SplitIn) -> Status:
    split = services.split_add(actor=actor_of(request), study_id=study_id, data=payload)
    return Status(201, {"id": split.pk, "on": split.on, "reason": split.reason, "index": None})


@router.delete(
    "/check/studies/{study_id}/splits/{split_id}",
    response={204: None, **ERRORS},
    operation_id="check_split_remove",
)
def split_remove(request: HttpRequest, study_id: int, split_id: int) -> Status:
    services.split_remove(actor=actor_of(request), study_id=study_id, split_id=split_id)
    return Status(204, None)


def _download(fmt: str, operation_id: str, summary: str) -> Any:
    return router.get(
        f"/check/studies/{{study_id}}/{'data' if fmt == 'xlsx' else 'chart'}.{fmt}",
        response=ERRORS,
        operation_id=operation_id,
        summary=summary,
        openapi_extra={
            "responses": {
                200: {
                    "description": "The file",
                    "content": {exports.FILE_TYPES[fmt]: {"schema": {"type": "string", "format": "binary"}}},
                }
            }
        },
    )


def _export(request: HttpRequest, study_id: int, fmt: str) -> HttpResponse:
    actor = actor_of(request)
    s = selectors.study(actor, study_id)
    return exports.response(selectors.study_chart(actor, s), fmt, f"study-{s.pk}", actor=actor)


@_download("svg", "check_study_chart_svg", "The capability chart as SVG")
def study_chart_svg(request: HttpRequest, study_id: int) -> HttpResponse:
    return _export(request, study_id, "svg")


@_download("png", "check_study_chart_png", "The capability chart as PNG")
def study_chart_png(request: HttpRequest, study_id: int) -> HttpResponse:
    return _export(request, study_id, "png")


@_download("xlsx", "check_study_data_xlsx", "The chart's values, segments, signals and demand as .xlsx")
def study_data_xlsx(request: HttpRequest, study_id: int) -> HttpResponse:
    return _export(request, study_id, "xlsx")
