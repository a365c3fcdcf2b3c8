import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from consortium.catalogue import selectors, services
from consortium.catalogue.constants import Category
from consortium.catalogue.models import CatalogueItem, PriceChange
from consortium.catalogue.schemas import BaselineIn, DecisionIn, ItemIn, PriceChangeIn
from consortium.contracts.models import Lot
from consortium.core.api_errors import ERRORS
from consortium.core.errors import NotFound
from consortium.core.pagination import Page
from consortium.organisations.api_auth import actor_of

router = Router(tags=["catalogue"])


class ItemOut(Schema):
    id: int
    supplier_id: int
    supplier_name: str = Field(..., alias="supplier.name")
    contract_id: int = Field(..., alias="lot.contract_id")
    lot_id: int
    supplier_code: str
    name: str
    description: str
    category: str
    unit_of_measure: str
    pack_size: int
    unit_price: Decimal = Field(..., description="£ ex VAT")
    price_each: Decimal = Field(
        ..., description="£ ex VAT for one of what the pack holds (unit price ÷ pack size)"
    )
    vat_rate: Decimal
    minimum_order: int
    lead_time_days: int
    eco_label: bool
    sustainability_marks: str
    image_alt: str = Field(..., description="What the picture shows; blank when there is no picture")
    product_group: str
    variant_label: str
    valid_from: dt.date
    valid_to: dt.date | None


class VariantOut(Schema):
    id: int
    variant_label: str
    name: str
    unit_price: Decimal


class SearchItemOut(ItemOut):
    variants: list[VariantOut] = Field(default_factory=list, description="Other versions of this product")


class FacetValue(Schema):
    value: Any
    label: str
    count: int


class SearchOut(Schema):
    items: list[SearchItemOut]
    count: int = Field(..., description="Every match (the facets count every match too)")
    count_is_capped: bool = Field(..., description="Always false now: kept for clients that read it")
    searched_for: list[str]
    showing_results_for: str = Field(
        ..., description="When the words typed found nothing: the near spelling searched, as words"
    )
    facets: dict[str, list[FacetValue]]


class SearchQuery(Schema):
    q: str = Field("", max_length=200)
    category: Category | None = None
    supplier_id: int | None = Field(None, ge=1, le=2**62)
    contract_id: int | None = Field(None, ge=1, le=2**62)
    local_or_sme: bool = False
    eco_label: bool = False
    sort: str = Field("relevance", pattern="^(relevance|price|-price|unit_price|name)$")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10000)
    facets: bool = True


class PriceChangeOut(Schema):
    id: int
    item_id: int
    item_name: str = Field(..., alias="item.name")
    supplier_name: str = Field(..., alias="item.supplier.name")
    old_price: Decimal
    new_price: Decimal
    change_percent: Decimal
    flagged: bool
    status: str
    reason: str

    @staticmethod
    def resolve_change_percent(obj: PriceChange) -> Decimal:
        return services.change_percent(obj)

    @staticmethod
    def resolve_flagged(obj: PriceChange) -> bool:
        return services.is_flagged(obj)


@router.get("/catalogue/search", response={200: SearchOut, **ERRORS}, operation_id="catalogue_search")
def catalogue_search(request: HttpRequest, query: Query[SearchQuery]) -> dict[str, object]:
    """Search what your organisation may buy today: full text with typo tolerance, facets, sorting, paging."""
    result = selectors.search_for(
        actor_of(request),
        query.q,
        selectors.Filters(
            query.category, query.supplier_id, query.contract_id, query.local_or_sme, query.eco_label
        ),
        sort=query.sort,
        limit=query.limit,
        offset=query.offset,
        with_facets=query.facets,
    )
    return {
        "items": result.items,
        "count": result.count,
        "count_is_capped": result.count_is_capped,
        "searched_for": result.searched_for,
        "showing_results_for": result.showing_results_for,
        "facets": result.facets,
    }


@router.get(
    "/catalogue/items/{item_id}", response={200: ItemOut, **ERRORS}, operation_id="catalogue_item_get"
)
def catalogue_item_get(request: HttpRequest, item_id: int) -> CatalogueItem:
    return selectors.item_get_for(actor_of(request), item_id)


@router.get(
    "/catalogue/my-items", response={200: list[ItemOut], **ERRORS}, operation_id="catalogue_own_items"
)
@paginate(Page)
def catalogue_own_items(request: HttpRequest) -> object:
    return selectors.own_items_for(actor_of(request)).select_related("supplier")


@router.post("/catalogue/items", response={201: ItemOut, **ERRORS}, operation_id="catalogue_item_create")
def catalogue_item_create(request: HttpRequest, payload: ItemIn) -> Status:
    values = payload.dict()
    lot = Lot.objects.filter(pk=values.pop("lot_id")).first()
    if lot is None:
        raise NotFound("No such lot")
    return Status(201, services.item_create(actor=actor_of(request), lot=lot, **values))


@router.post(
    "/catalogue/items/{item_id}/baseline",
    response={200: ItemOut, **ERRORS},
    operation_id="catalogue_item_baseline_set",
)
def catalogue_item_baseline_set(request: HttpRequest, item_id: int, payload: BaselineIn) -> CatalogueItem:
    """Set the price members paid before the contract (category managers): MI savings are measured
    against it. Audited with the old and new figures."""
    actor = actor_of(request)
    item = selectors.item_get_for(actor, item_id)
    return services.item_baseline_set(actor=actor, item=item, baseline_price=payload.baseline_price)


@router.post(
    "/catalogue/items/{item_id}/price-changes",
    response={201: PriceChangeOut, **ERRORS},
    operation_id="price_change_request",
)
def price_change_request(request: HttpRequest, item_id: int, payload: PriceChangeIn) -> Status:
    actor = actor_of(request)
    item = selectors.item_get_for(actor, item_id)
    return Status(201, services.price_change_request(actor=actor, item=item, new_price=payload.new_price))


@router.get(
    "/catalogue/price-changes",
    response={200: list[PriceChangeOut], **ERRORS},
    operation_id="price_change_list",
)
@paginate(Page)
def price_change_list(request: HttpRequest, pending_only: bool = True) -> object:
    return selectors.price_change_list_for(actor_of(request), pending_only=pending_only)


@router.post(
    "/catalogue/price-changes/{change_id}/decision",
    response={200: PriceChangeOut, **ERRORS},
    operation_id="price_change_decide",
)
def price_change_decide(request: HttpRequest, change_id: int, payload: DecisionIn) -> PriceChange:
    actor = actor_of(request)
    change = selectors.price_change_get_for(actor, change_id)
    return services.price_change_decide(
        actor=actor, change=change, approve=payload.approve, reason=payload.reason
    )


class ImportOut(Schema):
    created: int
    updated: int
    price_changes: int


@router.post("/catalogue/upload", response={201: ImportOut, **ERRORS}, operation_id="catalogue_upload")
def catalogue_upload(request: HttpRequest, file: File[UploadedFile]) -> Status:
    """Upload your catalogue (.xlsx template or .csv). New items are added, changed prices wait
    for approval; every bad cell is named and a bad file stores nothing."""
    from consortium.catalogue import imports

    result = imports.catalogue_import(
        actor=actor_of(request),
        content=file.read(imports.MAX_BYTES + 1),
        filename=file.name or "catalogue.xlsx",
    )
    return Status(
        201, {"created": result.created, "updated": result.updated, "price_changes": result.price_changes}
    )


@router.post(
    "/catalogue/items/{item_id}/image",
    response={200: ItemOut, **ERRORS},
    operation_id="catalogue_item_image_set",
)
def catalogue_item_image_set(
    request: HttpRequest, item_id: int, image: File[UploadedFile], alt: Form[str]
) -> CatalogueItem:
    """The supplier's picture of its own item (JPEG, PNG or WebP up to 5 MB; redrawn at most 600
    pixels a side, metadata removed) and what it shows (`alt`, for people who cannot see it)."""
    from consortium.catalogue.images import MAX_BYTES

    return services.item_image_set(
        actor=actor_of(request), item_id=item_id, content=image.read(MAX_BYTES + 1), alt=alt[:1000]
    )


@router.get(
    "/catalogue/items/{item_id}/image",
    response=ERRORS,
    operation_id="catalogue_item_image",
    openapi_extra={
        "responses": {
            200: {
                "description": "The picture",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def catalogue_item_image(request: HttpRequest, item_id: int) -> HttpResponse:
    """An item's picture (JPEG), to whoever may see the item."""
    item = selectors.item_get_for(actor_of(request), item_id)
    if not item.image:
        raise NotFound("This item has no picture")
    return HttpResponse(bytes(item.image), content_type="image/jpeg")
