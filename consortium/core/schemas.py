"""Schemas every system's API (and the care CLI) builds on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from consortium.core.dates import parse_date

# A record's id as input: in the range the database can hold, so no input overflows a query.
RecordId = Annotated[int, Field(ge=1, le=2**62)]


class StrictIn(Schema):
    """Input that refuses unknown fields with their name, so a typo is never silently ignored."""

    model_config = ConfigDict(extra="forbid")


def _date_as_typed(value: Any) -> Any:
    # People type 15/12/2026 or 5 Jan 2027; clients send 2026-12-15. Both are one date.
    if isinstance(value, str) and value.startswith("__incomplete__:"):
        # A GOV.UK date input with a box left empty (core.forms joins the three boxes).
        raise PydanticCustomError("date_parsing", f"Date must include a {value.split(':', 1)[1]}")
    if isinstance(value, str) and value.strip():
        try:
            return parse_date(value)
        except ValueError as e:
            raise PydanticCustomError("date_parsing", str(e)) from None
    return value


def _pounds_as_typed(value: Any) -> Any:
    # "£1,250.00" on a page is 1250.00 to a client.
    if isinstance(value, str):
        return value.strip().replace(",", "").removeprefix("£").strip()
    return value


# A date in any form people in the UK type it (ISO 8601 included); format "date" in OpenAPI.
Date = Annotated[dt.date, BeforeValidator(_date_as_typed)]
# Pounds and pence, "£" and thousands separators allowed; a number in OpenAPI.
Pounds = Annotated[Decimal, BeforeValidator(_pounds_as_typed)]
