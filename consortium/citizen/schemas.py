"""What citizen services' pages, JSON API and Open311 accept: each field and limit once."""

from __future__ import annotations

import datetime as dt

from ninja import Field

from consortium.citizen.constants import Datatype, Demand, FailureType
from consortium.core.schemas import Date, StrictIn

CODE = r"^[a-z0-9][a-z0-9_-]*$"


class ChoiceIn(StrictIn):
    key: str = Field(..., min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(..., min_length=1, max_length=200)


class QuestionIn(StrictIn):
    code: str = Field(..., min_length=1, max_length=40, pattern=CODE, title="Question code")
    question: str = Field(..., min_length=1, max_length=300, title="Question")
    datatype: Datatype = Datatype.STRING
    required: bool = False
    order: int = Field(1, ge=1, le=100)
    values: list[ChoiceIn] = Field(default_factory=list, max_length=50)


class ServiceIn(StrictIn):
    code: str = Field(..., min_length=1, max_length=40, pattern=CODE, title="Service code")
    name: str = Field(..., min_length=1, max_length=200, title="Name")
    group: str = Field("", max_length=100, title="Group")
    description: str = Field("", max_length=2000, title="Description")
    keywords: str = Field("", max_length=300, title="Keywords")
    urgent_warning: str = Field("", max_length=300, title="Urgent warning")
    is_public: bool = True
    target_working_days: int = Field(10, ge=1, le=260, title="Target (working days)")
    questions: list[QuestionIn] = Field(default_factory=list, max_length=30)


class RequestIn(StrictIn):
    """A citizen's request as the intake page and the JSON API take it."""

    service_code: str = Field(..., min_length=1, max_length=40, title="Service")
    description: str = Field(..., min_length=1, max_length=4000, title="Description")
    address: str = Field("", max_length=300, title="Address")
    postcode: str = Field("", max_length=10, title="Postcode")
    lat: float | None = Field(None, ge=49, le=61, title="Latitude")
    long: float | None = Field(None, ge=-9, le=3, title="Longitude")
    email: str = Field(..., min_length=3, max_length=254, title="Email address")
    first_name: str = Field("", max_length=100, title="First name")
    last_name: str = Field("", max_length=100, title="Last name")
    phone: str = Field("", max_length=40, title="Phone number")
    attributes: dict[str, str | list[str]] = Field(default_factory=dict, max_length=30)


class UpdateIn(StrictIn):
    """An officer's step on a request: an action from the workflow table and/or words."""

    action: str = Field("", max_length=30, title="Status")
    public_update: str = Field("", max_length=4000, title="Update for the citizen")
    internal_note: str = Field("", max_length=4000, title="Internal note")


class CitizenUpdateIn(StrictIn):
    text: str = Field(..., min_length=1, max_length=4000, title="What you want to add")


class ReclassifyIn(StrictIn):
    demand: Demand
    failure_type: FailureType | None = None


class RerouteIn(StrictIn):
    partner_id: int = Field(..., ge=1, le=2**62, title="Partner")
    reason: str = Field(..., min_length=1, max_length=500, title="Reason")


class AssignIn(StrictIn):
    person_id: int | None = Field(None, ge=1, le=2**62, title="Officer")


class AreaIn(StrictIn):
    code: str = Field(..., min_length=1, max_length=40, pattern=CODE, title="Area code")
    name: str = Field(..., min_length=1, max_length=200, title="Name")
    defined_by_id: int = Field(..., ge=1, le=2**62, title="the partner that defines it")
    postcode_prefixes: list[str] = Field(
        default_factory=list, max_length=500, title="Postcode districts or sectors"
    )


class RoutingRuleIn(StrictIn):
    service_id: int = Field(..., ge=1, le=2**62, title="a service")
    area_id: int | None = Field(None, ge=1, le=2**62, title="Area")
    handled_by_id: int = Field(..., ge=1, le=2**62, title="the partner that handles it")
    valid_from: Date = Field(..., title="Start date")
    valid_to: Date | None = Field(None, title="End date")
    agreement: str = Field("", max_length=200, title="Agreement")


class MergeIn(StrictIn):
    into_reference: str = Field(
        ..., min_length=1, max_length=20, title="Reference of the request it duplicates"
    )


class ServiceLevelIn(StrictIn):
    """The target a handling partner works to for one service: working days, or working
    hours counted within its opening hours."""

    service_id: int = Field(..., ge=1, le=2**62, title="a service")
    target_working_days: int = Field(10, ge=1, le=260, title="Target (working days)")
    target_working_hours: int | None = Field(None, ge=1, le=2000, title="Target (working hours)")
    day_starts: dt.time = Field(dt.time(9), title="Working day starts")
    day_ends: dt.time = Field(dt.time(17), title="Working day ends")
