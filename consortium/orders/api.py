import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from consortium.core.api_errors import ERRORS
from consortium.core.files import csv_response
from consortium.core.pagination import Page
from consortium.orders import selectors, services
from consortium.orders.constants import OrderStatus
from consortium.orders.models import Order
from consortium.orders.schemas import (
    BasketAddIn,
    BasketUpdateIn,
    CheckoutIn,
    DeliveryIn,
    ReasonIn,
    RejectIn,
    SavedListIn,
    SavedListItemIn,
    StepIn,
)
from consortium.organisations.api_auth import actor_of

router = Router(tags=["orders"])


class BasketLineOut(Schema):
    id: int
    item_id: int
    name: str = Field(..., alias="item.name")
    supplier_name: str = Field(..., alias="item.supplier.name")
    unit_price: Decimal = Field(..., alias="item.unit_price")
    quantity: int
    cost_centre: str


class OrderLineOut(Schema):
    id: int
    item_id: int
    supplier_code: str
    name: str
    category: str
    unit_of_measure: str
    unit_price: Decimal
    vat_rate: Decimal
    quantity: int
    quantity_delivered: int
    cost_centre: str
    line_total: Decimal


class OrderEventOut(Schema):
    from_status: str
    to_status: str
    at: dt.datetime
    by_id: int | None
    note: str


class OrderOut(Schema):
    id: int
    reference: str
    status: str
    buyer_id: int
    buyer_name: str = Field(..., alias="buyer.name")
    supplier_id: int
    supplier_name: str = Field(..., alias="supplier.name")
    contract_id: int
    delivery_address: str
    notes: str
    subtotal: Decimal
    vat: Decimal
    total: Decimal
    created_at: dt.datetime


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]
    events: list[OrderEventOut]


@router.get("/basket", response={200: list[BasketLineOut], **ERRORS}, operation_id="basket_get")
def basket_get(request: HttpRequest) -> object:
    return selectors.basket_for(actor_of(request))


@router.post("/basket/lines", response={201: BasketLineOut, **ERRORS}, operation_id="basket_add")
def basket_add(request: HttpRequest, payload: BasketAddIn) -> Status:
    actor = actor_of(request)
    line = services.basket_add(actor=actor, **payload.dict())
    return Status(201, selectors.basket_for(actor).get(pk=line.pk))


@router.put(
    "/basket/lines/{line_id}", response={200: list[BasketLineOut], **ERRORS}, operation_id="basket_update"
)
def basket_update(request: HttpRequest, line_id: int, payload: BasketUpdateIn) -> object:
    actor = actor_of(request)
    services.basket_update(
        actor=actor, line_id=line_id, quantity=payload.quantity, cost_centre=payload.cost_centre
    )
    return selectors.basket_for(actor)


@router.post("/basket/checkout", response={201: list[OrderOut], **ERRORS}, operation_id="basket_checkout")
def basket_checkout(request: HttpRequest, payload: CheckoutIn) -> Status:
    """One call-off order per supplier. Idempotent: the same checkout key returns the same orders."""
    return Status(201, services.checkout(actor=actor_of(request), **payload.dict()))


@router.get("/orders", response={200: list[OrderOut], **ERRORS}, operation_id="order_list")
@paginate(Page)
def order_list(request: HttpRequest, status: OrderStatus | None = None) -> object:
    return selectors.order_list_for(actor_of(request), status=status)


@router.get(
    "/orders.csv",
    response=ERRORS,
    operation_id="order_export",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def order_export(request: HttpRequest) -> HttpResponse:
    """Order lines as CSV (up to 20,000 orders) for finance systems."""
    orders = selectors.order_list_for(actor_of(request)).prefetch_related("lines")[:20000]
    return csv_response(selectors.orders_as_csv(orders), "orders.csv")


@router.get("/orders/{order_id}", response={200: OrderDetailOut, **ERRORS}, operation_id="order_get")
def order_get(request: HttpRequest, order_id: int) -> Order:
    return selectors.order_get_for(actor_of(request), order_id)


@router.post(
    "/orders/{order_id}/steps",
    response={200: OrderDetailOut, **ERRORS},
    operation_id="order_step",
    deprecated=True,
)
def order_step(request: HttpRequest, order_id: int, payload: StepIn) -> Order:
    """Deprecated: use the action endpoints (approve, reject, acknowledge, dispatch,
    deliveries, close, cancel). Moves the order to the status named, if that is an action."""
    actor = actor_of(request)
    order = selectors.order_get_for(actor, order_id)
    services.order_step(
        actor=actor, order=order, to=payload.to, reason=payload.reason, delivered=payload.delivered
    )
    return selectors.order_get_for(actor, order_id)


def _act(request: HttpRequest, order_id: int, action: str, **values: Any) -> Order:
    actor = actor_of(request)
    order = selectors.order_get_for(actor, order_id)
    services.order_act(actor=actor, order=order, action=action, **values)
    return selectors.order_get_for(actor, order_id)


@router.post(
    "/orders/{order_id}/approve", response={200: OrderDetailOut, **ERRORS}, operation_id="order_approve"
)
def order_approve(request: HttpRequest, order_id: int) -> Order:
    """An approver of the buying organisation (not the person who placed it) approves: it goes to the supplier."""
    return _act(request, order_id, "approve")


@router.post(
    "/orders/{order_id}/reject", response={200: OrderDetailOut, **ERRORS}, operation_id="order_reject"
)
def order_reject(request: HttpRequest, order_id: int, payload: RejectIn) -> Order:
    """An approver rejects, saying why; the buyer is told."""
    return _act(request, order_id, "reject", reason=payload.reason)


@router.post(
    "/orders/{order_id}/acknowledge",
    response={200: OrderDetailOut, **ERRORS},
    operation_id="order_acknowledge",
)
def order_acknowledge(request: HttpRequest, order_id: int) -> Order:
    """The supplier acknowledges an order sent to it."""
    return _act(request, order_id, "acknowledge")


@router.post(
    "/orders/{order_id}/dispatch", response={200: OrderDetailOut, **ERRORS}, operation_id="order_dispatch"
)
def order_dispatch(request: HttpRequest, order_id: int) -> Order:
    """The supplier marks an acknowledged order dispatched."""
    return _act(request, order_id, "dispatch")


@router.post(
    "/orders/{order_id}/deliveries",
    response={200: OrderDetailOut, **ERRORS},
    operation_id="order_record_delivery",
)
def order_record_delivery(request: HttpRequest, order_id: int, payload: DeliveryIn) -> Order:
    """The buyer records what arrived, line by line: partly delivered until every line is complete."""
    return _act(request, order_id, "record_delivery", delivered=payload.delivered)


@router.post("/orders/{order_id}/close", response={200: OrderDetailOut, **ERRORS}, operation_id="order_close")
def order_close(request: HttpRequest, order_id: int) -> Order:
    """The buyer closes a delivered order."""
    return _act(request, order_id, "close")


@router.post(
    "/orders/{order_id}/cancel", response={200: OrderDetailOut, **ERRORS}, operation_id="order_cancel"
)
def order_cancel(request: HttpRequest, order_id: int, payload: ReasonIn) -> Order:
    """The buyer cancels an order not yet dispatched."""
    return _act(request, order_id, "cancel", reason=payload.reason)


class SavedListItemOut(Schema):
    item_id: int
    name: str = Field(..., alias="item.name")
    supplier_name: str = Field(..., alias="item.supplier.name")
    unit_price: Decimal = Field(..., alias="item.unit_price")
    quantity: int


class SavedListOut(Schema):
    id: int
    name: str
    created_by: str = Field(..., alias="created_by.full_name")
    modified_at: dt.datetime


class SavedListDetailOut(SavedListOut):
    entries: list[SavedListItemOut]


class ToBasketOut(Schema):
    added: list[BasketLineOut]
    unavailable: list[str] = Field(..., description="Items on the list that can no longer be bought")


class BuyAgainOut(Schema):
    item_id: int
    name: str
    supplier_name: str
    unit_price: Decimal
    times: int = Field(..., description="Orders it was on in the last 12 months")
    last: dt.date = Field(..., description="When it was last ordered")
    quantity: int = Field(..., description="How many in the last 12 months")
    buyable: bool = Field(..., description="Whether it can still be bought today")


@router.get("/buy-again", response={200: list[BuyAgainOut], **ERRORS}, operation_id="buy_again")
def buy_again(request: HttpRequest) -> object:
    """What your organisation ordered in the last 12 months, most often first."""
    return [
        {
            **{k: r[k] for k in ("item_id", "times", "last", "quantity", "buyable")},
            "name": r["item"].name,
            "supplier_name": r["item"].supplier.name,
            "unit_price": r["item"].unit_price,
        }
        for r in selectors.buy_again_for(actor_of(request))
    ]


@router.get("/saved-lists", response={200: list[SavedListOut], **ERRORS}, operation_id="saved_list_list")
def saved_list_list(request: HttpRequest) -> object:
    """Your organisation's saved lists, shared by its buyers."""
    return selectors.saved_lists_for(actor_of(request))


@router.post("/saved-lists", response={201: SavedListDetailOut, **ERRORS}, operation_id="saved_list_create")
def saved_list_create(request: HttpRequest, payload: SavedListIn) -> Status:
    actor = actor_of(request)
    saved = services.saved_list_create(actor=actor, name=payload.name)
    return Status(201, selectors.saved_list_get_for(actor, saved.pk))


@router.get(
    "/saved-lists/{list_id}", response={200: SavedListDetailOut, **ERRORS}, operation_id="saved_list_get"
)
def saved_list_get(request: HttpRequest, list_id: int) -> object:
    return selectors.saved_list_get_for(actor_of(request), list_id)


@router.delete("/saved-lists/{list_id}", response={204: None, **ERRORS}, operation_id="saved_list_delete")
def saved_list_delete(request: HttpRequest, list_id: int) -> Status:
    services.saved_list_delete(actor=actor_of(request), list_id=list_id)
    return Status(204, None)


@router.post(
    "/saved-lists/{list_id}/items",
    response={200: SavedListDetailOut, **ERRORS},
    operation_id="saved_list_put_item",
)
def saved_list_put_item(request: HttpRequest, list_id: int, payload: SavedListItemIn) -> object:
    """Put an item on the list (again: its quantity is replaced)."""
    actor = actor_of(request)
    services.saved_list_put_item(
        actor=actor, list_id=list_id, item_id=payload.item_id, quantity=payload.quantity
    )
    return selectors.saved_list_get_for(actor, list_id)


@router.delete(
    "/saved-lists/{list_id}/items/{item_id}",
    response={200: SavedListDetailOut, **ERRORS},
    operation_id="saved_list_remove_item",
)
def saved_list_remove_item(request: HttpRequest, list_id: int, item_id: int) -> object:
    actor = actor_of(request)
    services.saved_list_remove_item(actor=actor, list_id=list_id, item_id=item_id)
    return selectors.saved_list_get_for(actor, list_id)


@router.post(
    "/saved-lists/{list_id}/basket",
    response={200: ToBasketOut, **ERRORS},
    operation_id="saved_list_to_basket",
)
def saved_list_to_basket(request: HttpRequest, list_id: int) -> object:
    """Every item on the list into your basket at the list's quantities."""
    actor = actor_of(request)
    added, missing = services.saved_list_to_basket(actor=actor, list_id=list_id)
    basket = selectors.basket_for(actor)
    return {"added": [basket.get(pk=line.pk) for line in added], "unavailable": missing}
