from __future__ import annotations

import datetime as dt

import pytest

from consortium.core.dates import parse_date


@pytest.mark.parametrize(
    "typed",
    [
        "2026-12-15",
        "15/12/2026",
        "15/12/26",
        "15-12-2026",
        "15.12.2026",
        "15 12 2026",
        "15 Dec 2026",
        "15 December 2026",
        "15th December 2026",
        " 15 dec, 2026 ",
        "2026-12-15 00:00:00",
    ],
)
def test_dates_as_people_type_them(typed):
    assert parse_date(typed) == dt.date(2026, 12, 15)


@pytest.mark.parametrize(
    "typed", ["", "31/02/2026", "12/2026", "next Tuesday", "15 Decembre 2026", "1/1/126"]
)
def test_impossible_dates_get_a_message_to_act_on(typed):
    with pytest.raises(ValueError, match="for example 15/12/2026"):
        parse_date(typed)
