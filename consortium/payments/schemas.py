"""Payments' inputs, shared by the API and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from consortium.core.schemas import Date, Pounds, RecordId, StrictIn
from consortium.payments.constants import CheckDigit, PaymentStatus, Provider

Money = Pounds


class PayIn(StrictIn):
    fund_id: RecordId = Field(..., title="Fund")
    reference: str = Field(..., min_length=1, max_length=40, title="Reference")
    amount: Money = Field(..., gt=Decimal("0"), le=Decimal("1000000"), decimal_places=2, title="Amount")
    email: str = Field(
        ..., min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", title="Email address"
    )
    attempt: UUID = Field(..., title="Attempt")


class FeePayIn(StrictIn):
    email: str = Field(
        ..., min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", title="Email address"
    )
    attempt: UUID = Field(..., title="Attempt")


class FeeIn(StrictIn):
    service_id: RecordId = Field(..., title="Service")
    fund_id: RecordId | None = Field(None, title="Fund")  # none: no fee any more
    amount: Money | None = Field(None, gt=Decimal("0"), le=Decimal("100000"), decimal_places=2, title="Fee")


class FundIn(StrictIn):
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$", title="Code")
    name: str = Field(..., min_length=1, max_length=120, title="Name")
    description: str = Field("", max_length=2000, title="Description")
    reference_label: str = Field(
        "Reference", min_length=1, max_length=80, title="What the reference is called"
    )
    reference_hint: str = Field("", max_length=200, title="Hint")
    reference_pattern: str = Field(..., min_length=1, max_length=200, title="Reference pattern")
    check_digit: CheckDigit = Field(CheckDigit.NONE, title="Check digit")
    minimum: Money = Field(..., ge=Decimal("0.01"), le=Decimal("1000000"), decimal_places=2, title="Minimum")
    maximum: Money = Field(..., ge=Decimal("0.01"), le=Decimal("1000000"), decimal_places=2, title="Maximum")
    cost_centre: str = Field(..., min_length=1, max_length=20, title="Cost centre")
    account_code: str = Field(..., min_length=1, max_length=20, title="Account code")
    public: bool = Field(True, title="Offered to the public")


class AccountIn(StrictIn):
    provider: Provider = Field(..., title="Provider")
    base_url: str = Field("", max_length=200, pattern=r"^(https?://[^\s]+)?$", title="API address")
    api_key: str = Field("", max_length=200, title="API key")  # blank: keep the one held
    webhook_secret: str = Field("", max_length=200, title="Webhook signing secret")


class RefundIn(StrictIn):
    amount: Money = Field(..., gt=Decimal("0"), le=Decimal("1000000"), decimal_places=2, title="Amount")
    reason: str = Field(..., min_length=1, max_length=300, title="Reason")


class RefundDecisionIn(StrictIn):
    action: Literal["approve", "reject"] = Field(..., title="Decision")


class PaymentQuery(Schema):
    fund_id: RecordId | None = Field(None, title="Fund")
    status: PaymentStatus | None = Field(None, title="Status")
    start: Date | None = Field(None, title="From")
    end: Date | None = Field(None, title="To")
    q: str = Field("", max_length=40, title="Reference")


class PaymentFilter(PaymentQuery):
    page: int = Field(1, ge=1, le=100000, title="Page")


class FundOut(Schema):
    id: int
    organisation: str
    code: str
    name: str
    description: str
    reference_label: str
    minimum: Decimal
    maximum: Decimal
    ledger_code: str
    public: bool


class RefundOut(Schema):
    id: int
    amount: Decimal
    reason: str
    status: str
    created_at: dt.datetime


class PaymentOut(Schema):
    id: int
    reference: str
    fund: str = Field(..., alias="fund.name")
    payer_reference: str
    amount: Decimal
    status: str
    provider: str
    provider_id: str
    ledger_code: str = Field(..., alias="fund.ledger_code")
    refunded: Decimal
    created_at: dt.datetime
    finished_at: dt.datetime | None
