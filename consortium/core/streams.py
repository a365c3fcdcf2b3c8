"""Streams of cases, as each system declares them for "check" (the check app reads them).

A stream is a kind of case a system handles end to end — a service request, an order, a
procurement — with the event that starts it and the one that ends it, from the customer's
side. Each system says, in its own `streams.py`, how to read its finished cases (one row
each, with the time taken), who may see which, and, where it classifies contacts as value or
failure demand, how to read those. The check app stores the rows, charts them and never
reaches into a system's tables itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class CaseRow:
    """One finished case: when it started and ended, and the time it took in the stream's unit."""

    source_id: int
    reference: str
    started_at: dt.datetime
    ended_at: dt.datetime
    value: float
    organisation_id: int | None  # the partner, member or council whose case it is
    counterpart_id: int | None = None  # the supplier, where there is one
    kind_key: str = ""  # the service, category, care level or fund
    kind_label: str = ""


@dataclass(frozen=True)
class DemandRow:
    """One contact from a customer, classified: value demand, or failure demand of a type."""

    at: dt.datetime
    demand: str  # "value" or "failure"
    failure_type: str  # "" for value demand
    organisation_id: int | None
    kind_key: str = ""


# Whose cases an actor may see in a stream: every organisation's ("all"), those where their
# organisation is the case's organisation or its counterpart, or none at all.
Scope = Literal["all", "organisation", "counterpart"] | None


@dataclass(frozen=True)
class Stream:
    key: str  # "citizen.requests"
    name: str  # "Service requests"
    case: str  # "service request"
    cases: str  # "service requests"
    starts: str  # "the citizen's request is confirmed"
    ends: str  # "the request is closed"
    unit: str  # "working days", "days", "minutes"
    organisation_label: str  # "Partner", "Member", "Council"
    # The models whose saving may finish (or reopen) a case, with the case ids a saved
    # instance touches: the check app listens to them so its figures are live.
    watch: Sequence[tuple[str, Callable[[Any], Iterable[int]]]]
    rows: Callable[[Sequence[int] | None], Iterable[CaseRow]]  # finished cases (all, or these)
    scope: Callable[[Any], Scope]
    counterpart_label: str = ""  # "Supplier"
    kind_label: str = ""  # "Service", "Category"
    demand: Callable[[dt.datetime, dt.datetime], Iterable[DemandRow]] | None = None
    mi_page: str = ""  # the MI page that links to it ("Check this")
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def working_days_taken(started: dt.datetime, ended: dt.datetime) -> float:
    """Working days from one instant to another, counted by their dates in Europe/London: a
    case finished the working day after it started took 1 (England's bank holidays skipped)."""
    from consortium.core.dates import LONDON, working_days_between

    return float(working_days_between(started.astimezone(LONDON).date(), ended.astimezone(LONDON).date()))


def minutes_taken(started: dt.datetime, ended: dt.datetime) -> float:
    return round(max((ended - started).total_seconds(), 0.0) / 60, 2)


def scope_by(
    every: str, own: Sequence[str] = (), as_counterpart: Sequence[str] = ()
) -> Callable[[Any], Scope]:
    """Whose cases an actor sees, from the permissions the system's own pages ask: `every`
    for all organisations', any of `own` for their organisation's, any of `as_counterpart`
    for those where their organisation is the supplier."""

    def scope(actor: Any) -> Scope:
        if actor.has(every):
            return "all"
        if any(actor.has(p) for p in own):
            return "organisation"
        if any(actor.has(p) for p in as_counterpart):
            return "counterpart"
        return None

    return scope
