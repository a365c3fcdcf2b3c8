"""Managing the contract a procurement awarded: milestones, variations (UK10), performance
(UK9 for a contract worth over £5 million) and termination (UK11), each feeding the OCDS
contract and implementation releases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from consortium.audit.services import audit_record
from consortium.core.dates import now, today_in_london
from consortium.core.errors import Conflict, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.tendering import ocds, selectors
from consortium.tendering.models import (
    ContractMilestone,
    ContractVariation,
    PerformanceAssessment,
    Project,
)
from consortium.tendering.services._common import S, _locked, _notice, _require_manager

# A contract worth more than this (including VAT, over its term) publishes its KPI assessments
# as contract performance notices (Procurement Act 2023 s.52 and s.71).
PERFORMANCE_NOTICE_THRESHOLD = Decimal("5000000")


def _managed(actor: Actor, project: Project) -> Project:
    """The awarded procurement, locked, whose contract is still running."""
    _require_manager(actor)
    project = _locked(project)
    if project.status != S.AWARDED or project.awarded_contract is None:
        raise Conflict("Only an awarded procurement's contract is managed here.")
    if project.terminated_on is not None:
        raise Conflict(f"The contract was terminated on {project.terminated_on:%-d %B %Y}.")
    return project


def milestone_add(
    *, actor: Actor, project: Project, title: str, due_on: dt.date, description: str = ""
) -> ContractMilestone:
    if not title.strip():
        raise ValidationFailed("Check the milestone", field_errors={"title": "Give the milestone a title"})
    with transaction.atomic():
        project = _managed(actor, project)
        milestone = ContractMilestone.objects.create(
            project=project,
            number=project.milestones.count() + 1,
            title=title.strip(),
            description=description.strip(),
            due_on=due_on,
        )
        audit_record(
            actor=actor,
            action="procurement.milestone",
            obj=project,
            organisation=project.run_by,
            changes={"milestone": milestone.number, "title": milestone.title, "due_on": str(due_on)},
        )
        ocds.publish(project, "implementation")
    return milestone


def milestone_record(
    *, actor: Actor, project: Project, number: int, met: bool, on: dt.date | None = None
) -> ContractMilestone:
    """Record a milestone met (on a day, not in the future) or not met."""
    day = on or today_in_london()
    if day > today_in_london():
        raise ValidationFailed("Check the milestone", field_errors={"on": "The day cannot be in the future"})
    with transaction.atomic():
        project = _managed(actor, project)
        milestone = project.milestones.select_for_update().filter(number=number).first()
        if milestone is None:
            raise ValidationFailed(
                "Check the milestone", field_errors={"number": f"There is no milestone {number}"}
            )
        milestone.status = ContractMilestone.Status.MET if met else ContractMilestone.Status.NOT_MET
        milestone.met_on = day if met else None
        milestone.save()
        audit_record(
            actor=actor,
            action="procurement.milestone",
            obj=project,
            organisation=project.run_by,
            changes={"milestone": number, "status": milestone.status},
        )
        ocds.publish(project, "implementationUpdate")
    return milestone


def contract_vary(
    *,
    actor: Actor,
    project: Project,
    description: str,
    rationale: str,
    annual_value_change: Decimal = Decimal("0.00"),
    new_end_date: dt.date | None = None,
    lot_number: int = 1,
) -> ContractVariation:
    """Vary the contract: a contract change notice (UK10) and a contractAmendment release; an
    extension moves the contract's end, never beyond the extensions the tender allowed."""
    from consortium.contracts import services as contracts
    from consortium.tendering.timetable import term_end

    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = "Say what changes in the contract"
    if not rationale.strip():
        errors["rationale"] = "Say why, and on what ground the Act allows it"
    with transaction.atomic():
        project = _managed(actor, project)
        contract = project.awarded_contract
        assert contract is not None
        end_before = contract.end_date
        end_after = new_end_date or end_before
        latest = term_end(contract.start_date, project.term_months + project.extension_months)
        if end_after > latest:
            errors["new_end_date"] = (
                f"The tender allowed extensions to {latest:%-d %B %Y}: a longer contract is a new procurement"
            )
        elif end_after < today_in_london():
            errors["new_end_date"] = "The new end cannot be in the past: terminate the contract instead"
        if not project.bids.filter(is_winner=True, lot__number=lot_number).exists():
            errors["lot_number"] = f"No contract was awarded for lot {lot_number}"
        if errors:
            raise ValidationFailed("Check the variation", field_errors=errors)
        variation = ContractVariation.objects.create(
            project=project,
            number=project.variations.count() + 1,
            description=description.strip(),
            rationale=rationale.strip(),
            lot_number=lot_number,
            annual_value_change=annual_value_change,
            end_before=end_before,
            end_after=end_after,
            made_by=actor.person,
            made_at=now(),
        )
        if end_after != end_before:
            contracts.contract_end_date_change(
                actor=actor, contract=contract, end_date=end_after, reason=f"Variation {variation.number}"
            )
        _notice(
            project, "UK10", f"Contract change notice (variation {variation.number}): {contract.reference}"
        )
        audit_record(
            actor=actor,
            action="procurement.vary",
            obj=project,
            organisation=project.run_by,
            changes={
                "variation": variation.number,
                "annual_value_change": str(annual_value_change),
                "end": [str(end_before), str(end_after)],
            },
        )
        ocds.publish(project, "contractAmendment")
    return variation


def performance_assess(
    *, actor: Actor, project: Project, kpi: str, period_end: dt.date, rating: str, notes: str = ""
) -> PerformanceAssessment:
    """Assess a KPI for a period; for a contract worth over £5 million it is published as a
    contract performance notice (UK9)."""
    errors: dict[str, str] = {}
    if not kpi.strip():
        errors["kpi"] = "Name the key performance indicator"
    if rating not in PerformanceAssessment.Rating.values:
        errors["rating"] = "Choose good, approaching target, requires improvement or inadequate"
    if period_end > today_in_london():
        errors["period_end"] = "Assess a period that has ended"
    if errors:
        raise ValidationFailed("Check the assessment", field_errors=errors)
    with transaction.atomic():
        project = _managed(actor, project)
        assessment = PerformanceAssessment.objects.create(
            project=project,
            kpi=kpi.strip(),
            period_end=period_end,
            rating=rating,
            notes=notes.strip(),
            assessed_by=actor.person,
            assessed_at=now(),
        )
        audit_record(
            actor=actor,
            action="procurement.performance",
            obj=project,
            organisation=project.run_by,
            changes={"kpi": assessment.kpi, "rating": rating, "period_end": str(period_end)},
        )
        if selectors.contract_value(project) > PERFORMANCE_NOTICE_THRESHOLD:
            _notice(
                project,
                "UK9",
                f"Contract performance notice: {assessment.kpi}, {assessment.get_rating_display()}",
            )
        ocds.publish(project, "implementationUpdate")
    return assessment


def contract_terminate(*, actor: Actor, project: Project, reason: str, on: dt.date | None = None) -> Project:
    """End the contract early: no orders after the day, a contract termination notice (UK11),
    a contractTermination release."""
    from consortium.contracts import services as contracts

    day = on or today_in_london()
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Say why the contract is terminated (it is published)"
    with transaction.atomic():
        project = _managed(actor, project)
        contract = project.awarded_contract
        assert contract is not None
        if day > contract.end_date or day < min(contract.start_date, today_in_london()):
            errors["on"] = (
                f"Terminate on a day from {min(contract.start_date, today_in_london()):%-d %B %Y} to "
                f"{contract.end_date:%-d %B %Y}"
            )
        if errors:
            raise ValidationFailed("Check the termination", field_errors=errors)
        project.terminated_on = day
        project.termination_reason = reason.strip()
        project.save(update_fields=["terminated_on", "termination_reason", "modified_at"])
        # A contract ended before it began keeps its start as its end, and expires at once.
        contracts.contract_end_date_change(
            actor=actor, contract=contract, end_date=max(day, contract.start_date), reason="Terminated"
        )
        if day <= today_in_london():
            contracts.contract_expire(actor=actor, contract=contract)
        _notice(project, "UK11", f"Contract termination notice: {contract.reference}")
        audit_record(
            actor=actor,
            action="procurement.terminate",
            obj=project,
            organisation=project.run_by,
            changes={"on": str(day), "reason": project.termination_reason[:200]},
        )
        ocds.publish(project, "contractTermination")
    return project
