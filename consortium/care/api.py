"""JSON API for care price benchmarking (the common template's JSON form)."""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from consortium.care import selectors, services
from consortium.care.constants import Population
from consortium.care.models import CareHome, CareLevel, NeedsAssessment, Negotiation, PriceMenu
from consortium.care.schemas import (
    AgreedIn,
    AssessmentOut,
    BenchmarkOut,
    CareHomeIn,
    CareHomeOut,
    CareLevelOut,
    CouncilReportOut,
    ImportResultOut,
    NeedsIn,
    NegotiationIn,
    NegotiationOut,
    PlacementIn,
    PlacementOut,
    PriceMenuDetailOut,
    PriceMenuIn,
    PriceMenuOut,
    QuoteOut,
)
from consortium.care.services import AgreedInput, MenuItemInput
from consortium.care.workbooks import MAX_UPLOAD_BYTES
from consortium.core.api_errors import ERRORS
from consortium.core.pagination import Page
from consortium.organisations.api_auth import actor_of

router = Router(tags=["care"])
_FOUR = Decimal("0.0001")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _level(name: str) -> CareLevel:
    return selectors.care_level_named(name)


@router.get("/care/levels", response={200: list[CareLevelOut], **ERRORS}, operation_id="care_level_list")
def care_level_list(request: HttpRequest) -> object:
    return selectors.care_level_list()


@router.get("/care/homes", response={200: list[CareHomeOut], **ERRORS}, operation_id="care_home_list")
@paginate(Page)
def care_home_list(request: HttpRequest) -> object:
    return selectors.home_list_for(actor_of(request))


@router.post("/care/homes", response={201: CareHomeOut, **ERRORS}, operation_id="care_home_create")
def care_home_create(request: HttpRequest, payload: CareHomeIn) -> Status:
    return Status(201, services.care_home_create(actor=actor_of(request), **payload.dict()))


@router.get("/care/menus", response={200: list[PriceMenuOut], **ERRORS}, operation_id="price_menu_list")
@paginate(Page)
def price_menu_list(request: HttpRequest, current_only: bool = True) -> object:
    return selectors.menu_list_for(actor_of(request), current_only=current_only)


@router.post("/care/menus", response={201: PriceMenuDetailOut, **ERRORS}, operation_id="price_menu_submit")
def price_menu_submit(request: HttpRequest, payload: PriceMenuIn) -> Status:
    actor = actor_of(request)
    home: CareHome = selectors.home_get_for(actor, payload.home_id)
    menu = services.price_menu_submit(
        actor=actor,
        home=home,
        highest_level=_level(payload.highest_level),
        effective_from=payload.effective_from,
        items=[MenuItemInput(i.element, i.unit_price, i.ratio, i.grade or "") for i in payload.items],
    )
    return Status(201, selectors.menu_get_for(actor, menu.pk))


@router.post(
    "/care/menus/upload", response={201: ImportResultOut, **ERRORS}, operation_id="price_menu_upload"
)
def price_menu_upload(request: HttpRequest, file: File[UploadedFile]) -> Status:
    """Upload a filled Home Fees workbook. Errors name the sheet and cell; a bad file stores nothing."""
    menu = services.price_menu_import(actor=actor_of(request), content=file.read(MAX_UPLOAD_BYTES + 1))
    return Status(201, {"menu_id": menu.pk, "home_id": menu.home_id, "items": menu.items.count()})


@router.get(
    "/care/menus/template.xlsx",
    response=ERRORS,
    operation_id="price_menu_template",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def price_menu_template(request: HttpRequest) -> HttpResponse:
    from consortium.care.workbooks import menu_template

    response = HttpResponse(menu_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="home-fees-template.xlsx"'
    return response


@router.get(
    "/care/menus/{menu_id}", response={200: PriceMenuDetailOut, **ERRORS}, operation_id="price_menu_get"
)
def price_menu_get(request: HttpRequest, menu_id: int) -> PriceMenu:
    return selectors.menu_get_for(actor_of(request), menu_id)


@router.get(
    "/care/assessments", response={200: list[AssessmentOut], **ERRORS}, operation_id="care_assessment_list"
)
@paginate(Page)
def care_assessment_list(request: HttpRequest) -> object:
    return selectors.assessment_list_for(actor_of(request))


@router.post(
    "/care/assessments", response={201: AssessmentOut, **ERRORS}, operation_id="care_assessment_create"
)
def care_assessment_create(request: HttpRequest, payload: NeedsIn) -> Status:
    values = payload.dict()
    values["level"] = _level(values["level"])
    values["accommodation_type"] = values["accommodation_type"] or ""
    return Status(201, services.assessment_create(actor=actor_of(request), **values))


@router.get(
    "/care/assessments/{assessment_id}",
    response={200: AssessmentOut, **ERRORS},
    operation_id="care_assessment_get",
)
def care_assessment_get(request: HttpRequest, assessment_id: int) -> NeedsAssessment:
    return selectors.assessment_get_for(actor_of(request), assessment_id)


@router.get(
    "/care/assessments/{assessment_id}/quotes",
    response={200: list[QuoteOut], **ERRORS},
    operation_id="care_quote_list",
)
@paginate(Page)
def care_quote_list(request: HttpRequest, assessment_id: int) -> list[dict[str, object]]:
    """Every home's itemised weekly cost for this client, each line against the benchmark:
    offered and complete quotes first, cheapest first. Paged like every list."""
    actor = actor_of(request)
    assessment = selectors.assessment_get_for(actor, assessment_id)
    return _Serialised(selectors.quotes_for(actor, assessment))  # type: ignore[return-value]


class _Serialised:
    """Quotes serialised only for the page asked for: the paginator slices, then this maps."""

    def __init__(self, views: list[selectors.QuoteView]) -> None:
        self.views = views

    def __len__(self) -> int:
        return len(self.views)

    def __getitem__(self, page: slice) -> list[dict[str, object]]:
        return [_quote_out(v) for v in self.views[page]]


def _quote_out(view: selectors.QuoteView) -> dict[str, object]:
    q = view.quote
    return {
        "menu_id": q.menu.menu_id,
        "home_name": q.menu.home_name,
        "provider_name": q.menu.provider_name,
        "offered": q.offered,
        "reason": q.reason,
        "complete": q.complete,
        "missing": list(q.missing),
        "has_estimates": q.has_estimates,
        "total": q.total,
        "budget_status": q.budget_status,
        "flagged_saving": view.flagged_saving,
        "lines": [
            {
                "element": lv.line.element,
                "quantity": lv.line.quantity,
                "quoted_unit_price": lv.line.quoted_unit_price,
                "unit_price": lv.line.unit_price.quantize(_FOUR),
                "quoted_ratio": lv.line.quoted_ratio,
                "needed_ratio": lv.line.needed_ratio,
                "grade": lv.line.grade,
                "is_estimate": lv.line.is_estimate,
                "total": lv.line.total,
                "benchmark_minimum": lv.benchmark.spread.minimum
                if lv.benchmark and lv.benchmark.spread
                else None,
                "benchmark_median": lv.benchmark.spread.median
                if lv.benchmark and lv.benchmark.spread
                else None,
                "benchmark_maximum": lv.benchmark.spread.maximum
                if lv.benchmark and lv.benchmark.spread
                else None,
                "position": lv.position,
                "above_upper_quartile": lv.above_upper_quartile,
                "saving_at_median": lv.saving_at_median,
            }
            for lv in view.lines
        ],
    }


@router.post(
    "/care/negotiations", response={201: NegotiationOut, **ERRORS}, operation_id="care_negotiation_open"
)
def care_negotiation_open(request: HttpRequest, payload: NegotiationIn) -> Status:
    actor = actor_of(request)
    assessment = selectors.assessment_get_for(actor, payload.assessment_id)
    menu = selectors.menu_get_for(actor, payload.menu_id)
    negotiation = services.negotiation_open(actor=actor, assessment=assessment, menu=menu)
    return Status(201, selectors.negotiation_get_for(actor, negotiation.pk))


@router.get(
    "/care/negotiations/{negotiation_id}",
    response={200: NegotiationOut, **ERRORS},
    operation_id="care_negotiation_get",
)
def care_negotiation_get(request: HttpRequest, negotiation_id: int) -> Negotiation:
    return selectors.negotiation_get_for(actor_of(request), negotiation_id)


@router.post(
    "/care/negotiations/{negotiation_id}/agreed",
    response={200: NegotiationOut, **ERRORS},
    operation_id="care_negotiation_record_agreed",
)
def care_negotiation_record_agreed(
    request: HttpRequest, negotiation_id: int, payload: AgreedIn
) -> Negotiation:
    actor = actor_of(request)
    negotiation = selectors.negotiation_get_for(actor, negotiation_id)
    services.negotiation_record_agreed(
        actor=actor,
        negotiation=negotiation,
        lines=[AgreedInput(x.line_id, x.agreed_unit_price, x.agreed_quantity, x.note) for x in payload.lines],
    )
    return selectors.negotiation_get_for(actor, negotiation_id)


@router.post(
    "/care/negotiations/{negotiation_id}/withdraw",
    response={200: NegotiationOut, **ERRORS},
    operation_id="care_negotiation_withdraw",
)
def care_negotiation_withdraw(request: HttpRequest, negotiation_id: int) -> Negotiation:
    actor = actor_of(request)
    services.negotiation_withdraw(
        actor=actor, negotiation=selectors.negotiation_get_for(actor, negotiation_id)
    )
    return selectors.negotiation_get_for(actor, negotiation_id)


@router.post(
    "/care/negotiations/{negotiation_id}/placement",
    response={201: PlacementOut, **ERRORS},
    operation_id="care_placement_confirm",
)
def care_placement_confirm(request: HttpRequest, negotiation_id: int, payload: PlacementIn) -> Status:
    """Confirm the placement at the agreed prices. Repeating it returns the same placement."""
    actor = actor_of(request)
    negotiation = selectors.negotiation_get_for(actor, negotiation_id)
    placement = services.placement_confirm(
        actor=actor, negotiation=negotiation, start_date=payload.start_date
    )
    return Status(201, selectors.placement_list_for(actor).get(pk=placement.pk))


@router.get(
    "/care/negotiations/{negotiation_id}/workbook.xlsx",
    response=ERRORS,
    operation_id="care_case_workbook",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def care_case_workbook(request: HttpRequest, negotiation_id: int) -> HttpResponse:
    from consortium.care.views import case_workbook_response

    return case_workbook_response(actor_of(request), negotiation_id)


@router.get(
    "/care/placements", response={200: list[PlacementOut], **ERRORS}, operation_id="care_placement_list"
)
@paginate(Page)
def care_placement_list(request: HttpRequest) -> object:
    return selectors.placement_list_for(actor_of(request))


@router.get(
    "/care/benchmarks", response={200: list[BenchmarkOut], **ERRORS}, operation_id="care_benchmark_list"
)
def care_benchmark_list(
    request: HttpRequest, population: Population = Query(Population.COMMISSIONED)
) -> object:
    return [
        {
            "element": b.key[0],
            "ratio": b.key[1],
            "grade": b.key[2],
            "population": b.population,
            "providers": b.providers,
            "shown": b.spread is not None,
            **(
                {
                    "count": b.spread.count,
                    "minimum": b.spread.rounded().minimum,
                    "lower_quartile": b.spread.rounded().lower_quartile,
                    "median": b.spread.rounded().median,
                    "upper_quartile": b.spread.rounded().upper_quartile,
                    "maximum": b.spread.rounded().maximum,
                }
                if b.spread
                else {}
            ),
        }
        for b in selectors.benchmark_list_for(actor_of(request), population=population)
    ]


@router.get(
    "/care/reports/councils",
    response={200: list[CouncilReportOut], **ERRORS},
    operation_id="care_council_report",
)
def care_council_report(request: HttpRequest) -> object:
    return [
        {
            "council_id": r["council__id"],
            "council_name": r["council__name"],
            "placements": r["placements"],
            "weekly_spend": r["weekly_spend"],
            "weekly_saving": r["weekly_saving"],
            "annual_saving": r["annual_saving"],
        }
        for r in selectors.council_report_for(actor_of(request))
    ]
