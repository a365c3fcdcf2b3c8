"""Sustainable procurement's inputs and outputs, shared by the API and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from consortium.core.schemas import Date, Pounds, RecordId, StrictIn
from consortium.sustainability.constants import ActionStatus, Theme


class AnswerIn(StrictIn):
    criterion_id: RecordId = Field(..., title="Criterion")
    met: bool = Field(False, title="Met")
    evidence: str = Field("", max_length=2000, title="Evidence")


class AnswersIn(StrictIn):
    answers: list[AnswerIn] = Field(..., min_length=1, max_length=100, title="Answers")


class ActionIn(StrictIn):
    theme: Theme = Field(..., title="Theme")
    description: str = Field(..., min_length=1, max_length=500, title="Action")
    owner: str = Field(..., min_length=1, max_length=120, title="Owner")
    due_on: Date = Field(..., title="Due date")
    status: ActionStatus = Field(ActionStatus.PLANNED, title="Status")


class CriterionIn(StrictIn):
    text: str = Field(..., min_length=1, max_length=500, title="Criterion")
    retired: bool = Field(False, title="No longer asked")


class ThemeLevelOut(Schema):
    theme: str
    label: str
    level: int
    criteria_met: int
    criteria: int


class AssessmentOut(Schema):
    member: str
    year: int
    themes: list[ThemeLevelOut]
    actions: list[dict[str, str]]


class SpreadOut(Schema):
    year: int
    assessments: int
    shown: bool
    themes: dict[str, list[int]]  # theme -> members at level 0..5


class ActionOut(Schema):
    id: int
    theme: str
    description: str
    owner: str
    due_on: dt.date
    status: str


class FactorTableIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=200, title="Table name")
    source: str = Field(..., min_length=1, max_length=500, title="Source")
    edition: str = Field(..., min_length=1, max_length=120, title="Edition")
    year: int = Field(..., ge=1990, le=2100, title="Year the factors describe")
    illustrative: bool = Field(False, title="Illustrative (not verified against the source)")


class CarbonRow(Schema):
    label: str
    spend: Decimal
    tonnes: Decimal


class CarbonOut(Schema):
    by: str
    table: str | None
    source: str | None
    edition: str | None
    illustrative: bool
    rows: list[CarbonRow]
    total_tonnes: Decimal
    spend_without_factor: Decimal
    spend_by_supplier_intensity: Decimal
    suppliers_with_own_intensity: list[str]


class FactorOut(Schema):
    category: str
    kg_per_pound: Decimal


class FactorTableOut(Schema):
    name: str
    source: str
    edition: str
    year: int
    version: int
    illustrative: bool
    factors: list[FactorOut]


class LocalAreaIn(StrictIn):
    districts: list[str] = Field(..., min_length=1, max_length=200, title="Postcode districts")


class Lm3In(StrictIn):
    contract_id: RecordId = Field(..., title="Contract")
    year: int = Field(..., ge=2000, le=2100, title="Financial year")
    r2_staff: Pounds = Field(
        ..., ge=Decimal("0"), le=Decimal("1000000000"), decimal_places=2, title="Paid to local staff"
    )
    r2_suppliers: Pounds = Field(
        ..., ge=Decimal("0"), le=Decimal("1000000000"), decimal_places=2, title="Spent with local suppliers"
    )
    r3_amount: Pounds | None = Field(
        None,
        ge=Decimal("0"),
        le=Decimal("1000000000"),
        decimal_places=2,
        title="Re-spent locally by those paid",
    )
    evidence: str = Field(..., min_length=1, max_length=5000, title="Evidence")


class Lm3Out(Schema):
    id: int
    contract: str
    supplier: str
    year: int
    r1: Decimal
    r2: Decimal
    r3: Decimal
    r3_surveyed: bool
    lm3: Decimal | None
    status: str
