"""What the contracts API and pages accept: one definition of each field and its limits."""

from __future__ import annotations

from decimal import Decimal

from ninja import Field

from consortium.contracts.constants import Access, ContractKind, ContractStatus, Scope
from consortium.core.schemas import Date, RecordId, StrictIn


class ContractIn(StrictIn):
    reference: str = Field(..., min_length=1, max_length=40)
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    kind: ContractKind = ContractKind.FRAMEWORK
    cpv_codes: list[str] = Field(default_factory=list, max_length=50)
    scope: Scope
    access: Access = Access.ALL_MEMBERS
    access_kinds: list[str] = Field(default_factory=list, max_length=20)
    access_named_ids: list[RecordId] = Field(default_factory=list, max_length=500)
    let_by_id: int | None = Field(None, ge=1, le=2**62, description="The member that let the contract")
    start_date: Date = Field(..., title="Start date")
    end_date: Date = Field(..., title="End date")
    extension_months: int = Field(0, ge=0, le=120)
    rebate_percent: Decimal = Field(Decimal(0), ge=0, le=100, decimal_places=2, title="Rebate")


class LotIn(StrictIn):
    number: int = Field(..., ge=1, le=999, title="Lot number")
    title: str = Field(..., min_length=1, max_length=200)
    supplier_ids: list[RecordId] = Field(
        ..., min_length=1, max_length=200, title="the suppliers awarded this lot"
    )


class TransitionIn(StrictIn):
    to: ContractStatus
