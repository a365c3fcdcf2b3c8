"""Service check's reads: which streams an actor may check, a stream's values as an XmR
chart with its signals put into words, and the demand analysis. Every read takes the actor:
each stream says whose cases they may see, and no filter reaches past that."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Avg, Count, QuerySet

from consortium.check import xmr
from consortium.check.constants import MAX_POINTS, Granularity, Measure
from consortium.check.models import Case, Study
from consortium.check.registry import STREAMS
from consortium.check.schemas import StudyParams
from consortium.citizen.constants import FailureType
from consortium.core.dates import LONDON, today_in_london, week_starting
from consortium.core.errors import NotFound, PermissionDenied, ValidationFailed
from consortium.core.streams import Scope, Stream
from consortium.organisations.acting import Actor
from consortium.organisations.models import Organisation

FAILURE_TYPES = dict(FailureType.choices)
POINT_NOUNS = {Granularity.CASE: "cases", Granularity.DAY: "days", Granularity.WEEK: "weeks"}
MAX_SIGNAL_TEXTS = 30


def streams(actor: Actor) -> list[tuple[Stream, Scope]]:
    """The streams this actor may check, with whose cases they see in each."""
    out: list[tuple[Stream, Scope]] = []
    for stream in STREAMS.values():
        scope = stream.scope(actor)
        if scope is not None:
            out.append((stream, scope))
    return out


def stream(actor: Actor, key: str) -> tuple[Stream, Scope]:
    found = STREAMS.get(key)
    if found is None:
        raise NotFound("There is no such stream")
    scope = found.scope(actor)
    if scope is None:
        raise PermissionDenied(f"Checking {found.name.lower()} is not open to your role")
    return found, scope


def may_check(actor: Actor) -> bool:
    return bool(streams(actor))


def scoped_cases(actor: Actor, key: str) -> QuerySet[Case]:
    _, scope = stream(actor, key)
    cases = Case.objects.filter(stream=key)
    if scope == "organisation":
        cases = cases.filter(organisation_id=actor.organisation.pk)
    elif scope == "counterpart":
        cases = cases.filter(counterpart_id=actor.organisation.pk)
    return cases


def check_filters(actor: Actor, key: str, params: StudyParams) -> None:
    """A filter naming an organisation the actor may not see is refused, naming the field."""
    found, scope = stream(actor, key)
    errors: dict[str, str] = {}
    own = actor.organisation.pk
    if params.organisation_id is not None:
        if scope == "organisation" and params.organisation_id != own:
            errors["organisation_id"] = f"You can check only your own organisation's {found.cases}"
        elif not Organisation.objects.filter(pk=params.organisation_id).exists():
            errors["organisation_id"] = "Choose an organisation from the list"
    if params.counterpart_id is not None:
        if not found.counterpart_label:
            errors["counterpart_id"] = f"{found.name} have no supplier to filter by"
        elif scope == "counterpart" and params.counterpart_id != own:
            errors["counterpart_id"] = f"You can check only your own organisation's {found.cases}"
        elif not Organisation.objects.filter(pk=params.counterpart_id).exists():
            errors["counterpart_id"] = "Choose a supplier from the list"
    if params.kind and not found.kind_label:
        errors["kind"] = f"{found.name} have no service or category to filter by"
    if errors:
        raise ValidationFailed("Check the filters", field_errors=errors)


def filtered(actor: Actor, key: str, params: StudyParams) -> QuerySet[Case]:
    check_filters(actor, key, params)
    cases = scoped_cases(actor, key)
    if params.organisation_id is not None:
        cases = cases.filter(organisation_id=params.organisation_id)
    if params.counterpart_id is not None:
        cases = cases.filter(counterpart_id=params.counterpart_id)
    if params.kind:
        cases = cases.filter(kind_key=params.kind)
    if params.date_from:
        cases = cases.filter(ended_on__gte=params.date_from)
    if params.date_to:
        cases = cases.filter(ended_on__lte=params.date_to)
    return cases


def filter_options(actor: Actor, key: str) -> dict[str, list[tuple[str, str]]]:
    """What each filter may be set to: the organisations and kinds the actor's cases hold."""
    found, _ = stream(actor, key)
    cases = scoped_cases(actor, key)
    orgs = dict(Organisation.objects.filter(pk__in=cases.values("organisation_id")).values_list("pk", "name"))
    options: dict[str, list[tuple[str, str]]] = {
        "organisation": sorted(((str(k), v) for k, v in orgs.items()), key=lambda o: o[1])
    }
    if found.counterpart_label:
        cps = Organisation.objects.filter(pk__in=cases.values("counterpart_id")).values_list("pk", "name")
        options["counterpart"] = sorted(((str(k), v) for k, v in cps), key=lambda o: o[1])
    if found.kind_label:
        kinds = cases.values_list("kind_key", "kind_label").distinct().order_by("kind_label")
        options["kind"] = [(k, label or k) for k, label in kinds if k]
    return options


# --- the chart ----------------------------------------------------------------------------


@dataclass
class Point:
    on: dt.date
    value: float
    cases: int
    at: dt.datetime | None = None
    reference: str = ""


@dataclass
class Chart:
    stream: Stream
    params: StudyParams
    points: list[Point]
    analysis: xmr.Analysis
    total: int
    splits: list[dict[str, Any]]
    signals: list[dict[str, Any]] = field(default_factory=list)
    predictability: str = ""
    variation: str = ""
    assurance: str = ""

    @property
    def title(self) -> str:
        return chart_title(self.stream, self.params)

    @property
    def value_label(self) -> str:
        return value_label(self.stream, self.params)

    def segment_rows(self) -> list[dict[str, Any]]:
        rows = []
        reasons = {s["index"]: s["reason"] for s in self.splits if s["index"] is not None}
        for s in self.analysis.segments:
            rows.append(
                {
                    "start": s.start,
                    "end": s.end,
                    "starts_on": self.points[s.start].on,
                    "ends_on": self.points[s.end].on,
                    "centre": s.centre,
                    "mr_centre": s.mr_centre,
                    "unpl": s.unpl,
                    "lnpl": s.lnpl,
                    "lnpl_shown": None if s.lnpl is None else max(s.lnpl, 0.0),
                    "url": s.url,
                    "baseline_end": s.baseline_end,
                    "reason": reasons.get(s.start, ""),
                }
            )
        return rows

    def point_rows(self) -> list[dict[str, Any]]:
        mr = self.analysis.moving_ranges
        flags = self.analysis.flags
        rows = []
        for i, p in enumerate(self.points):
            m = float(mr[i])
            rows.append(
                {
                    "index": i,
                    "on": p.on,
                    "at": p.at,
                    "reference": p.reference,
                    "cases": p.cases,
                    "value": p.value,
                    "moving_range": None if math.isnan(m) else m,
                    "rules": self.analysis.rules_at(i) if flags[i] else [],
                }
            )
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream.key,
            "title": self.title,
            "unit": self.stream.unit,
            "value_label": self.value_label,
            "granularity": self.params.granularity,
            "measure": self.params.measure,
            "median": self.params.median,
            "baseline": self.params.baseline,
            "total": self.total,
            "plotted": len(self.points),
            "points": self.point_rows(),
            "segments": self.segment_rows(),
            "splits": self.splits,
            "signals": self.signals,
            "predictability": self.predictability,
            "target": self.params.target,
            "variation": self.variation,
            "assurance": self.assurance,
        }


def chart_title(found: Stream, params: StudyParams) -> str:
    if params.granularity == Granularity.CASE:
        return f"{found.name}: time from end to end, each {found.case}"
    per = "day" if params.granularity == Granularity.DAY else "week"
    if params.measure == Measure.COUNT:
        return f"{found.name} finished each {per}"
    return f"{found.name}: average time from end to end, each {per}"


def counts_cases(params: StudyParams) -> bool:
    """Whether each value is a number of cases finished (a day's or week's count), not a time."""
    return params.granularity != Granularity.CASE and params.measure == Measure.COUNT


def value_label(found: Stream, params: StudyParams) -> str:
    if counts_cases(params):
        return f"{found.cases.capitalize()} finished"
    return found.unit.capitalize()


def _points(cases: QuerySet[Case], params: StudyParams) -> tuple[list[Point], int]:
    if params.granularity == Granularity.CASE:
        latest = list(
            cases.order_by("-ended_at", "-id").values_list("ended_at", "value", "reference", "ended_on")[
                :MAX_POINTS
            ]
        )
        latest.reverse()
        total = len(latest) if len(latest) < MAX_POINTS else cases.count()
        return [Point(on=on, value=v, cases=1, at=at, reference=ref) for at, v, ref, on in latest], total
    key = "ended_on" if params.granularity == Granularity.DAY else "week"
    grouped = list(cases.order_by().values_list(key).annotate(n=Count("id"), mean=Avg("value")).order_by(key))
    if params.measure == Measure.COUNT and grouped:
        # A day or week when nothing finished is a count of 0, not a gap.
        step = dt.timedelta(days=1 if key == "ended_on" else 7)
        first = grouped[0][0]
        last = grouped[-1][0]
        if params.date_from:
            first = min(first, _aligned(params.date_from, key))
        if params.date_to:
            last = max(last, _aligned(min(params.date_to, today_in_london()), key))
        counts = {g[0]: g[1] for g in grouped}
        days = []
        day = first
        while day <= last:
            days.append(Point(on=day, value=float(counts.get(day, 0)), cases=counts.get(day, 0)))
            day += step
        return days[-MAX_POINTS:], len(days)
    points = [Point(on=g[0], value=float(g[2]), cases=g[1]) for g in grouped]
    return points[-MAX_POINTS:], len(points)


def _aligned(day: dt.date, key: str) -> dt.date:
    return day if key == "ended_on" else week_starting(day)


def split_indices(
    points: list[Point], splits: Sequence[tuple[dt.date, str, int | None]]
) -> list[dict[str, Any]]:
    """Each split starts a new segment at the first value on or after its day; one before the
    first value or after the last cannot (its index is None and the page says so)."""
    out = []
    used: set[int] = set()
    for on, reason, split_id in sorted(splits, key=lambda s: s[0]):
        index = next((i for i, p in enumerate(points) if p.on >= on), None)
        if index is not None and (index == 0 or index in used):
            index = None
        if index is not None:
            used.add(index)
        out.append({"id": split_id, "on": on, "reason": reason, "index": index})
    return out


def chart(
    actor: Actor,
    key: str,
    params: StudyParams,
    splits: Sequence[tuple[dt.date, str, int | None]] | None = None,
) -> Chart:
    found, _ = stream(actor, key)
    points, total = _points(filtered(actor, key, params), params)
    placed = split_indices(points, splits or [])
    analysis = xmr.analyse(
        [p.value for p in points],
        [s["index"] for s in placed if s["index"] is not None],
        median=params.median,
        baseline=params.baseline,
    )
    made = Chart(stream=found, params=params, points=points, analysis=analysis, total=total, splits=placed)
    made.signals = explain(made)
    made.predictability = predictability(made)
    made.variation = variation(made)
    made.assurance = assurance(made)
    return made


def lower_is_better(params: StudyParams) -> bool:
    """Times are better short; a count of cases finished is better high."""
    return not counts_cases(params)


def variation(c: Chart) -> str:
    """As NHS England's Making Data Count names it: common cause only, or special cause — and
    then, from the latest signal's side of the average, improvement or concern."""
    if not c.analysis.segments:
        return ""
    seg = c.analysis.segments[-1]
    flagged = np.flatnonzero(c.analysis.flags[seg.start : seg.end + 1])
    if flagged.size == 0:
        return "Common cause variation only: no signals since the last change"
    latest = seg.start + int(flagged[-1])
    higher = c.points[latest].value > seg.centre
    better = higher != lower_is_better(c.params)
    return f"Special cause variation — {'improvement' if better else 'concern'}: the latest signal is on {_day(c.points[latest].on)}, {'above' if higher else 'below'} the average"


def assurance(c: Chart) -> str:
    """Whether the process as it stands will meet a target: only the limits say so, never one
    month's figure."""
    target = c.params.target
    if target is None or not c.analysis.segments:
        return ""
    seg = c.analysis.segments[-1]
    if seg.unpl is None or seg.lnpl is None:
        return ""
    unit = "" if not lower_is_better(c.params) else c.stream.unit
    shown = _num(target, unit)
    low, high = max(seg.lnpl, 0.0), seg.unpl
    if lower_is_better(c.params):
        if target >= high:
            return f"The process will consistently meet the target of {shown}: the upper limit is below it"
        if target < low:
            return (
                f"The process will consistently miss the target of {shown}: only a change to it will meet it"
            )
    else:
        if target <= low:
            return f"The process will consistently meet the target of {shown}: the lower limit is above it"
        if target > high:
            return (
                f"The process will consistently miss the target of {shown}: only a change to it will meet it"
            )
    return f"The process will hit and miss the target of {shown}: it lies between the limits"


# --- in words -----------------------------------------------------------------------------


def _num(value: float, unit: str = "") -> str:
    text = f"{value:,.1f}".removesuffix(".0")
    return f"{text} {unit}".strip()


def _day(on: dt.date) -> str:
    return f"{on.day} {on:%B %Y}"


def _groups(indices: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def explain(c: Chart) -> list[dict[str, Any]]:
    """Every signal in words a manager can act on, latest first."""
    a = c.analysis
    noun = POINT_NOUNS[Granularity(c.params.granularity)]
    unit = "" if counts_cases(c.params) else c.stream.unit
    when = (lambda i: c.points[i].reference or _day(c.points[i].on)) if noun == "cases" else None
    out: list[dict[str, Any]] = []
    by_rule: dict[int, list[int]] = defaultdict(list)
    for i in a.signal_indices():
        for r in a.rules_at(int(i)):
            by_rule[r].append(int(i))
    for r, indices in by_rule.items():
        for first, last in _groups(indices):
            seg = a.segment_of(first)
            if r == 1:
                for i in range(first, last + 1):
                    v = c.points[i].value
                    above = seg.unpl is not None and v > seg.unpl
                    limit = seg.unpl if above else seg.lnpl
                    label = when(i) if when else _day(c.points[i].on)
                    out.append(
                        {
                            "rule": 1,
                            "first": i,
                            "last": i,
                            "text": f"{label}: {_num(v, unit)}, {'above the upper' if above else 'below the lower'}"
                            f" limit of {_num(limit or 0.0, unit)}",
                        }
                    )
                continue
            span = last - first + 1
            values = a.values[first : last + 1]
            above = float(values.mean()) > seg.centre
            since = _day(c.points[first].on)
            if r == 2:
                text = (
                    f"{span} {noun} from {since} mostly closer to the {'upper' if above else 'lower'} limit "
                    f"than to the average (3 of 4 in a row)"
                )
            elif r == 3:
                text = f"{span} {noun} in a row {'above' if above else 'below'} the average since {since}"
            else:
                i = first
                prev = c.points[i - 1]
                text = (
                    f"A jump of {_num(float(a.moving_ranges[i]), unit)} from {_day(prev.on)} to "
                    f"{_day(c.points[i].on)}, more than the upper range limit of {_num(seg.url or 0.0, unit)}"
                )
                if span > 1:
                    text += f" ({span} such jumps in a row)"
            out.append({"rule": r, "first": first, "last": last, "text": text})
    out.sort(key=lambda s: (-s["last"], s["rule"]))
    if len(out) > MAX_SIGNAL_TEXTS:
        more = len(out) - MAX_SIGNAL_TEXTS
        out = out[:MAX_SIGNAL_TEXTS]
        out.append(
            {"rule": 0, "first": 0, "last": 0, "text": f"and {more} more signals earlier on the chart"}
        )
    return out


def predictability(c: Chart) -> str:
    """What the latest segment says to expect, while the process stays as it is."""
    if not c.analysis.segments:
        return f"No {c.stream.cases} finished in this period."
    seg = c.analysis.segments[-1]
    if seg.unpl is None or seg.lnpl is None:
        return "One value is not enough to say what to expect: widen the period."
    whole = c.stream.unit in ("working days", "days") or counts_cases(c.params)
    low = max(seg.lnpl, 0.0)
    low_text, high_text = (
        (str(math.floor(low)), str(math.ceil(seg.unpl))) if whole else (_num(low), _num(seg.unpl))
    )
    since = f" (since {_day(c.points[seg.start].on)})" if len(c.analysis.segments) > 1 else ""
    if c.params.granularity == Granularity.CASE:
        text = f"A {c.stream.case} takes between {low_text} and {high_text} {c.stream.unit}"
        text += f", {_num(seg.centre)} on average{since}."
    elif c.params.measure == Measure.COUNT:
        per = "day" if c.params.granularity == Granularity.DAY else "week"
        text = f"Between {low_text} and {high_text} {c.stream.cases} finish each {per}{since}."
    else:
        per = "day" if c.params.granularity == Granularity.DAY else "week"
        text = (
            f"A {per}'s {c.stream.cases} take between {low_text} and {high_text} {c.stream.unit} on average"
            f"{since}."
        )
    flagged = c.analysis.flags[seg.start : seg.end + 1]
    if flagged.any():
        text += " The signals below say the process has not been steady: look for their causes first."
    else:
        text += " No signals: the process is predictable, and only a change to the system will change it."
    return text


# --- demand -------------------------------------------------------------------------------


def demand(actor: Actor, key: str, params: StudyParams) -> dict[str, Any] | None:
    """Value and failure demand for a stream whose system classifies its contacts: by type
    (a Pareto of failure), and the failure share each week as an XmR chart."""
    found, scope = stream(actor, key)
    if found.demand is None:
        return None
    check_filters(actor, key, params)
    today = today_in_london()
    end_day = params.date_to or today
    start_day = params.date_from or (end_day - dt.timedelta(weeks=26))
    start = dt.datetime.combine(start_day, dt.time(), tzinfo=LONDON)
    end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
    own = actor.organisation.pk
    types: Counter[str] = Counter()
    weeks: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    value = failure = 0
    for row in found.demand(start, end):
        if scope == "organisation" and row.organisation_id != own:
            continue
        if params.organisation_id is not None and row.organisation_id != params.organisation_id:
            continue
        if params.kind and row.kind_key != params.kind:
            continue
        day = row.at.astimezone(LONDON).date()
        week = weeks[week_starting(day)]
        week[0] += 1
        if row.demand == "failure":
            failure += 1
            week[1] += 1
            types[row.failure_type or "unclassified"] += 1
        else:
            value += 1
    contacts = value + failure
    by_type = []
    running = 0
    for failure_type, n in sorted(types.items(), key=lambda t: (-t[1], t[0])):
        running += n
        by_type.append(
            {
                "failure_type": failure_type,
                "label": FAILURE_TYPES.get(failure_type, "Not classified"),
                "count": n,
                "percent_of_failure": round(100 * n / failure, 1),
                "cumulative_percent": round(100 * running / failure, 1),
            }
        )
    ordered = sorted(weeks.items())
    percents = [100 * f / n for _, (n, f) in ordered]
    analysis = xmr.analyse(percents)
    week_points = [Point(on=w, value=p, cases=n) for (w, (n, _)), p in zip(ordered, percents, strict=True)]
    weekly = Chart(
        stream=found,
        params=StudyParams.model_validate({"granularity": Granularity.WEEK}),
        points=week_points,
        analysis=analysis,
        total=len(week_points),
        splits=[],
    )
    weekly.signals = explain(weekly)
    return {
        "stream": found.key,
        "date_from": start_day,
        "date_to": end_day,
        "contacts": contacts,
        "value": value,
        "failure": failure,
        "failure_percent": round(100 * failure / contacts, 1) if contacts else 0.0,
        "by_type": by_type,
        "weeks": [
            {
                "week": w,
                "contacts": n,
                "failure": f,
                "failure_percent": round(p, 1),
                "rules": analysis.rules_at(i),
            }
            for i, ((w, (n, f)), p) in enumerate(zip(ordered, percents, strict=True))
        ],
        "segments": weekly.segment_rows(),
        "signals": weekly.signals,
        "chart": weekly,
    }


# --- studies ------------------------------------------------------------------------------


def studies(actor: Actor) -> list[Study]:
    """Studies of the actor's organisation, of streams the actor may check."""
    visible = {s.key for s, _ in streams(actor)}
    return [s for s in Study.objects.filter(organisation=actor.organisation) if s.stream in visible]


def study(actor: Actor, study_id: int) -> Study:
    found = Study.objects.filter(pk=study_id, organisation=actor.organisation).first()
    if found is None:
        raise NotFound("There is no such study")
    stream(actor, found.stream)  # the stream must still be open to them
    return found


def study_params(s: Study) -> StudyParams:
    return StudyParams.model_validate(
        {
            "organisation_id": s.filter_organisation_id,
            "counterpart_id": s.filter_counterpart_id,
            "kind": s.filter_kind or None,
            "date_from": s.date_from,
            "date_to": s.date_to,
            "granularity": s.granularity,
            "measure": s.measure,
            "median": s.median,
            "baseline": s.baseline,
            "target": s.target,
        }
    )


def study_chart(actor: Actor, s: Study) -> Chart:
    splits = [(sp.on, sp.reason, sp.pk) for sp in s.splits.all()]
    return chart(actor, s.stream, study_params(s), splits)


def study_out(s: Study) -> dict[str, Any]:
    params = study_params(s).model_dump(mode="json")
    return {
        "id": s.pk,
        "name": s.name,
        "stream": s.stream,
        "organisation": s.organisation.name,
        "params": params,
        "splits": [{"id": sp.pk, "on": sp.on, "reason": sp.reason, "index": None} for sp in s.splits.all()],
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    }
