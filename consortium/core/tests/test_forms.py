"""The form layer: pages read input with the API's schemas, and every error is worded once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import QueryDict
from pydantic import Field

from consortium.core.errors import ValidationFailed
from consortium.core.forms import read_form, rows_where
from consortium.core.schemas import Date, Pounds, StrictIn


class LineIn(StrictIn):
    description: str = Field(..., min_length=1, max_length=20)
    quantity: int = Field(..., ge=1, le=1000)
    unit_price: Pounds = Field(..., ge=0, decimal_places=2, title="Unit price")


class OrderIn(StrictIn):
    needed_by: Date = Field(..., title="Date needed")
    notes: str = Field("", max_length=10)
    urgent: bool = False
    tags: list[str] = Field(default_factory=list, max_length=3)
    lines: list[LineIn] = Field(default_factory=list)


def errors_of(schema, data, **kwargs):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as e:
        read_form(schema, data, **kwargs)
    return e.value.field_errors


def test_a_flat_post_is_read_as_typed_values_with_blanks_as_not_given():
    post = QueryDict(mutable=True)
    post.update({"needed_by": "5 Jan 2027", "notes": "  ", "urgent": "yes", "csrfmiddlewaretoken": "x"})
    post.setlist("tags", ["a", "", "b"])
    data = read_form(OrderIn, post)
    assert data.needed_by == dt.date(2027, 1, 5) and data.notes == "" and data.urgent is True
    assert data.tags == ["a", "b"]


@pytest.mark.parametrize(
    "typed", ["15/12/2026", "15-12-2026", "2026-12-15", "15 Dec 2026", "15 December 2026"]
)
def test_dates_are_read_as_people_in_the_uk_type_them(typed):
    assert read_form(OrderIn, {"needed_by": typed}).needed_by == dt.date(2026, 12, 15)


def test_the_govuk_date_input_boxes_are_one_date_and_a_missing_box_is_named():
    assert read_form(
        OrderIn, {"needed_by-day": "1", "needed_by-month": "4", "needed_by-year": "2027"}
    ).needed_by == dt.date(2027, 4, 1)
    assert errors_of(OrderIn, {"needed_by-day": "1", "needed_by-month": "4"}) == {
        "needed_by": "Date needed must include a year"
    }
    assert "real date" in errors_of(OrderIn, {"needed_by": "31/02/2027"})["needed_by"]


def test_every_error_is_reported_at_once_in_words_naming_the_field():
    errors = errors_of(OrderIn, {"notes": "far too long a note"})
    assert errors == {
        "needed_by": "Enter date needed",
        "notes": "Notes must be 10 characters or fewer",
    }


def test_rows_are_named_and_each_error_lands_on_its_own_input():
    where = rows_where("lines", [7, 9], lambda i: f"Line {i + 1}", {"unit_price": "price"})
    errors = errors_of(
        OrderIn,
        {
            "needed_by": "1/1/2027",
            "lines": [
                {"description": "Paper", "quantity": "lots", "unit_price": "£4.20"},
                {"description": "", "quantity": "0", "unit_price": "-1"},
            ],
        },
        raw=True,
        where=where,
    )
    assert errors == {
        "quantity_7": "Line 1: Quantity must be a whole number",
        "description_9": "Line 2: Enter description",
        "quantity_9": "Line 2: Quantity must be 1 or more",
        "price_9": "Line 2: Unit price must be 0 or more",
    }


def test_pounds_accept_the_pound_sign_and_thousands_but_not_fractions_of_a_penny():
    line = LineIn.model_validate({"description": "x", "quantity": 1, "unit_price": "£1,250.50"})
    assert line.unit_price == Decimal("1250.50")
    errors = errors_of(LineIn, {"description": "x", "quantity": "1", "unit_price": "1.005"})
    assert errors == {"unit_price": "Unit price must have no more than 2 decimal places"}
