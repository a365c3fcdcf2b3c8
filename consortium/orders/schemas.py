"""What the orders API and pages accept: one definition of each field and its limits."""

from __future__ import annotations

from ninja import Field

from consortium.core.schemas import Pounds, StrictIn
from consortium.orders.constants import OrderStatus


class BasketAddIn(StrictIn):
    item_id: int = Field(..., ge=1, le=2**62)
    quantity: int = Field(1, ge=1, le=100000)
    cost_centre: str = Field("", max_length=40)


class BasketUpdateIn(StrictIn):
    quantity: int = Field(..., ge=0, le=100000, description="0 removes the line")
    cost_centre: str = Field("", max_length=40)


class CheckoutIn(StrictIn):
    checkout_key: str = Field(
        ..., min_length=1, max_length=64, description="Send the same key to retry safely"
    )
    delivery_address: str = Field(..., min_length=1, max_length=1000)
    notes: str = Field("", max_length=2000)


class StepIn(StrictIn):
    to: OrderStatus
    reason: str = Field("", max_length=300)
    delivered: dict[int, int] = Field(default_factory=dict, description="line id → quantity received now")


class ReasonIn(StrictIn):
    reason: str = Field("", max_length=300)


class RejectIn(StrictIn):
    reason: str = Field(..., min_length=1, max_length=300)


class DeliveryIn(StrictIn):
    delivered: dict[int, int] = Field(
        default_factory=dict, description="line id → quantity received now; empty: everything outstanding"
    )


class ApprovalRuleIn(StrictIn):
    threshold: Pounds = Field(..., ge=0, lt=10**8, decimal_places=2, title="Approval threshold")
    category: str = Field("", max_length=40, description="Blank: every category")


class SavedListIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=100, title="List name")


class SavedListItemIn(StrictIn):
    item_id: int = Field(..., ge=1, le=2**62)
    quantity: int = Field(1, ge=1, le=100000, title="Quantity")
