"""Setting a procurement up: the project, its lots and criteria, who may bid, publication, cancellation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from consortium.audit.services import audit_record
from consortium.core.dates import today_in_london
from consortium.core.email import absolute_url
from consortium.core.errors import Conflict, NotFound, ValidationFailed
from consortium.core.references import next_number
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.organisations.models import Organisation
from consortium.organisations.selectors import notification_emails
from consortium.tendering import ocds, selectors
from consortium.tendering.constants import (
    AuthorityType,
    ContractType,
    CriterionKind,
    ProcedureCode,
)
from consortium.tendering.models import (
    Criterion,
    Project,
    ReferenceCounter,
    ScheduleItem,
    TenderLot,
)
from consortium.tendering.services._common import S, _locked, _move, _notice, _require_manager, _tell


def _next_reference(year: int) -> str:
    """CBC-P-2026-0001: numbered under a row lock, so concurrent creations never share one."""
    return f"CBC-P-{year}-{next_number(ReferenceCounter, year):04d}"


@dataclass
class LotIn:
    title: str
    specification: str = ""
    estimated_unit_price: Decimal | None = None
    unit: str = "each"


def project_create(
    *,
    actor: Actor,
    title: str,
    description: str = "",
    cpv_codes: Sequence[str] = (),
    contract_type: str = ContractType.GOODS,
    authority_type: str = AuthorityType.SUB_CENTRAL,
    term_months: int = 36,
    extension_months: int = 0,
    lots: Sequence[LotIn] = (),
    category: str = "stationery",
) -> Project:
    from consortium.catalogue.constants import Category

    _require_manager(actor)
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = "Choose the marketplace category of what is bought"
    if not title.strip() or len(title) > 200:
        errors["title"] = "Enter a title of up to 200 characters"
    if contract_type not in ContractType.values:
        errors["contract_type"] = "Choose goods, services, works or light touch services"
    if authority_type not in AuthorityType.values:
        errors["authority_type"] = "Choose sub-central or central government"
    if not 1 <= term_months <= 240:
        errors["term_months"] = "Enter a term from 1 to 240 months"
    if not 0 <= extension_months <= 240:
        errors["extension_months"] = "Enter extensions from 0 to 240 months"
    bad_cpv = [c for c in cpv_codes if not (c.replace("-", "").isdigit() and 8 <= len(c) <= 10)]
    if bad_cpv:
        errors["cpv_codes"] = f"CPV codes are 8 digits (with an optional check digit): {', '.join(bad_cpv)}"
    for i, lot in enumerate(lots, start=1):
        if not lot.title.strip():
            errors[f"lots[{i}].title"] = f"Give lot {i} a title"
    if errors:
        raise ValidationFailed("Check the procurement's details", field_errors=errors)
    with transaction.atomic():
        project = Project.objects.create(
            reference=_next_reference(today_in_london().year),
            title=title.strip(),
            description=description,
            cpv_codes=list(cpv_codes),
            contract_type=contract_type,
            authority_type=authority_type,
            term_months=term_months,
            extension_months=extension_months,
            category=category,
            run_by=actor.organisation,
            created_by=actor.person,
        )
        for i, lot in enumerate(lots, start=1):
            _create_lot(project, i, lot)
        audit_record(
            actor=actor,
            action="procurement.create",
            obj=project,
            organisation=project.run_by,
            changes={"reference": project.reference, "title": project.title, "lots": len(lots)},
        )
    return project


def _create_lot(project: Project, number: int, lot: LotIn) -> TenderLot:
    created = TenderLot.objects.create(
        project=project,
        number=number,
        title=lot.title.strip(),
        specification=lot.specification,
        estimated_unit_price=lot.estimated_unit_price,
        unit=lot.unit or "each",
    )
    # The schedule starts as the lot itself, priced in the quantity members register; the
    # buyer splits it into items (or names a quantity) until publication.
    ScheduleItem.objects.create(lot=created, number=1, description=created.title, unit=created.unit)
    return created


@dataclass
class ScheduleItemIn:
    description: str
    unit: str = "each"
    quantity: Decimal | None = None
    cpv_code: str = ""


def _check_item(project: Project, item: ScheduleItemIn) -> None:
    from consortium.tendering.cpv import cpv_description

    errors = {}
    if not item.description.strip():
        errors["description"] = "Describe the item"
    if item.quantity is not None and item.quantity <= 0:
        errors["quantity"] = "Give a quantity above 0, or leave it blank for members' demand"
    if item.cpv_code and cpv_description(item.cpv_code) is None:
        errors["cpv_code"] = f"{item.cpv_code} is not a CPV 2008 code (for example 30192000-1)"
    if errors:
        raise ValidationFailed("Check the item", field_errors=errors)


def schedule_item_add(
    *, actor: Actor, project: Project, lot_number: int, item: ScheduleItemIn
) -> ScheduleItem:
    """Add a line to a lot's priced schedule before publication."""
    _require_manager(actor)
    _check_item(project, item)
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        lot = _lot(project, lot_number)
        number = (lot.items.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        created = ScheduleItem.objects.create(
            lot=lot,
            number=number,
            description=item.description.strip(),
            unit=item.unit.strip() or "each",
            quantity=item.quantity,
            cpv_code=item.cpv_code.strip(),
        )
        audit_record(
            actor=actor,
            action="procurement.schedule_change",
            obj=project,
            organisation=project.run_by,
            changes={"lot": lot_number, "item": number, "added": created.description},
        )
    return created


def schedule_item_change(
    *, actor: Actor, project: Project, lot_number: int, item_number: int, item: ScheduleItemIn
) -> ScheduleItem:
    _require_manager(actor)
    _check_item(project, item)
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        found = _lot(project, lot_number).items.filter(number=item_number).first()
        if found is None:
            raise NotFound("No such item in this lot's schedule")
        before = {"description": found.description, "unit": found.unit, "quantity": str(found.quantity)}
        found.description = item.description.strip()
        found.unit = item.unit.strip() or "each"
        found.quantity = item.quantity
        found.cpv_code = item.cpv_code.strip()
        found.save()
        audit_record(
            actor=actor,
            action="procurement.schedule_change",
            obj=project,
            organisation=project.run_by,
            changes={
                "lot": lot_number,
                "item": item_number,
                "before": before,
                "description": found.description,
                "unit": found.unit,
                "quantity": str(found.quantity),
            },
        )
    return found


def schedule_item_remove(*, actor: Actor, project: Project, lot_number: int, item_number: int) -> None:
    """Remove a line of the schedule before publication; later lines move up a number."""
    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        lot = _lot(project, lot_number)
        found = lot.items.filter(number=item_number).first()
        if found is None:
            raise NotFound("No such item in this lot's schedule")
        if lot.items.count() == 1:
            raise Conflict("A lot's schedule keeps at least one item: change it instead.")
        description = found.description
        found.delete()
        _close_gap(lot.items.all(), item_number)
        audit_record(
            actor=actor,
            action="procurement.schedule_change",
            obj=project,
            organisation=project.run_by,
            changes={"lot": lot_number, "item": item_number, "removed": description},
        )


def _fix_schedules(project: Project) -> list[str]:
    """At publication every lot's schedule is fixed: an item without a quantity takes the
    quantity a year members registered for its lot. Returns what stops that."""
    problems = []
    for lot in project.lots.prefetch_related("items", "demand"):
        items = list(lot.items.all())
        if not items:
            problems.append(f"Give lot {lot.number} a priced schedule")
            continue
        registered = sum((d.estimated_quantity or 0 for d in lot.demand.all()), 0)
        for item in items:
            if item.quantity is None:
                if not registered:
                    problems.append(
                        f"Give lot {lot.number} item {item.number} a quantity: members registered none"
                    )
                    continue
                item.quantity = Decimal(registered)
                item.save(update_fields=["quantity"])
    return problems


def _close_gap(rows: Any, removed: int) -> None:
    """After number `removed` goes, the later ones move up a number, in order, so the numbers
    stay unique at every step."""
    for later in rows.filter(number__gt=removed).order_by("number"):
        later.number -= 1
        later.save(update_fields=["number"])


def _before_publication(project: Project) -> None:
    if project.status not in (S.DRAFT, S.DEMAND, S.PREPARATION):
        raise Conflict("The tender documents are fixed once the tender is published.")


def lot_add(*, actor: Actor, project: Project, lot: LotIn) -> TenderLot:
    _require_manager(actor)
    if not lot.title.strip():
        raise ValidationFailed("Check the lot", field_errors={"title": "Give the lot a title"})
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        number = (project.lots.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        created = _create_lot(project, number, lot)
        audit_record(
            actor=actor,
            action="procurement.lot_add",
            obj=project,
            organisation=project.run_by,
            changes={"lot": number, "title": created.title},
        )
    return created


def criterion_add(
    *,
    actor: Actor,
    project: Project,
    title: str,
    weight: Decimal,
    kind: str = CriterionKind.QUALITY,
    parent: Criterion | None = None,
    scale_max: int = 5,
    descriptors: Sequence[Mapping[str, Any]] = (),
    guidance: str = "",
    appraisal_question: str = "",
) -> Criterion:
    _require_manager(actor)
    errors = _criterion_errors(
        project,
        title=title,
        weight=weight,
        kind=kind,
        scale_max=scale_max,
        appraisal_question=appraisal_question,
        parent=parent,
    )
    if errors:
        raise ValidationFailed("Check the criterion", field_errors=errors)
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        siblings = Criterion.objects.filter(project=project, parent=parent).count()
        number = f"{parent.number}.{siblings + 1}" if parent else str(siblings + 1)
        criterion = Criterion.objects.create(
            project=project,
            parent=parent,
            number=number,
            title=title.strip(),
            weight=weight,
            kind=parent.kind if parent else kind,
            scale_max=scale_max,
            descriptors=[{"score": int(d["score"]), "descriptor": str(d["descriptor"])} for d in descriptors],
            guidance=guidance,
            appraisal_question=appraisal_question,
        )
        audit_record(
            actor=actor,
            action="procurement.criterion_add",
            obj=project,
            organisation=project.run_by,
            changes={"number": number, "title": criterion.title, "weight": str(weight)},
        )
    return criterion


def _lot(project: Project, number: int) -> TenderLot:
    """One of the procurement's lots, locked for the change."""
    found = project.lots.select_for_update().filter(number=number).first()
    if found is None:
        raise NotFound("No such lot in this procurement")
    return found


def lot_change(*, actor: Actor, project: Project, lot_number: int, lot: LotIn) -> TenderLot:
    """Correct a lot before publication: its title, specification, unit and estimated price."""
    _require_manager(actor)
    if not lot.title.strip():
        raise ValidationFailed("Check the lot", field_errors={"title": "Give the lot a title"})
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        found = _lot(project, lot_number)
        before = {
            "title": found.title,
            "unit": found.unit,
            "estimated_unit_price": str(found.estimated_unit_price),
        }
        found.title = lot.title.strip()
        found.specification = lot.specification
        found.estimated_unit_price = lot.estimated_unit_price
        found.unit = lot.unit or "each"
        found.save()
        audit_record(
            actor=actor,
            action="procurement.lot_change",
            obj=project,
            organisation=project.run_by,
            changes={
                "lot": lot_number,
                "before": before,
                "title": found.title,
                "unit": found.unit,
                "estimated_unit_price": str(found.estimated_unit_price),
            },
        )
    return found


def lot_remove(*, actor: Actor, project: Project, lot_number: int) -> None:
    """Remove a lot before publication; the later lots move up a number. A lot members have
    registered demand for stays (change it instead): their returns would go with it."""
    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        found = _lot(project, lot_number)
        members = found.demand.values("member_id").distinct().count()
        if members:
            raise Conflict(
                f"{members} member{'s have' if members != 1 else ' has'} registered demand for lot {lot_number}: "
                "change the lot instead of removing it."
            )
        if project.status != S.DRAFT and project.lots.count() == 1:
            raise Conflict("A procurement collecting or past demand keeps at least one lot.")
        title = found.title
        found.delete()
        _close_gap(project.lots.all(), lot_number)
        audit_record(
            actor=actor,
            action="procurement.lot_remove",
            obj=project,
            organisation=project.run_by,
            changes={"lot": lot_number, "title": title},
        )


def _criterion_errors(
    project: Project,
    *,
    title: str,
    weight: Decimal,
    kind: str,
    scale_max: int,
    appraisal_question: str,
    parent: Criterion | None,
) -> dict[str, str]:
    from consortium.sustainability.appraisal import QUESTIONS

    errors = {}
    if appraisal_question and appraisal_question not in QUESTIONS:
        errors["appraisal_question"] = "Choose a question of the sustainability appraisal"
    if appraisal_question and kind == CriterionKind.PRICE:
        errors["appraisal_question"] = "Price cannot reuse an appraisal answer"
    if not title.strip():
        errors["title"] = "Give the criterion a title"
    if not Decimal(0) < weight <= Decimal(100):
        errors["weight"] = "Enter a weight above 0% and up to 100%"
    if kind not in CriterionKind.values:
        errors["kind"] = "Choose quality, social value or price"
    if not 1 <= scale_max <= 100:
        errors["scale_max"] = "Enter a scale top from 1 to 100"
    if kind == CriterionKind.PRICE and parent is not None:
        errors["kind"] = "Price is a top-level criterion"
    if parent is not None and (parent.project_id != project.pk or parent.kind == CriterionKind.PRICE):
        errors["parent"] = "Choose a quality or social value criterion of this procurement"
    return errors


def criterion_change(
    *,
    actor: Actor,
    project: Project,
    criterion_id: int,
    title: str,
    weight: Decimal,
    scale_max: int = 5,
    descriptors: Sequence[Mapping[str, Any]] = (),
    guidance: str = "",
    appraisal_question: str = "",
) -> Criterion:
    """Correct a criterion before publication: its title, weight, scale and descriptors,
    guidance and appraisal question (its kind and place stay: remove it and add another)."""
    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        criterion = project.criteria.select_for_update().filter(pk=criterion_id).first()
        if criterion is None:
            raise NotFound("No such criterion in this procurement")
        errors = _criterion_errors(
            project,
            title=title,
            weight=weight,
            kind=criterion.kind,
            scale_max=scale_max,
            appraisal_question=appraisal_question,
            parent=None,
        )
        if errors:
            raise ValidationFailed("Check the criterion", field_errors=errors)
        before = {"title": criterion.title, "weight": str(criterion.weight), "scale_max": criterion.scale_max}
        criterion.title = title.strip()
        criterion.weight = weight
        criterion.scale_max = scale_max
        criterion.descriptors = [
            {"score": int(d["score"]), "descriptor": str(d["descriptor"])} for d in descriptors
        ]
        criterion.guidance = guidance
        criterion.appraisal_question = appraisal_question
        criterion.save()
        audit_record(
            actor=actor,
            action="procurement.criterion_change",
            obj=project,
            organisation=project.run_by,
            changes={
                "number": criterion.number,
                "before": before,
                "title": criterion.title,
                "weight": str(weight),
                "scale_max": scale_max,
            },
        )
    return criterion


def _renumber(project: Project) -> None:
    """Number the criteria again in their order: 1, 2, 2.1, 2.2 … after one is removed."""

    def key(c: Criterion) -> list[int]:
        return [int(part) for part in c.number.split(".") if part.isdigit()]

    criteria = sorted(project.criteria.all(), key=key)
    # Out of the way first: the numbers are unique within the procurement.
    for i, c in enumerate(criteria):
        Criterion.objects.filter(pk=c.pk).update(number=f"#{i}")
    children: dict[int | None, list[Criterion]] = {}
    for c in criteria:
        children.setdefault(c.parent_id, []).append(c)

    def assign(parent_id: int | None, prefix: str) -> None:
        for n, c in enumerate(children.get(parent_id, []), start=1):
            number = f"{prefix}{n}"
            Criterion.objects.filter(pk=c.pk).update(number=number)
            assign(c.pk, f"{number}.")

    assign(None, "")


def criterion_remove(*, actor: Actor, project: Project, criterion_id: int) -> None:
    """Remove a criterion (and its sub-criteria) before publication; the rest are numbered
    again in order."""
    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        criterion = project.criteria.filter(pk=criterion_id).first()
        if criterion is None:
            raise NotFound("No such criterion in this procurement")
        number, title = criterion.number, criterion.title
        criterion.delete()
        _renumber(project)
        audit_record(
            actor=actor,
            action="procurement.criterion_remove",
            obj=project,
            organisation=project.run_by,
            changes={"number": number, "title": title},
        )


def bidders_invite(
    *,
    actor: Actor,
    project: Project,
    suppliers: Sequence[Organisation] = (),
    framework: Any = None,
) -> Project:
    """Name the suppliers who may bid, for a direct award or a call-off by mini-competition
    under a framework (by default, every supplier on the framework's lots). Nobody else
    may then see or bid for the procurement."""
    from consortium.contracts.constants import ContractKind, ContractStatus

    _require_manager(actor)
    if framework is not None and (
        framework.kind != ContractKind.FRAMEWORK or framework.status != ContractStatus.LIVE
    ):
        raise ValidationFailed(
            "Choose a framework", field_errors={"framework": "Choose a live framework agreement"}
        )
    chosen = list(suppliers)
    if framework is not None and not chosen:
        chosen = list(Organisation.objects.filter(lots_awarded__contract=framework).distinct())
    if not chosen or any(not s.is_supplier for s in chosen):
        raise ValidationFailed(
            "Choose suppliers", field_errors={"suppliers": "Choose the suppliers invited to bid"}
        )
    if framework is not None:
        on_framework = set(
            Organisation.objects.filter(lots_awarded__contract=framework).values_list("pk", flat=True)
        )
        outside = [s.name for s in chosen if s.pk not in on_framework]
        if outside:
            raise ValidationFailed(
                "Only the framework's suppliers",
                field_errors={"suppliers": f"Not on the framework: {', '.join(outside)}"},
            )
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        project.framework = framework
        project.save(update_fields=["framework", "modified_at"])
        project.invited_suppliers.set(chosen)
        audit_record(
            actor=actor,
            action="procurement.bidders_invite",
            obj=project,
            organisation=project.run_by,
            changes={"suppliers": [s.pk for s in chosen], "framework": getattr(framework, "reference", None)},
        )
    return project


def tender_publish(*, actor: Actor, project: Project) -> Project:
    """Publish the tender notice: lots, criteria (weights sharing 100%, one price criterion)
    and a lawful timetable must be in place."""
    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        problems = []
        if not project.lots.exists():
            problems.append("Add at least one lot")
        if project.procedure is None or project.tender_deadline is None:
            problems.append("Set the procedure and timetable")
        elif project.publication_on and project.publication_on < today_in_london():
            problems.append("The timetable's publication date has passed: set the timetable again")
        problems += selectors.criteria_check(project).problems
        problems += _fix_schedules(project)
        if (
            project.procedure
            and project.procedure.code
            in (
                ProcedureCode.DIRECT_AWARD,
                ProcedureCode.CALL_OFF,
            )
            and not project.invited_suppliers.exists()
        ):
            problems.append("Name the suppliers invited to bid")
        if problems:
            raise Conflict("The tender is not ready to publish: " + "; ".join(problems) + ".")
        _move(actor, project, S.OPEN, publication_on=today_in_london())
        direct = project.procedure is not None and project.procedure.code == ProcedureCode.DIRECT_AWARD
        _notice(
            project,
            "UK5" if direct else "UK4",
            f"{'Transparency' if direct else 'Tender'} notice: {project.title}",
        )
        ocds.publish(project, "tender")
        invited = list(project.invited_suppliers.values_list("pk", flat=True))
        if invited:
            _tell(
                notification_emails(invited, [Role.SUPPLIER_USER]),
                f"Invitation to tender: {project.reference}",
                f"You are invited to bid for {project.title} by {project.tender_deadline:%-d %B %Y %H:%M}: {absolute_url(f'/tenders/{project.pk}/')}\n",
            )
    return project


def project_cancel(*, actor: Actor, project: Project, reason: str) -> Project:
    _require_manager(actor)
    if not reason.strip():
        raise ValidationFailed(
            "Give a reason", field_errors={"reason": "Say why the procurement is cancelled"}
        )
    with transaction.atomic():
        project = _locked(project)
        published = project.status not in (S.DRAFT, S.DEMAND, S.PREPARATION)
        _move(actor, project, S.CANCELLED, cancellation_reason=reason.strip()[:500])
        if published:
            _notice(project, "UK12", f"Procurement termination notice: {reason.strip()[:200]}")
            ocds.publish(project, "tenderUpdate")
    return project
