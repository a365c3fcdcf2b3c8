"""The service-level clock: when a request is due, how a pause moves that on, and what its
closing says about the target. Pure: the level is read elsewhere and passed in.

A target is in working days (due by the end of the n-th working day after confirmation) or,
where the handling partner says so, in working hours (due at an instant, counting only its
opening hours on working days). Working days skip the bank holidays of the handling
partner's nation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from consortium.core.dates import (
    FIVE,
    LONDON,
    NINE,
    add_working_days,
    add_working_time,
    working_days_between,
    working_time_between,
)


@dataclass(frozen=True)
class Level:
    working_days: int
    working_hours: int | None = None
    day_starts: dt.time = NINE
    day_ends: dt.time = FIVE
    nation: str = "ENG"

    def describe(self) -> str:
        if self.working_hours:
            return (
                f"{self.working_hours} working hour{'s' if self.working_hours != 1 else ''} "
                f"({self.day_starts:%H:%M}–{self.day_ends:%H:%M})"
            )
        return f"{self.working_days} working day{'s' if self.working_days != 1 else ''}"


@dataclass(frozen=True)
class Due:
    on: dt.date
    at: dt.datetime | None = None  # only for a target in hours


def due(confirmed_at: dt.datetime, level: Level) -> Due:
    if level.working_hours:
        at = add_working_time(
            confirmed_at,
            dt.timedelta(hours=level.working_hours),
            level.nation,
            level.day_starts,
            level.day_ends,
        )
        return Due(on=at.astimezone(LONDON).date(), at=at)
    return Due(on=add_working_days(confirmed_at.astimezone(LONDON).date(), level.working_days, level.nation))


def resumed(current: Due, paused_at: dt.datetime, resumed_at: dt.datetime, level: Level) -> Due:
    """The due date moved on by the working time the clock stood still."""
    if current.at is not None:
        stood = working_time_between(paused_at, resumed_at, level.nation, level.day_starts, level.day_ends)
        at = add_working_time(current.at, stood, level.nation, level.day_starts, level.day_ends)
        return Due(on=at.astimezone(LONDON).date(), at=at)
    days = working_days_between(
        paused_at.astimezone(LONDON).date(), resumed_at.astimezone(LONDON).date(), level.nation
    )
    return Due(on=add_working_days(current.on, days, level.nation) if days else current.on)


def closing(
    confirmed_at: dt.datetime, closed_at: dt.datetime, current: Due | None, nation: str
) -> tuple[int, bool]:
    """End-to-end working days (as the citizen waited, pauses included) and whether it was
    done within target — fixed when the request closes, so the figures are the same whenever
    they are read."""
    days = working_days_between(
        confirmed_at.astimezone(LONDON).date(), closed_at.astimezone(LONDON).date(), nation
    )
    if current is None:
        return days, True
    if current.at is not None:
        return days, closed_at <= current.at
    return days, closed_at.astimezone(LONDON).date() <= current.on


def is_overdue(current: Due | None, moment: dt.datetime) -> bool:
    if current is None:
        return False
    if current.at is not None:
        return moment > current.at
    return moment.astimezone(LONDON).date() > current.on
