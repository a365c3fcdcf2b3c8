import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from consortium.care.constants import AccommodationType, Element, Grade
from consortium.core.schemas import Date, Pounds, StrictIn

Money = Decimal


class CareLevelOut(Schema):
    rank: int
    name: str
    description: str


class CareHomeOut(Schema):
    id: int
    name: str
    provider_id: int
    provider_name: str = Field(..., alias="provider.name")
    town: str
    postcode: str


class CareHomeIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=200)
    town: str = Field("", max_length=100)
    postcode: str = Field("", max_length=10)


class MenuItemSchema(StrictIn):
    element: Element
    unit_price: Pounds = Field(
        ..., ge=0, lt=100000, decimal_places=2, description="£ per the element's unit", title="Price"
    )
    ratio: int | None = Field(None, ge=1, le=20, description="Priced at 1 carer to this many clients")
    grade: Grade | None = None


class PriceMenuIn(StrictIn):
    """Home Fees in the common template's JSON form."""

    home_id: int = Field(..., ge=1, le=2**62)
    highest_level: str = Field(..., max_length=50, description="A care level name, e.g. High")
    effective_from: Date
    items: list[MenuItemSchema] = Field(..., min_length=1, max_length=100)


class MenuPageIn(StrictIn):
    """The price menu page: PriceMenuIn with the home named (an existing one or a new one)."""

    home_name: str = Field(..., min_length=1, max_length=200, title="the home's name")
    highest_level: str = Field(..., max_length=50, title="the highest level of care")
    effective_from: Date = Field(..., title="the date prices take effect")
    items: list[MenuItemSchema] = Field(
        ..., min_length=1, max_length=100, title="a price for at least one element"
    )


class PriceMenuOut(Schema):
    id: int
    home_id: int
    home_name: str = Field(..., alias="home.name")
    provider_name: str = Field(..., alias="home.provider.name")
    highest_level: str = Field(..., alias="highest_level.name")
    effective_from: dt.date
    effective_to: dt.date | None


class PriceMenuDetailOut(PriceMenuOut):
    items: list[MenuItemSchema]

    @staticmethod
    def resolve_items(obj: object) -> list[dict[str, object]]:
        return [
            {"element": i.element, "unit_price": i.unit_price, "ratio": i.ratio, "grade": i.grade or None}
            for i in obj.items.all()  # type: ignore[attr-defined]
        ]


class ImportResultOut(Schema):
    menu_id: int
    home_id: int
    items: int


class NeedsIn(StrictIn):
    """About Client in the common template's JSON form. Quantities are per week."""

    client_reference: str = Field(
        ...,
        min_length=1,
        max_length=40,
        description="A reference, never a name",
        title="the client's reference",
    )
    level: str = Field(
        ..., max_length=50, description="A care level name, e.g. Moderate", title="the level of care"
    )
    weekly_budget: Pounds | None = Field(None, ge=0, le=100000, decimal_places=2, title="Weekly budget")
    accommodation_type: AccommodationType | None = None
    supplements: Decimal = Field(Decimal(0), ge=0, le=20, decimal_places=2)
    daytime_hours: Decimal = Field(Decimal(0), ge=0, le=105, decimal_places=2)
    daytime_ratio: int | None = Field(None, ge=1, le=20)
    night_sleeping_nights: Decimal = Field(Decimal(0), ge=0, le=7, decimal_places=2)
    night_sleeping_ratio: int | None = Field(None, ge=1, le=20)
    night_waking_nights: Decimal = Field(Decimal(0), ge=0, le=7, decimal_places=2)
    night_waking_ratio: int | None = Field(None, ge=1, le=20)
    one_to_one_hours: Decimal = Field(Decimal(0), ge=0, le=168, decimal_places=2)
    one_to_one_day_shifts: Decimal = Field(Decimal(0), ge=0, le=7, decimal_places=2)
    one_to_one_night_shifts: Decimal = Field(Decimal(0), ge=0, le=7, decimal_places=2)
    one_to_one_grade: Grade = Grade.DOMICILIARY
    specialist_hours: Decimal = Field(Decimal(0), ge=0, le=168, decimal_places=2)
    life_skills_hours: Decimal = Field(Decimal(0), ge=0, le=168, decimal_places=2)
    transition_weeks: int = Field(0, ge=0, le=52)
    transition_hours: Decimal = Field(Decimal(0), ge=0, le=168, decimal_places=2)


class AssessmentOut(Schema):
    id: int
    council_id: int
    client_reference: str
    level: str = Field(..., alias="level.name")
    weekly_budget: Decimal | None
    accommodation_type: str
    supplements: Decimal
    daytime_hours: Decimal
    daytime_ratio: int | None
    night_sleeping_nights: Decimal
    night_sleeping_ratio: int | None
    night_waking_nights: Decimal
    night_waking_ratio: int | None
    one_to_one_hours: Decimal
    one_to_one_day_shifts: Decimal
    one_to_one_night_shifts: Decimal
    one_to_one_grade: str
    specialist_hours: Decimal
    life_skills_hours: Decimal
    transition_weeks: int
    transition_hours: Decimal
    created_at: dt.datetime


class BenchmarkOut(Schema):
    element: str
    ratio: int | None
    grade: str
    population: str
    providers: int
    shown: bool
    count: int | None = None
    minimum: Decimal | None = None
    lower_quartile: Decimal | None = None
    median: Decimal | None = None
    upper_quartile: Decimal | None = None
    maximum: Decimal | None = None


class QuoteLineOut(Schema):
    element: str
    quantity: Decimal
    quoted_unit_price: Decimal
    unit_price: Decimal
    quoted_ratio: int | None
    needed_ratio: int | None
    grade: str | None
    is_estimate: bool
    total: Decimal
    benchmark_minimum: Decimal | None
    benchmark_median: Decimal | None
    benchmark_maximum: Decimal | None
    position: str
    above_upper_quartile: bool
    saving_at_median: Decimal


class QuoteOut(Schema):
    menu_id: int
    home_name: str
    provider_name: str
    offered: bool
    reason: str
    complete: bool
    missing: list[str]
    has_estimates: bool
    total: Decimal
    budget_status: str
    flagged_saving: Decimal
    lines: list[QuoteLineOut]


class NegotiationIn(StrictIn):
    assessment_id: int = Field(..., ge=1, le=2**62)
    menu_id: int = Field(..., ge=1, le=2**62)


class NegotiationLineOut(Schema):
    id: int
    element: str
    ratio: int | None
    grade: str
    quantity: Decimal
    quoted_unit_price: Decimal
    quoted_total: Decimal
    is_estimate: bool
    agreed_unit_price: Decimal
    agreed_quantity: Decimal
    agreed_total: Decimal
    note: str


class NegotiationOut(Schema):
    id: int
    assessment_id: int
    menu_id: int
    home_name: str = Field(..., alias="menu.home.name")
    status: str
    quoted_total: Decimal
    agreed_total: Decimal
    weekly_saving: Decimal
    lines: list[NegotiationLineOut]


class AgreedLineIn(StrictIn):
    line_id: int = Field(..., ge=1, le=2**62)
    agreed_unit_price: Pounds = Field(..., ge=0, lt=100000, decimal_places=4, title="Agreed unit price")
    agreed_quantity: Decimal = Field(..., ge=0, le=168, decimal_places=2, title="Agreed quantity")
    note: str = Field("", max_length=300)


class AgreedIn(StrictIn):
    lines: list[AgreedLineIn] = Field(..., min_length=1, max_length=100)


class PlacementIn(StrictIn):
    start_date: Date = Field(..., title="Placement start date")


class PlacementOut(Schema):
    id: int
    negotiation_id: int
    council_id: int
    home_name: str = Field(..., alias="home.name")
    provider_name: str = Field(..., alias="home.provider.name")
    client_reference: str = Field(..., alias="negotiation.assessment.client_reference")
    start_date: dt.date
    weekly_cost: Decimal
    weekly_saving: Decimal
    annual_saving: Decimal


class CouncilReportOut(Schema):
    council_id: int
    council_name: str
    placements: int
    weekly_spend: Decimal
    weekly_saving: Decimal
    annual_saving: Decimal
