"""What the catalogue API and pages accept: one definition of each field and its limits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field

from consortium.catalogue.constants import Category
from consortium.core.schemas import Pounds, StrictIn


class ItemIn(StrictIn):
    lot_id: int = Field(..., ge=1, le=2**62)
    supplier_code: str = Field(..., min_length=1, max_length=60)
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    category: Category
    unit_of_measure: str = Field("each", max_length=30)
    pack_size: int = Field(1, ge=1, le=100000)
    unit_price: Pounds = Field(..., ge=0, lt=100000000, decimal_places=2, title="Unit price")
    vat_rate: Decimal = Field(Decimal(20))
    minimum_order: int = Field(1, ge=1, le=100000)
    lead_time_days: int = Field(3, ge=0, le=365)
    eco_label: bool = False
    sustainability_marks: str = Field("", max_length=200)
    product_group: str = Field("", max_length=60, description="Variants of one product share it")
    variant_label: str = Field(
        "", max_length=100, description="What sets this variant apart: Blue, box of 50"
    )
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class BaselineIn(StrictIn):
    baseline_price: Pounds | None = Field(
        ...,
        ge=0,
        lt=100000000,
        decimal_places=2,
        title="Baseline price",
        description="£ ex VAT members paid before; null clears it",
    )


class PriceChangeIn(StrictIn):
    new_price: Pounds = Field(..., ge=0, lt=100000000, decimal_places=2, title="New price")


class DecisionIn(StrictIn):
    approve: bool
    reason: str = Field("", max_length=300)
