"""Dates and instants: always timezone-aware, in Europe/London for people."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def now() -> dt.datetime:
    return timezone.now()


def today_in_london() -> dt.date:
    return timezone.now().astimezone(LONDON).date()


def week_starting(day: dt.date) -> dt.date:
    """The Monday of the week a day falls in (weeks run Monday to Sunday)."""
    return day - dt.timedelta(days=day.weekday())


def financial_year(day: dt.date) -> int:
    """The financial year (April to March, as UK public bodies report) a day is in, named by the
    year it starts: 14 Feb 2027 is in 2026."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    """2026 → "2026-27"."""
    return f"{year}-{(year + 1) % 100:02d}"


def current_financial_year() -> int:
    return financial_year(today_in_london())


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def parse_date(text: str | None) -> dt.date:
    """A date as people in the UK type it: 2026-12-15, 15/12/2026, 15-12-26, 15.12.2026,
    "5 Jan 2027", "5 January 2027", "15 12 2026". Day before month, always.

    Raises ValueError with a message a person can act on; callers name the field or cell."""
    import re

    raw = (text or "").strip()
    if not raw:
        raise ValueError("Enter a date, for example 15/12/2026")
    try:
        return (
            dt.date.fromisoformat(raw[:10]) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw[:10]) else _uk_date(raw)
        )
    except ValueError:
        raise ValueError(f"Enter a real date, for example 15/12/2026 (not “{raw[:30]}”)") from None


def _uk_date(raw: str) -> dt.date:
    import re

    parts = [p for p in re.split(r"[\s/.\-,]+", raw.lower()) if p]
    if len(parts) != 3:
        raise ValueError
    day_text, month_text, year_text = parts
    day_text = re.sub(r"(st|nd|rd|th)$", "", day_text)
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text)
    if month is None or not day_text.isdigit() or not year_text.isdigit():
        raise ValueError
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000
    elif len(year_text) != 4:
        raise ValueError
    return dt.date(year, month, int(day_text))


# --- working days ------------------------------------------------------------------------
# UK bank holidays differ by nation: England and Wales share theirs; Scotland and Northern
# Ireland have their own (the `holidays` package's subdivisions ENG, WLS, SCT, NIR).


@functools.cache
def bank_holidays(year: int, nation: str = "ENG") -> frozenset[dt.date]:
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv=nation, years=year).keys())


def is_working_day(day: dt.date, nation: str = "ENG") -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year, nation)


def add_working_days(start: dt.date, n: int, nation: str = "ENG") -> dt.date:
    """The n-th working day after `start` (start itself not counted)."""
    day = start
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_working_day(day, nation):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date, nation: str = "ENG") -> int:
    """Working days after `start` up to and including `end` (0 when end is not after start)."""
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, nation):
            days += 1
    return days


# --- working hours -------------------------------------------------------------------------
# A service level in hours counts only the working day's opening hours (09:00–17:00 unless a
# partner says otherwise) on working days. Opening hours never span the clocks changing (at
# 01:00–02:00), so wall-clock arithmetic within a day is exact.

NINE = dt.time(9)
FIVE = dt.time(17)


def _opening(day: dt.date, starts: dt.time, ends: dt.time) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime.combine(day, starts, tzinfo=LONDON), dt.datetime.combine(day, ends, tzinfo=LONDON)


def add_working_time(
    start: dt.datetime,
    duration: dt.timedelta,
    nation: str = "ENG",
    starts: dt.time = NINE,
    ends: dt.time = FIVE,
) -> dt.datetime:
    """The instant `duration` of working time after `start`: only `starts`–`ends` on working
    days count. Nothing to add leaves `start` where it is."""
    if duration <= dt.timedelta(0):
        return start
    if ends <= starts:
        raise ValueError("A working day must end after it starts")
    remaining = duration
    cursor = start.astimezone(LONDON)
    day = cursor.date()
    while True:
        if is_working_day(day, nation):
            opens, closes = _opening(day, starts, ends)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)
        cursor = dt.datetime.combine(day, dt.time(0), tzinfo=LONDON)


def working_time_between(
    start: dt.datetime,
    end: dt.datetime,
    nation: str = "ENG",
    starts: dt.time = NINE,
    ends: dt.time = FIVE,
) -> dt.timedelta:
    """Working time (opening hours on working days) from `start` to `end`; none if end is
    not after start."""
    total = dt.timedelta(0)
    first, last = start.astimezone(LONDON), end.astimezone(LONDON)
    day = first.date()
    while day <= last.date():
        if is_working_day(day, nation):
            opens, closes = _opening(day, starts, ends)
            begin, finish = max(first, opens), min(last, closes)
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return total
