"""The pure routing decision: first rule that holds and whose queue is open; every condition."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from consortium.contacts.routing import (
    Decision,
    Facts,
    QueueHours,
    RuleSpec,
    decide,
    escalation_loops,
    in_window,
    menu_matches,
)
from consortium.core.dates import LONDON

NINE_TO_FIVE = {d: (dt.time(9), dt.time(17)) for d in ("mon", "tue", "wed", "thu", "fri")}
ALWAYS = {d: (dt.time(0), dt.time(23, 59)) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
BOXING_DAY = dt.date(2026, 12, 28)  # the substitute bank holiday in England
QUEUES = {
    1: QueueHours(1, "District", 10, NINE_TO_FIVE, frozenset({BOXING_DAY})),
    2: QueueHours(2, "Switchboard", 20, ALWAYS),
    3: QueueHours(3, "Welsh line", 10, NINE_TO_FIVE),
    4: QueueHours(4, "County", 30, NINE_TO_FIVE),
}
MAIN = {10: 1, 30: 4}
TUESDAY_10AM = dt.datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)


def facts(**values: object) -> Facts:
    base: dict[str, object] = {"channel": "phone", "at": TUESDAY_10AM}
    base.update(values)
    return Facts(**base)  # type: ignore[arg-type]


RULES = (
    RuleSpec(1, "Welsh", queue_id=3, language="cy", priority=2),
    RuleSpec(2, "Open request", route_to="request_partner", has_open_request=True, priority=5),
    RuleSpec(3, "Bins by area", route_to="area_partner", menu="1"),
    RuleSpec(4, "Bins", queue_id=1, menu="1"),
    RuleSpec(5, "Chat", queue_id=2, channels=frozenset({"chat"})),
    RuleSpec(6, "Urgent", queue_id=4, priority_at_least=8, priority=9),
    RuleSpec(7, "Evenings", queue_id=2, time_from=dt.time(17), time_to=dt.time(9)),
    RuleSpec(8, "Everything else", queue_id=1, steps=((30, 2),)),
)


def test_the_first_rule_that_holds_decides():
    assert decide(facts(language="cy"), RULES, QUEUES, MAIN) == Decision(3, 2, 1)
    d = decide(facts(), RULES, QUEUES, MAIN)
    assert d.queue_id == 1 and d.rule_id == 8 and d.steps == ((30, 2),)


def test_an_open_request_goes_to_its_partners_main_queue():
    assert decide(facts(open_request_partner_id=30), RULES, QUEUES, MAIN).queue_id == 4
    # A partner with no main queue: the rule cannot apply and the next one decides.
    assert decide(facts(open_request_partner_id=99), RULES, QUEUES, MAIN).rule_id == 8


def test_the_area_partner_and_menu_choices_below_the_rules():
    assert decide(facts(menu="1.2", area_partner_id=30), RULES, QUEUES, MAIN).queue_id == 4
    assert decide(facts(menu="1", area_partner_id=None), RULES, QUEUES, MAIN).rule_id == 4
    assert decide(facts(menu="12"), RULES, QUEUES, MAIN).rule_id == 8


def test_channel_priority_and_time_of_day():
    assert decide(facts(channel="chat"), RULES, QUEUES, MAIN).queue_id == 2
    assert decide(facts(priority=8), RULES, QUEUES, MAIN).rule_id == 6
    evening = TUESDAY_10AM.replace(hour=19)
    assert decide(facts(at=evening), RULES, QUEUES, MAIN).rule_id == 7


def test_a_closed_queue_passes_the_contact_to_the_next_rule():
    saturday = dt.datetime(2026, 12, 5, 11, 0, tzinfo=LONDON)
    d = decide(facts(at=saturday, menu="1"), RULES, QUEUES, MAIN, explain=True)
    assert d.queue_id is None
    assert any("District is closed then" in line for line in d.trace)
    bank_holiday = dt.datetime.combine(BOXING_DAY, dt.time(10), tzinfo=LONDON)
    assert decide(facts(at=bank_holiday, language="cy"), RULES, QUEUES, MAIN).queue_id == 3
    assert decide(facts(at=bank_holiday), RULES, QUEUES, MAIN).queue_id is None


def test_the_trace_explains_each_rule():
    d = decide(facts(menu="1", area_partner_id=30), RULES, QUEUES, MAIN, explain=True)
    assert d.trace[0] == "Welsh: skipped, the language differs"
    assert d.trace[-1].startswith("Bins by area: applies → County")


def test_menus_and_windows():
    assert menu_matches("2", "2") and menu_matches("2", "2.1") and not menu_matches("2", "21")
    assert in_window(dt.time(17), dt.time(9), dt.time(3)) and not in_window(
        dt.time(17), dt.time(9), dt.time(12)
    )
    assert in_window(None, None, dt.time(12))


def test_escalation_loops_and_order():
    assert escalation_loops([RuleSpec(1, "A", queue_id=1, steps=((30, 2), (60, 1)))]) == [
        "A: a step after 60 s goes back to a queue it is already in"
    ]
    assert escalation_loops([RuleSpec(1, "B", queue_id=1, steps=((60, 2), (30, 3)))])
    assert not escalation_loops([RuleSpec(1, "C", queue_id=1, steps=((30, 2), (60, 3)))])


@given(
    channel=st.sampled_from(["phone", "chat", "email", "face_to_face", "web_form"]),
    menu=st.sampled_from(["", "1", "1.1", "2", "9"]),
    language=st.sampled_from(["", "cy", "bsl"]),
    priority=st.integers(0, 9),
    minute=st.integers(0, 7 * 24 * 60 - 1),
)
def test_a_decision_is_always_an_open_queue_or_none(channel, menu, language, priority, minute):
    at = dt.datetime(2026, 11, 30, tzinfo=LONDON) + dt.timedelta(minutes=minute)
    d = decide(
        facts(channel=channel, menu=menu, language=language, priority=priority, at=at), RULES, QUEUES, MAIN
    )
    assert d.queue_id is None or QUEUES[d.queue_id].open_at(at)
