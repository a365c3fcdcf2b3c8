"""Service check's inputs and outputs, shared by the API and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator, model_validator

from consortium.check.constants import MAX_POINTS, Granularity, Measure
from consortium.core.schemas import Date, RecordId, StrictIn


def _sensible(value: dt.date | None) -> dt.date | None:
    if value is not None and not dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31):
        raise ValueError("Date must be between 2000 and 2100")
    return value


class StudyParams(StrictIn):
    """Which cases of a stream, over which period, at what grain: a chart's question."""

    organisation_id: RecordId | None = Field(None, title="Organisation")
    counterpart_id: RecordId | None = Field(None, title="Supplier")
    kind: str | None = Field(None, max_length=40, title="Service or category")
    date_from: Date | None = Field(None, title="From")
    date_to: Date | None = Field(None, title="To")
    granularity: Granularity = Field(Granularity.CASE, title="One value for")
    measure: Measure = Field(Measure.MEAN, title="Measure for each day or week")
    median: bool = Field(False, title="Limits from the median moving range")
    baseline: int | None = Field(None, ge=2, le=MAX_POINTS, title="Limits from the first values")
    target: float | None = Field(None, ge=0, le=1_000_000_000, title="Target")

    @field_validator("date_from", "date_to")
    @classmethod
    def _dates(cls, value: dt.date | None) -> dt.date | None:
        return _sensible(value)

    @model_validator(mode="after")
    def _in_order(self) -> StudyParams:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValueError("To must be on or after From")
        return self


class ChartQuery(StudyParams):
    """A chart asked for without saving a study: the splits are days, without reasons."""

    split: list[Date] = Field(default_factory=list, max_length=50, title="Change on")

    def without_splits(self) -> StudyParams:
        return StudyParams.model_validate(self.model_dump(exclude={"split"}))


class StudyIn(StudyParams):
    name: str = Field(..., min_length=1, max_length=120, title="Name")
    stream: str = Field(..., min_length=1, max_length=40, title="Stream")


class StudyUpdate(StudyParams):
    name: str = Field(..., min_length=1, max_length=120, title="Name")


class SplitIn(StrictIn):
    on: Date = Field(..., title="Date of the change")
    reason: str = Field(..., min_length=1, max_length=300, title="What changed")

    @field_validator("on")
    @classmethod
    def _day(cls, value: dt.date) -> dt.date:
        _sensible(value)
        return value

    @field_validator("reason")
    @classmethod
    def _words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Say what changed")
        return value.strip()


class StreamOut(Schema):
    key: str
    name: str
    case: str
    starts: str
    ends: str
    unit: str
    organisation_label: str
    counterpart_label: str
    kind_label: str
    has_demand: bool
    scope: str
    notes: str


class SegmentOut(Schema):
    start: int
    end: int
    starts_on: dt.date
    ends_on: dt.date
    centre: float
    mr_centre: float | None
    unpl: float | None
    lnpl: float | None
    lnpl_shown: float | None = Field(None, description="The lower limit as drawn: never below 0")
    url: float | None
    baseline_end: int
    reason: str = ""


class PointOut(Schema):
    index: int
    on: dt.date
    at: dt.datetime | None = None
    reference: str = ""
    cases: int
    value: float
    moving_range: float | None
    rules: list[int]


class SignalOut(Schema):
    rule: int
    first: int
    last: int
    text: str


class SplitOut(Schema):
    id: int | None = None
    on: dt.date
    reason: str
    index: int | None = Field(
        None, description="The first value of the new segment; None if outside the chart"
    )


class ChartOut(Schema):
    stream: str
    title: str
    unit: str
    value_label: str
    granularity: Granularity
    measure: Measure
    median: bool
    baseline: int | None
    total: int = Field(..., description="Values in the period; only the latest 5,000 are plotted")
    plotted: int
    points: list[PointOut]
    segments: list[SegmentOut]
    splits: list[SplitOut]
    signals: list[SignalOut]
    predictability: str
    target: float | None
    variation: str = Field(..., description="common cause, or special cause: improvement or concern")
    assurance: str = Field(
        ..., description="Against the target: consistently met, hit and miss, or consistently failed"
    )


class FailureTypeOut(Schema):
    failure_type: str
    label: str
    count: int
    percent_of_failure: float
    cumulative_percent: float


class DemandWeekOut(Schema):
    week: dt.date
    contacts: int
    failure: int
    failure_percent: float
    rules: list[int]


class DemandOut(Schema):
    stream: str
    date_from: dt.date
    date_to: dt.date
    contacts: int
    value: int
    failure: int
    failure_percent: float
    by_type: list[FailureTypeOut]
    weeks: list[DemandWeekOut]
    segments: list[SegmentOut]
    signals: list[SignalOut]


class StudyOut(Schema):
    id: int
    name: str
    stream: str
    organisation: str
    params: dict[str, Any]
    splits: list[SplitOut]
    created_at: dt.datetime
    updated_at: dt.datetime
