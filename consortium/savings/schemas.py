"""Savings' and cost sharing's inputs and outputs, shared by the API and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator

from consortium.core.schemas import Date, Pounds, RecordId, StrictIn
from consortium.organisations.constants import OrganisationKind
from consortium.savings import years
from consortium.savings.constants import (
    METHOD_FORMULAS,
    Category,
    Key,
    Method,
    RebateStatus,
    Recurrence,
    Source,
)

Year = int  # a financial year, named by the year it starts in


class SavingIn(StrictIn):
    """A saving typed by a person: for one member, or split equally among several."""

    members: list[RecordId] = Field(..., min_length=1, max_length=200, title="Member")
    title: str = Field(..., min_length=1, max_length=200, title="What was saved")
    category: Category = Field(..., title="Category")
    source: Literal["project", "manual"] = Field("manual", title="Source")
    method: Method = Field(..., title="Method")
    cashable: bool = Field(True, title="Cashable")
    recurrence: Recurrence = Field(Recurrence.ONE_OFF, title="One-off or recurring")
    amount: Pounds = Field(..., gt=Decimal("0"), le=Decimal("100000000"), decimal_places=2, title="Amount")
    starts_on: Date = Field(..., title="Date")
    months: int = Field(12, ge=1, le=120, title="Months it counts")
    baseline: str = Field("", max_length=300, title="Measured against")
    notes: str = Field("", max_length=5000, title="Notes")
    corrects_id: RecordId | None = Field(None, title="Corrects")

    @field_validator("starts_on")
    @classmethod
    def _sensible_date(cls, value: dt.date) -> dt.date:
        if not dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31):
            raise ValueError("Date must be between 2000 and 2100")
        return value


class SavingDecisionIn(StrictIn):
    action: Literal["validate", "reject", "withdraw", "report"] = Field(..., title="Action")
    note: str = Field("", max_length=500, title="Note")


class SavingQuery(Schema):
    member_id: RecordId | None = None
    status: str | None = Field(None, max_length=20)
    source: Source | None = None
    year: int | None = Field(None, ge=2000, le=2100)


class SavingOut(Schema):
    id: int
    reference: str
    member: str
    member_id: int
    title: str
    category: str
    source: str
    method: str
    method_formula: str
    cashable: bool
    recurrence: str
    amount: Decimal
    starts_on: dt.date
    months: int
    total: Decimal
    baseline: str
    status: str
    corrects: str | None
    superseded_by: str | None
    years: dict[str, Decimal]

    # Read from a Saving (lists hand ninja the page of the queryset, not built dicts).
    @staticmethod
    def resolve_member(obj: Any) -> str:
        return obj["member"] if isinstance(obj, dict) else str(obj.member.name)

    @staticmethod
    def resolve_method_formula(obj: Any) -> str:
        return obj["method_formula"] if isinstance(obj, dict) else METHOD_FORMULAS.get(obj.method, "")

    @staticmethod
    def resolve_corrects(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj["corrects"]  # type: ignore[no-any-return]
        return obj.corrects.reference if obj.corrects_id else None

    @staticmethod
    def resolve_superseded_by(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj["superseded_by"]  # type: ignore[no-any-return]
        return obj.superseded_by.reference if obj.superseded_by_id else None

    @staticmethod
    def resolve_years(obj: Any) -> dict[str, Decimal]:
        if isinstance(obj, dict):
            return obj["years"]  # type: ignore[no-any-return]
        return {years.label(y.year): y.amount for y in sorted(obj.years.all(), key=lambda y: y.year)}


class ReportRow(Schema):
    label: str
    validated: Decimal
    cashable: Decimal
    non_cashable: Decimal
    proposed: Decimal
    entries: int


class ReportOut(Schema):
    group_by: str
    year: int | None
    rows: list[ReportRow]
    total: Decimal


class BudgetLineIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=120, title="Budget line")
    amount: Pounds = Field(..., ge=Decimal("0"), le=Decimal("100000000"), decimal_places=2, title="Amount")


class BudgetIn(StrictIn):
    year: int = Field(..., ge=2000, le=2100, title="Financial year")
    lines: list[BudgetLineIn] = Field(..., min_length=1, max_length=50, title="Budget lines")
    notes: str = Field("", max_length=2000, title="Notes")


class MemberFigureIn(StrictIn):
    member_id: RecordId = Field(..., title="Member")
    key: Literal["population", "pupils"] = Field(..., title="Figure")
    year: int = Field(..., ge=2000, le=2100, title="Year")
    value: Pounds = Field(..., ge=Decimal("0"), le=Decimal("100000000"), decimal_places=2, title="Value")
    source: str = Field(..., min_length=1, max_length=300, title="Source")


class LimitIn(StrictIn):
    floor: Pounds | None = Field(
        None, ge=Decimal("0"), le=Decimal("100000000"), decimal_places=2, title="Floor"
    )
    cap: Pounds | None = Field(None, ge=Decimal("0"), le=Decimal("100000000"), decimal_places=2, title="Cap")


class ScenarioIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=120, title="Scenario name")
    weights: dict[Key, Decimal] = Field(..., min_length=1, max_length=6, title="Weights")
    limits: dict[OrganisationKind, LimitIn] = Field(default_factory=dict, max_length=20, title="Limits")

    @field_validator("weights")
    @classmethod
    def _weights(cls, value: dict[Key, Decimal]) -> dict[Key, Decimal]:
        for key, weight in value.items():
            if not (0 <= weight <= 100) or weight != weight.quantize(Decimal("0.01")):
                raise ValueError(f"The weight for {Key(key).label.lower()} must be between 0 and 100%")
        if sum(value.values(), Decimal(0)) != 100:
            raise ValueError("The weights must add up to 100%")
        return value


class ApproveIn(StrictIn):
    reason: str = Field("", max_length=500, title="Reason")


class ShareOut(Schema):
    member_id: int
    member: str
    kind: str
    charge: Decimal
    mixed_percent: Decimal
    limited: str
    figures: dict[str, str]


class ScenarioOut(Schema):
    id: int
    name: str
    year: int
    status: str
    weights: dict[str, Decimal]
    limits: dict[str, dict[str, Decimal | None]]
    total: Decimal
    shares: list[ShareOut]


class NetBenefitOut(Schema):
    member_id: int
    member: str
    year: int
    charge: Decimal | None
    statement_version: int | None
    savings: Decimal
    cashable_savings: Decimal
    rebates: Decimal
    net_benefit: Decimal | None
    return_on_contribution: Decimal | None


class RebateOut(Schema):
    id: int
    supplier: str

    @staticmethod
    def resolve_supplier(obj: Any) -> str:
        return obj["supplier"] if isinstance(obj, dict) else str(obj.supplier.name)

    quarter: str
    spend: Decimal
    due: Decimal
    status: str
    received: Decimal | None
    received_on: dt.date | None
    distributed: bool


class RebateUpdateIn(StrictIn):
    status: RebateStatus = Field(..., title="Status")
    on: Date = Field(..., title="Date")
    received: Pounds | None = Field(
        None, ge=Decimal("0"), le=Decimal("100000000"), decimal_places=2, title="Amount received"
    )
    distribute: bool = Field(True, title="Share it among the members by their spend")
