"""Every timetable rule on its own, bank holidays included."""

from __future__ import annotations

import datetime as dt

from consortium.tendering.timetable import (
    ProcedureRules,
    Timetable,
    add_working_days,
    check_timetable,
    earliest_timetable,
    is_working_day,
    minimum_tender_days,
    planned_notice_qualifies,
)

OPEN = ProcedureRules("Open procedure", 25, 10, 8, "Procurement Act 2023 s.54 and s.51")
D = dt.date


def test_weekends_and_english_bank_holidays_are_not_working_days():
    assert is_working_day(D(2026, 12, 24))
    assert not is_working_day(D(2026, 12, 25))  # Christmas Day
    assert not is_working_day(D(2026, 12, 28))  # Boxing Day substitute (26th is a Saturday)
    assert not is_working_day(D(2026, 12, 26))  # Saturday
    assert not is_working_day(D(2027, 1, 1))


def test_eight_working_days_of_standstill_step_over_christmas():
    # Decision on Friday 18 December 2026: 21, 22, 23, 24, 29, 30, 31 December, 4 January.
    assert add_working_days(D(2026, 12, 18), 8) == D(2027, 1, 4)
    # An ordinary fortnight: Monday 2 November → Thursday 12 November.
    assert add_working_days(D(2026, 11, 2), 8) == D(2026, 11, 12)


def test_easter_and_may_bank_holidays_are_counted_out():
    # Good Friday 2027 is 26 March, Easter Monday 29 March.
    assert add_working_days(D(2027, 3, 25), 1) == D(2027, 3, 30)
    # Early May bank holiday 2027: Monday 3 May.
    assert add_working_days(D(2027, 4, 30), 1) == D(2027, 5, 4)


def test_a_planned_procurement_notice_shortens_the_period_only_from_40_days_to_a_year_ahead():
    publication = D(2027, 3, 1)
    assert not planned_notice_qualifies(None, publication)
    assert not planned_notice_qualifies(publication - dt.timedelta(days=39), publication)
    assert planned_notice_qualifies(publication - dt.timedelta(days=40), publication)
    assert planned_notice_qualifies(publication - dt.timedelta(days=365), publication)
    assert not planned_notice_qualifies(publication - dt.timedelta(days=366), publication)
    assert minimum_tender_days(OPEN, publication - dt.timedelta(days=60), publication) == 10
    assert minimum_tender_days(OPEN, None, publication) == 25


def test_the_earliest_timetable_is_lawful():
    t = earliest_timetable(OPEN, D(2026, 12, 1))
    assert t.tender_deadline == D(2026, 12, 26)
    assert check_timetable(OPEN, t) == {}
    assert t.standstill_ends == add_working_days(t.award_decision, 8)
    assert t.contract_start > t.standstill_ends


def _lawful() -> Timetable:
    return earliest_timetable(OPEN, D(2027, 2, 1))


def test_a_tender_deadline_under_25_days_is_refused_naming_the_rule():
    t = _lawful()
    t.tender_deadline = t.publication + dt.timedelta(days=24)
    t.clarification_deadline = t.tender_deadline - dt.timedelta(days=5)
    errors = check_timetable(OPEN, t)
    assert "at least 25 days" in errors["tender_deadline"]
    assert "s.54" in errors["tender_deadline"]


def test_ten_days_are_enough_after_a_qualifying_planned_notice():
    t = _lawful()
    t.tender_deadline = t.publication + dt.timedelta(days=10)
    t.clarification_deadline = t.publication + dt.timedelta(days=4)
    assert "tender_deadline" not in check_timetable(
        OPEN, t, planned_notice=t.publication - dt.timedelta(days=50)
    )
    assert "tender_deadline" in check_timetable(OPEN, t, planned_notice=t.publication - dt.timedelta(days=20))


def test_standstill_shorter_than_eight_working_days_is_refused():
    t = _lawful()
    t.standstill_ends = add_working_days(t.award_decision, 7)
    t.contract_start = t.standstill_ends + dt.timedelta(days=1)
    errors = check_timetable(OPEN, t)
    assert "8 working days" in errors["standstill_ends"] and "s.51" in errors["standstill_ends"]


def test_clarifications_close_before_the_deadline_and_the_contract_starts_after_standstill():
    t = _lawful()
    t.clarification_deadline = t.tender_deadline - dt.timedelta(days=2)
    t.contract_start = t.standstill_ends
    errors = check_timetable(OPEN, t)
    assert "clarification_deadline" in errors and "contract_start" in errors


def test_evaluation_and_award_follow_the_deadline():
    t = _lawful()
    t.evaluation_ends = t.tender_deadline
    t.award_decision = t.tender_deadline - dt.timedelta(days=1)
    errors = check_timetable(OPEN, t)
    assert {"evaluation_ends", "award_decision"} <= errors.keys()
