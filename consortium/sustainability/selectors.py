"""Reads for sustainable procurement, always for an actor: a member sees its own assessment and
the anonymised spread across members; the consortium sees every member's."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from consortium.core.errors import NotFound, PermissionDenied
from consortium.organisations.acting import Actor
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission
from consortium.sustainability.constants import LEVELS, MIN_FOR_SPREAD, Theme
from consortium.sustainability.models import Action, Answer, Assessment, Criterion


def oversees(actor: Actor) -> bool:
    return actor.has(Permission.SUSTAINABILITY_OVERSEE)


def may_see(actor: Actor, member_id: int) -> bool:
    if oversees(actor):
        return True
    return actor.has(Permission.SUSTAINABILITY_ASSESS) and actor.organisation.pk == member_id


def criteria(*, include_retired: bool = False) -> QuerySet[Criterion]:
    qs = Criterion.objects.all()
    return qs if include_retired else qs.filter(retired=False)


@dataclass
class ThemeLevel:
    theme: str
    label: str
    level: int  # 0 to 5: a level counts only when every criterion of it and below is met
    criteria_met: int
    criteria: int
    cells: list[dict[str, Any]] = field(default_factory=list)


def _levels(met: set[int], asked: list[Criterion]) -> list[ThemeLevel]:
    by_cell: dict[tuple[str, int], list[Criterion]] = defaultdict(list)
    for c in asked:
        by_cell[(c.theme, c.level)].append(c)
    out = []
    for theme, label in Theme.choices:
        level, still = 0, True
        cells = []
        for n in LEVELS:
            cell = by_cell.get((theme, n), [])
            done = sum(1 for c in cell if c.pk in met)
            complete = bool(cell) and done == len(cell)
            if still and complete:
                level = n
            else:
                still = False
            cells.append({"level": n, "name": LEVELS[n], "met": done, "of": len(cell), "complete": complete})
        in_theme = [c for c in asked if c.theme == theme]
        out.append(
            ThemeLevel(
                theme=theme,
                label=label,
                level=level,
                criteria_met=sum(1 for c in in_theme if c.pk in met),
                criteria=len(in_theme),
                cells=cells,
            )
        )
    return out


def assessment(actor: Actor, member_id: int, year: int) -> Assessment | None:
    if not may_see(actor, member_id):
        raise PermissionDenied("A member's self-assessment is its own and the consortium's.")
    return Assessment.objects.filter(member_id=member_id, year=year).first()


def answers(actor: Actor, member_id: int, year: int) -> dict[int, Answer]:
    found = assessment(actor, member_id, year)
    return {a.criterion_id: a for a in found.answers.all()} if found else {}


def levels(actor: Actor, member_id: int, year: int) -> list[ThemeLevel]:
    met = {pk for pk, a in answers(actor, member_id, year).items() if a.met}
    return _levels(met, list(criteria()))


def actions(actor: Actor, member_id: int, year: int) -> QuerySet[Action]:
    if not may_see(actor, member_id):
        raise PermissionDenied()
    return Action.objects.filter(assessment__member_id=member_id, assessment__year=year).order_by(
        "due_on", "id"
    )


def history(actor: Actor, member_id: int) -> dict[int, dict[str, int]]:
    """The level reached in each theme, year by year."""
    if not may_see(actor, member_id):
        raise PermissionDenied()
    asked = list(criteria())
    out: dict[int, dict[str, int]] = {}
    for a in Assessment.objects.filter(member_id=member_id).order_by("year"):
        met = set(a.answers.filter(met=True).values_list("criterion_id", flat=True))
        out[a.year] = {t.theme: t.level for t in _levels(met, asked)}
    return out


def spread(actor: Actor, year: int) -> dict[str, Any]:
    """How many members reached each level of each theme in a year. Members see it only when
    enough members assessed themselves that no one member's levels can be told apart."""
    if not (oversees(actor) or actor.has(Permission.SUSTAINABILITY_ASSESS)):
        raise PermissionDenied()
    asked = list(criteria())
    met_by: dict[int, set[int]] = defaultdict(set)
    assessed = list(Assessment.objects.filter(year=year).values_list("pk", flat=True))
    for assessment_id, criterion_id in Answer.objects.filter(
        assessment_id__in=assessed, met=True
    ).values_list("assessment_id", "criterion_id"):
        met_by[assessment_id].add(criterion_id)
    counts = {theme: [0] * 6 for theme, _ in Theme.choices}
    for assessment_id in assessed:
        for t in _levels(met_by[assessment_id], asked):
            counts[t.theme][t.level] += 1
    shown = oversees(actor) or len(assessed) >= MIN_FOR_SPREAD
    return {"year": year, "assessments": len(assessed), "shown": shown, "themes": counts if shown else {}}


def members_levels(actor: Actor, year: int) -> list[dict[str, Any]]:
    """Every member's level per theme (the consortium's view)."""
    if not oversees(actor):
        raise PermissionDenied()
    asked = list(criteria())
    out = []
    for a in Assessment.objects.filter(year=year).select_related("member").order_by("member__name"):
        met = set(a.answers.filter(met=True).values_list("criterion_id", flat=True))
        out.append({"member": a.member.name, "member_id": a.member_id, "levels": _levels(met, asked)})
    return out


def member(actor: Actor, member_id: int) -> Organisation:
    if not may_see(actor, member_id):
        raise PermissionDenied()
    found = Organisation.objects.filter(pk=member_id).first()
    if found is None:
        raise NotFound("There is no such member")
    return found
