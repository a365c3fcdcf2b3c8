"""Procurement timetables: computed from the rules in force, and checked against them.

Pure functions over dates and rule values, so every rule is unit-tested on its own.
"Days" are calendar days; "working days" leave out weekends and bank holidays in
England and Wales (the `holidays` package).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from consortium.core.dates import add_working_days, is_working_day
from consortium.tendering.constants import CLARIFICATION_DAYS_BEFORE_DEADLINE

# Working days, with England and Wales bank holidays, are core's (shared with citizen services).
__all__ = ["add_working_days", "is_working_day"]


@dataclass(frozen=True)
class ProcedureRules:
    """The time limits of one procedure, as read from the rules table."""

    name: str
    min_tender_days: int
    min_tender_days_with_planned_notice: int
    standstill_working_days: int
    citation: str


@dataclass
class Timetable:
    publication: dt.date
    clarification_deadline: dt.date
    tender_deadline: dt.date
    evaluation_ends: dt.date
    award_decision: dt.date
    standstill_ends: dt.date
    contract_start: dt.date


# A planned procurement notice shortens the tendering period only if published
# between 40 days and a year before the tender notice (Procurement Act 2023 s.54(5)).
PLANNED_NOTICE_MIN_DAYS = 40
PLANNED_NOTICE_MAX_DAYS = 365


def term_end(start: dt.date, months: int) -> dt.date:
    """The last day of a contract of whole months from `start`: the day before its anniversary
    (from 7 November 2026 for 36 months, to 6 November 2029; from 31 January for one month, to
    27 February, the day before 28 February)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day) - dt.timedelta(days=1)


def planned_notice_qualifies(planned_notice: dt.date | None, publication: dt.date) -> bool:
    if planned_notice is None:
        return False
    gap = (publication - planned_notice).days
    return PLANNED_NOTICE_MIN_DAYS <= gap <= PLANNED_NOTICE_MAX_DAYS


def minimum_tender_days(rules: ProcedureRules, planned_notice: dt.date | None, publication: dt.date) -> int:
    if planned_notice_qualifies(planned_notice, publication):
        return rules.min_tender_days_with_planned_notice
    return rules.min_tender_days


def earliest_timetable(
    rules: ProcedureRules,
    publication: dt.date,
    *,
    planned_notice: dt.date | None = None,
    evaluation_days: int = 21,
) -> Timetable:
    """The earliest lawful timetable from a publication date, with time for evaluation."""
    deadline = publication + dt.timedelta(days=minimum_tender_days(rules, planned_notice, publication))
    evaluation_ends = deadline + dt.timedelta(days=evaluation_days)
    award = evaluation_ends
    standstill_ends = add_working_days(award, rules.standstill_working_days)
    return Timetable(
        publication=publication,
        clarification_deadline=deadline - dt.timedelta(days=CLARIFICATION_DAYS_BEFORE_DEADLINE),
        tender_deadline=deadline,
        evaluation_ends=evaluation_ends,
        award_decision=award,
        standstill_ends=standstill_ends,
        contract_start=standstill_ends + dt.timedelta(days=1),
    )


def check_timetable(
    rules: ProcedureRules, timetable: Timetable, *, planned_notice: dt.date | None = None
) -> dict[str, str]:
    """Field → message for each date earlier than the rules allow, naming the rule."""
    errors: dict[str, str] = {}
    t = timetable
    days = minimum_tender_days(rules, planned_notice, t.publication)
    earliest_deadline = t.publication + dt.timedelta(days=days)
    if t.tender_deadline < earliest_deadline:
        shortened = (
            " (shortened by a qualifying planned procurement notice)" if days != rules.min_tender_days else ""
        )
        errors["tender_deadline"] = (
            f"The tender deadline must be at least {days} days after publication{shortened}, "
            f"so no earlier than {earliest_deadline:%-d %B %Y}: {rules.citation}, minimum tendering period"
        )
    if not (t.publication <= t.clarification_deadline < t.tender_deadline):
        errors["clarification_deadline"] = (
            "The clarification deadline must fall between publication and the tender deadline"
        )
    elif (t.tender_deadline - t.clarification_deadline).days < CLARIFICATION_DAYS_BEFORE_DEADLINE:
        errors["clarification_deadline"] = (
            f"Close clarifications at least {CLARIFICATION_DAYS_BEFORE_DEADLINE} days before the tender "
            "deadline, so every bidder sees the answers in time (consortium practice)"
        )
    if t.evaluation_ends <= t.tender_deadline:
        errors["evaluation_ends"] = "Evaluation must end after the tender deadline"
    if t.award_decision < t.evaluation_ends:
        errors["award_decision"] = "The award decision cannot come before evaluation ends"
    earliest_standstill_end = add_working_days(t.award_decision, rules.standstill_working_days)
    if t.standstill_ends < earliest_standstill_end:
        errors["standstill_ends"] = (
            f"Standstill must last at least {rules.standstill_working_days} working days after the award "
            f"decision (bank holidays not counted), so end no earlier than {earliest_standstill_end:%-d %B %Y}: "
            f"{rules.citation}, standstill period"
        )
    if t.contract_start <= t.standstill_ends and rules.standstill_working_days:
        errors["contract_start"] = "The contract cannot start until the standstill period has ended"
    elif t.contract_start < t.award_decision:
        errors["contract_start"] = "The contract cannot start before the award decision"
    return errors
