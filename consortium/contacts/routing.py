"""The routing decision, as a pure function of the contact's facts and the rules: the first
active rule (in order) whose conditions all hold and whose queue is open at that moment
decides the queue, the priority, the skill asked for and the escalation steps.

Nothing here reads the database: `services` compiles the rules and queues once (they change
rarely) and hands them in, so a decision costs microseconds and can be explained line by
line on the rules page ("what would happen to this contact")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from consortium.contacts.constants import WEEKDAYS, RouteTo


@dataclass(frozen=True)
class QueueHours:
    queue_id: int
    name: str
    partner_id: int
    # weekday ("mon".."sun") -> (opens, closes); a day missing is closed.
    hours: Mapping[str, tuple[dt.time, dt.time]]
    # The bank holidays it closes on (empty when it opens on them).
    holidays: frozenset[dt.date] = frozenset()

    def open_at(self, local: dt.datetime) -> bool:
        if local.date() in self.holidays:
            return False
        span = self.hours.get(WEEKDAYS[local.weekday()])
        return span is not None and span[0] <= local.time() < span[1]


@dataclass(frozen=True)
class RuleSpec:
    rule_id: int
    name: str
    route_to: str = RouteTo.QUEUE
    queue_id: int | None = None
    priority: int = 0
    skill: str = ""
    steps: tuple[tuple[int, int], ...] = ()  # (after seconds, queue id)
    channels: frozenset[str] = frozenset()
    menu: str = ""
    service_id: int | None = None
    area_partner_id: int | None = None
    language: str | None = None  # None: any language; "" English only
    has_open_request: bool | None = None
    priority_at_least: int | None = None
    time_from: dt.time | None = None
    time_to: dt.time | None = None


@dataclass(frozen=True)
class Facts:
    channel: str
    at: dt.datetime  # local time (Europe/London)
    menu: str = ""
    service_id: int | None = None
    # The partner that handles the service (or, without one, defines the area) where the
    # caller's postcode is: from citizen services' routing table.
    area_partner_id: int | None = None
    language: str = ""
    open_request_partner_id: int | None = None
    priority: int = 0


@dataclass(frozen=True)
class Decision:
    queue_id: int | None
    priority: int = 0
    rule_id: int | None = None
    skill: str = ""
    steps: tuple[tuple[int, int], ...] = ()
    trace: tuple[str, ...] = field(default=(), compare=False)

    @property
    def routed(self) -> bool:
        return self.queue_id is not None


def menu_matches(wanted: str, chosen: str) -> bool:
    """A rule for "2" takes "2" and everything under it ("2.1"); not "21"."""
    return chosen == wanted or chosen.startswith(wanted + ".")


def in_window(start: dt.time | None, end: dt.time | None, t: dt.time) -> bool:
    if start is None and end is None:
        return True
    start = start or dt.time(0)
    end = end or dt.time(23, 59, 59, 999999)
    if start <= end:
        return start <= t < end
    return t >= start or t < end  # over midnight: 18:00 to 08:00


def _unmet(rule: RuleSpec, facts: Facts) -> str | None:
    """Why the rule's conditions do not hold, or None when they do."""
    if rule.channels and facts.channel not in rule.channels:
        return "the channel differs"
    if rule.menu and not menu_matches(rule.menu, facts.menu):
        return f"the menu choice is not {rule.menu}"
    if rule.service_id is not None and facts.service_id != rule.service_id:
        return "the service differs"
    if rule.area_partner_id is not None and facts.area_partner_id != rule.area_partner_id:
        return "the caller's area is handled by another partner"
    if rule.language is not None and facts.language != rule.language:
        return "the language differs"
    if (
        rule.has_open_request is not None
        and (facts.open_request_partner_id is not None) != rule.has_open_request
    ):
        return "the caller has an open request" if rule.has_open_request is False else "no open request"
    if rule.priority_at_least is not None and facts.priority < rule.priority_at_least:
        return f"priority is below {rule.priority_at_least}"
    if not in_window(rule.time_from, rule.time_to, facts.at.time()):
        return "outside the rule's hours"
    return None


def _target(rule: RuleSpec, facts: Facts, main_queues: Mapping[int, int]) -> int | None:
    if rule.route_to == RouteTo.REQUEST_PARTNER:
        return main_queues.get(facts.open_request_partner_id) if facts.open_request_partner_id else None
    if rule.route_to == RouteTo.AREA_PARTNER:
        return main_queues.get(facts.area_partner_id) if facts.area_partner_id else None
    return rule.queue_id


def decide(
    facts: Facts,
    rules: Sequence[RuleSpec],
    queues: Mapping[int, QueueHours],
    main_queues: Mapping[int, int],
    *,
    explain: bool = False,
) -> Decision:
    """The first rule that holds and whose queue is open. `main_queues`: partner id -> the
    partner's main queue. With `explain`, the trace says what each rule made of the contact."""
    trace: list[str] = []
    for rule in rules:
        why = _unmet(rule, facts)
        if why is None:
            queue_id = _target(rule, facts, main_queues)
            queue = queues.get(queue_id) if queue_id is not None else None
            if queue is None:
                why = "the partner it names has no main queue"
            elif not queue.open_at(facts.at):
                why = f"{queue.name} is closed then"
            else:
                if explain:
                    trace.append(f"{rule.name}: applies → {queue.name}, priority {rule.priority}")
                return Decision(
                    queue.queue_id, rule.priority, rule.rule_id, rule.skill, rule.steps, tuple(trace)
                )
        if explain:
            trace.append(f"{rule.name}: skipped, {why}")
    if explain:
        trace.append("No rule applies: the platform plays its closed or not-routed message")
    return Decision(None, trace=tuple(trace))


def escalation_loops(rules: Sequence[RuleSpec]) -> list[str]:
    """Steps that lead back to where the contact started (its own queue, or a queue already
    added): each is a loop that widens nothing and hides a mistake."""
    problems: list[str] = []
    for rule in rules:
        seen: set[int] = {rule.queue_id} if rule.queue_id is not None else set()
        last = -1
        for after, queue_id in rule.steps:
            if after <= last:
                problems.append(f"{rule.name}: each step must wait longer than the one before")
            last = after
            if queue_id in seen:
                problems.append(f"{rule.name}: a step after {after} s goes back to a queue it is already in")
            seen.add(queue_id)
    return problems
