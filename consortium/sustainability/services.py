"""Every change to sustainable procurement: a member's answers to the Flexible Framework for a
year (with evidence), its action plan, and the consortium's keeping of the criteria. Each in a
transaction, audited."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from consortium.audit.services import audit_record
from consortium.core.errors import NotFound, PermissionDenied, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission
from consortium.sustainability.models import Action, Answer, Assessment, Criterion
from consortium.sustainability.schemas import ActionIn, AnswersIn, CriterionIn

FRAMEWORK = Path(__file__).resolve().parent / "fixtures" / "flexible_framework.json"


def load_framework() -> int:
    """The framework's criteria from the fixture (with its source), for cells not yet held:
    the consortium's own edits are kept. Returns how many were added."""
    data = json.loads(FRAMEWORK.read_text(encoding="utf-8"))
    added = 0
    for row in data["criteria"]:
        _, created = Criterion.objects.get_or_create(
            theme=row["theme"],
            level=row["level"],
            position=row["position"],
            defaults={"text": row["text"], "source": data["source"]},
        )
        added += created
    return added


def _assessing(actor: Actor) -> None:
    if not actor.has(Permission.SUSTAINABILITY_ASSESS):
        raise PermissionDenied("The self-assessment is kept by the member's own buyers and approvers.")


def _sensible(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationFailed(
            "Choose a financial year", field_errors={"year": "Choose a year from 2000 to 2100"}
        )


def assessment_answer(*, actor: Actor, year: int, data: AnswersIn) -> Assessment:
    """Record which criteria the member meets this year, and the evidence for each."""
    _assessing(actor)
    _sensible(year)
    ids = [a.criterion_id for a in data.answers]
    criteria = {c.pk: c for c in Criterion.objects.filter(pk__in=ids, retired=False)}
    errors = {
        f"answers[{i}].criterion_id": "Choose a criterion of the framework"
        for i, a in enumerate(data.answers)
        if a.criterion_id not in criteria
    }
    errors.update(
        {
            f"answers[{i}].evidence": f"Say what shows “{criteria[a.criterion_id].text}” is met"
            for i, a in enumerate(data.answers)
            if a.criterion_id in criteria and a.met and not a.evidence.strip()
        }
    )
    if errors:
        raise ValidationFailed("Check the answers", field_errors=errors)
    with transaction.atomic():
        assessment, _ = Assessment.objects.get_or_create(member=actor.organisation, year=year)
        for a in data.answers:
            Answer.objects.update_or_create(
                assessment=assessment,
                criterion_id=a.criterion_id,
                defaults={"met": a.met, "evidence": a.evidence.strip(), "answered_by": actor.person},
            )
        audit_record(
            actor=actor,
            action="framework.answer",
            obj=assessment,
            organisation=actor.organisation,
            changes={"year": year, "met": sorted(a.criterion_id for a in data.answers if a.met)},
        )
    return assessment


def action_add(*, actor: Actor, year: int, data: ActionIn) -> Action:
    _assessing(actor)
    _sensible(year)
    with transaction.atomic():
        assessment, _ = Assessment.objects.get_or_create(member=actor.organisation, year=year)
        action = Action.objects.create(
            assessment=assessment,
            theme=data.theme,
            description=data.description.strip(),
            owner=data.owner.strip(),
            due_on=data.due_on,
            status=data.status,
        )
        audit_record(
            actor=actor,
            action="framework.action_add",
            obj=action,
            organisation=actor.organisation,
            changes={"theme": data.theme, "description": action.description, "due_on": str(data.due_on)},
        )
    return action


def action_update(*, actor: Actor, action_id: int, data: ActionIn) -> Action:
    _assessing(actor)
    with transaction.atomic():
        action = (
            Action.objects.select_for_update()
            .filter(pk=action_id, assessment__member=actor.organisation)
            .first()
        )
        if action is None:
            raise NotFound("There is no such action")
        before = {"status": action.status, "due_on": str(action.due_on)}
        action.theme, action.description, action.owner = (
            data.theme,
            data.description.strip(),
            data.owner.strip(),
        )
        action.due_on, action.status = data.due_on, data.status
        action.save()
        audit_record(
            actor=actor,
            action="framework.action_update",
            obj=action,
            organisation=actor.organisation,
            changes={"before": before, "status": data.status, "due_on": str(data.due_on)},
        )
    return action


def criterion_update(*, actor: Actor, criterion_id: int, data: CriterionIn) -> Criterion:
    """The consortium rewords a criterion or stops asking it (past answers keep it)."""
    if not actor.has(Permission.SUSTAINABILITY_OVERSEE):
        raise PermissionDenied("The framework's criteria are kept by the consortium.")
    with transaction.atomic():
        criterion = Criterion.objects.select_for_update().filter(pk=criterion_id).first()
        if criterion is None:
            raise NotFound("There is no such criterion")
        before = {"text": criterion.text, "retired": criterion.retired}
        criterion.text, criterion.retired = data.text.strip(), data.retired
        criterion.save()
        audit_record(
            actor=actor,
            action="framework.criterion_update",
            obj=criterion,
            organisation=actor.organisation,
            changes={"before": before, "text": criterion.text, "retired": criterion.retired},
        )
    return criterion
