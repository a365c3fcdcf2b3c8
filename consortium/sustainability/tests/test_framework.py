"""The Flexible Framework self-assessment: a level counts only when it and every level below are
met with evidence; a member sees its own and an anonymised spread; the consortium keeps the
criteria and sees everyone."""

from __future__ import annotations

import pytest

from consortium.audit.models import AuditEvent
from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.sustainability import selectors, services
from consortium.sustainability.models import Criterion
from consortium.sustainability.schemas import ActionIn, AnswersIn, CriterionIn

pytestmark = pytest.mark.django_db


def meet(actor, year, theme, up_to, *, skip=()):  # type: ignore[no-untyped-def]
    rows = [
        {"criterion_id": c.pk, "met": c.level <= up_to and c.pk not in skip, "evidence": "Board minute"}
        for c in Criterion.objects.filter(theme=theme)
    ]
    return services.assessment_answer(
        actor=actor, year=year, data=AnswersIn.model_validate({"answers": rows})
    )


def level(actor, theme, year=2026):  # type: ignore[no-untyped-def]
    return {t.theme: t.level for t in selectors.levels(actor, actor.organisation.pk, year)}[theme]


def test_the_framework_is_loaded_with_its_source() -> None:
    assert Criterion.objects.count() == 67
    assert set(Criterion.objects.values_list("level", flat=True)) == {1, 2, 3, 4, 5}
    assert all("Flexible Framework" in c.source for c in Criterion.objects.all())


def test_a_level_counts_only_when_it_and_every_level_below_are_met(world) -> None:  # type: ignore[no-untyped-def]
    buyer = world.actor(Role.MEMBER_BUYER)
    meet(buyer, 2026, "people", 3)
    assert level(buyer, "people") == 3
    one_at_level_2 = Criterion.objects.filter(theme="people", level=2).first()
    assert one_at_level_2 is not None
    meet(buyer, 2026, "people", 5, skip=(one_at_level_2.pk,))
    assert level(buyer, "people") == 1  # levels 3 to 5 met, but not all of 2
    assert level(buyer, "policy") == 0
    assert AuditEvent.objects.filter(action="framework.answer").count() == 2


def test_a_met_criterion_needs_evidence_and_nothing_is_half_saved(world) -> None:  # type: ignore[no-untyped-def]
    buyer = world.actor(Role.MEMBER_BUYER)
    c1, c2 = Criterion.objects.filter(theme="people", level=1)[:2]
    with pytest.raises(ValidationFailed) as e:
        services.assessment_answer(
            actor=buyer,
            year=2026,
            data=AnswersIn.model_validate(
                {
                    "answers": [
                        {"criterion_id": c1.pk, "met": True, "evidence": "HR record"},
                        {"criterion_id": c2.pk, "met": True},
                    ]
                }
            ),
        )
    assert list(e.value.field_errors) == ["answers[1].evidence"]
    assert selectors.answers(buyer, world.member.pk, 2026) == {}


def test_a_member_sees_its_own_and_the_spread_only_when_no_one_can_be_told_apart(world) -> None:  # type: ignore[no-untyped-def]
    buyer = world.actor(Role.MEMBER_BUYER)
    outsider = Actor(
        person=world.outsider, organisation=world.other_member, roles=frozenset({Role.MEMBER_BUYER})
    )
    meet(buyer, 2026, "process", 2)
    with pytest.raises(PermissionDenied):
        selectors.levels(outsider, world.member.pk, 2026)
    with pytest.raises(PermissionDenied):
        selectors.levels(world.actor(Role.SUPPLIER_USER), world.member.pk, 2026)
    meet(outsider, 2026, "process", 4)
    assert selectors.spread(buyer, 2026) == {"year": 2026, "assessments": 2, "shown": False, "themes": {}}
    commissioner = world.actor(Role.COMMISSIONER)  # not an assessor: commissioners commission care
    with pytest.raises(PermissionDenied):
        services.assessment_answer(
            actor=commissioner, year=2026, data=AnswersIn.model_validate({"answers": [{"criterion_id": 1}]})
        )
    cm = world.actor(Role.CATEGORY_MANAGER)
    spread = selectors.spread(cm, 2026)
    assert spread["shown"] and spread["themes"]["process"] == [0, 0, 1, 0, 1, 0]
    assert [m["member"] for m in selectors.members_levels(cm, 2026)] == [
        "Moorside Primary School",
        "Tamworth Borough Council",
    ]


def test_the_consortium_keeps_the_criteria_and_members_keep_their_action_plans(world) -> None:  # type: ignore[no-untyped-def]
    buyer, cm = world.actor(Role.MEMBER_BUYER), world.actor(Role.CATEGORY_MANAGER)
    c = Criterion.objects.filter(theme="measurement", level=1).get()
    with pytest.raises(PermissionDenied):
        services.criterion_update(
            actor=buyer, criterion_id=c.pk, data=CriterionIn.model_validate({"text": "Mine"})
        )
    services.criterion_update(
        actor=cm,
        criterion_id=c.pk,
        data=CriterionIn.model_validate({"text": "Impacts known", "retired": True}),
    )
    assert not selectors.criteria().filter(pk=c.pk).exists()
    action = services.action_add(
        actor=buyer,
        year=2026,
        data=ActionIn.model_validate(
            {"theme": "people", "description": "Train all buyers", "owner": "HR", "due_on": "31/3/2027"}
        ),
    )
    outsider = Actor(
        person=world.outsider, organisation=world.other_member, roles=frozenset({Role.MEMBER_BUYER})
    )
    with pytest.raises(Exception, match="no such action"):
        services.action_update(
            actor=outsider,
            action_id=action.pk,
            data=ActionIn.model_validate(
                {
                    "theme": "people",
                    "description": "x",
                    "owner": "x",
                    "due_on": "2027-01-01",
                    "status": "done",
                }
            ),
        )
    assert [a.description for a in selectors.actions(buyer, world.member.pk, 2026)] == ["Train all buyers"]
