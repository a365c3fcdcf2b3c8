"""Every change to a procurement: one function per action, in a transaction, audited.

The project's status moves only through `_move`, which consults PROJECT_TRANSITIONS.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from consortium.audit.services import Conceal, audit_record
from consortium.core.bulk import insert_rows
from consortium.core.dates import LONDON, now, today_in_london
from consortium.core.email import absolute_url, send_email_on_commit
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.core.money import to_penny
from consortium.core.references import next_number
from consortium.organisations.acting import Actor
from consortium.organisations.constants import MEMBER_KINDS, Role
from consortium.organisations.models import Organisation, Person, RoleAssignment
from consortium.organisations.selectors import notification_emails
from consortium.tendering import ocds, selectors
from consortium.tendering.constants import (
    PROJECT_TRANSITIONS,
    AuthorityType,
    BidStatus,
    ContractType,
    CriterionKind,
    Declaration,
    PriceMethod,
    ProcedureCode,
    ProjectStatus,
)
from consortium.tendering.models import (
    Bid,
    BidAnswer,
    BidDocument,
    BidOpening,
    BidPriceLine,
    Clarification,
    Criterion,
    DemandReturn,
    EvaluatorAssignment,
    EvaluatorScore,
    Interest,
    ModeratedScore,
    Notice,
    NoticeType,
    Project,
    ReferenceCounter,
    TenderLot,
)
from consortium.tendering.scoring import (
    BidResult,
    CostProfile,
    price_points,
    quality_points,
    rank,
    whole_life_cost,
)
from consortium.tendering.timetable import Timetable, add_working_days, check_timetable

S = ProjectStatus
TENDER_DEADLINE_TIME = dt.time(12, 0)  # noon, London time
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
ZERO = Decimal(0)


def _require_manager(actor: Actor) -> None:
    if not selectors.runs_procurements(actor):
        raise PermissionDenied("Only the consortium's category managers and admins run procurements.")


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _move(actor: Actor, project: Project, to: str, **changes: Any) -> Project:
    """The one place a procurement changes status: refused unless the table allows it."""
    if to not in PROJECT_TRANSITIONS[project.status]:
        raise Conflict(
            f"A procurement that is {project.get_status_display().lower()} cannot become "
            f"{ProjectStatus(to).label.lower()}."
        )
    before = project.status
    project.status = to
    for name, value in changes.items():
        setattr(project, name, value)
    project.save()
    audit_record(
        actor=actor,
        action=f"procurement.{to}",
        obj=project,
        organisation=project.run_by,
        changes={"status": [before, to], **{k: str(v) for k, v in changes.items()}},
    )
    return project


def _notice(project: Project, code: str, summary: str) -> Notice:
    return Notice.objects.create(
        project=project, notice_type=NoticeType.objects.get(code=code), published_at=now(), summary=summary
    )


def _tell(emails: Sequence[str], subject: str, body: str) -> None:
    for email in emails:
        send_email_on_commit(to=email, subject=subject, body=body)


def _next_reference(year: int) -> str:
    """CBC-P-2026-0001: numbered under a row lock, so concurrent creations never share one."""
    return f"CBC-P-{year}-{next_number(ReferenceCounter, year):04d}"


# --- setting up ----------------------------------------------------------------------


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
    return TenderLot.objects.create(
        project=project,
        number=number,
        title=lot.title.strip(),
        specification=lot.specification,
        estimated_unit_price=lot.estimated_unit_price,
        unit=lot.unit or "each",
    )


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


# --- demand aggregation ------------------------------------------------------------------


def demand_open(
    *, actor: Actor, project: Project, closes_on: dt.date, members: Sequence[Organisation] | None = None
) -> Project:
    """Invite members to register demand by a closing date (all current members by default)."""
    _require_manager(actor)
    if closes_on <= today_in_london():
        raise ValidationFailed(
            "Check the closing date", field_errors={"closes_on": "Choose a date after today"}
        )
    invited = (
        list(members)
        if members is not None
        else list(
            Organisation.objects.filter(
                kind__in=MEMBER_KINDS,
                memberships__consortium=actor.organisation,
                memberships__left_on__isnull=True,
            ).distinct()
        )
    )
    if not invited:
        raise ValidationFailed("Invite members", field_errors={"members": "Choose the members to invite"})
    with transaction.atomic():
        project = _locked(project)
        if not project.lots.exists():
            raise Conflict("Add at least one lot before inviting members to register demand.")
        _move(actor, project, S.DEMAND, demand_closes_on=closes_on)
        project.invited_members.set(invited)
        ocds.publish(project, "planning")
        _tell(
            notification_emails(
                [m.pk for m in invited], [Role.MEMBER_BUYER, Role.APPROVER, Role.COMMISSIONER]
            ),
            f"Register your demand: {project.reference} {project.title}",
            f"The consortium is buying {project.title} together. Tell us what you need for each lot by "
            f"{closes_on:%-d %B %Y}: {absolute_url(f'/tenders/{project.pk}/demand/')}\n",
        )
    return project


@dataclass
class DemandIn:
    lot_number: int
    needed_from: dt.date
    estimated_quantity: int | None = None
    annual_value: Decimal | None = None
    will_use: bool = False


def _check_demand(project: Project, rows: Sequence[DemandIn], where: Sequence[str]) -> dict[str, str]:
    lots = {lot.number for lot in project.lots.all()}
    errors: dict[str, str] = {}
    for row, at in zip(rows, where, strict=True):
        if row.lot_number not in lots:
            errors[f"{at}lot"] = f"There is no lot {row.lot_number}"
        if row.estimated_quantity is None and row.annual_value is None:
            errors[f"{at}annual_value"] = "Give an estimated quantity or an annual value"
        if row.estimated_quantity is not None and not 0 <= row.estimated_quantity <= 10**9:
            errors[f"{at}estimated_quantity"] = "Enter a quantity of 0 or more"
        if row.annual_value is not None and not 0 <= row.annual_value < 10**11:
            errors[f"{at}annual_value"] = "Enter an annual value of £0 or more"
    return errors


def demand_record(
    *, actor: Actor, project: Project, rows: Sequence[DemandIn], where: Sequence[str] | None = None
) -> list[DemandReturn]:
    """A member's demand return for one or more lots: replaces what it said before for those lots.
    All rows are stored or none (each error names its row and field)."""
    if not selectors.registers_demand(actor):
        raise PermissionDenied("Member buyers and approvers register their organisation's demand.")
    where = where or [f"lot {r.lot_number}: " if len(rows) > 1 else "" for r in rows]
    with transaction.atomic():
        project = _locked(project)
        if not project.invited_members.filter(pk=actor.organisation.pk).exists():
            raise NotFound("No such procurement you may see")
        if project.status != S.DEMAND or (
            project.demand_closes_on and today_in_london() > project.demand_closes_on
        ):
            raise Conflict("Demand for this procurement has closed.")
        errors = _check_demand(project, rows, where)
        if errors:
            raise ValidationFailed("Check your demand return", field_errors=errors)
        lots = {lot.number: lot for lot in project.lots.all()}
        saved = []
        for row in rows:
            demand, _ = DemandReturn.objects.update_or_create(
                lot=lots[row.lot_number],
                member=actor.organisation,
                defaults={
                    "estimated_quantity": row.estimated_quantity,
                    "annual_value": row.annual_value,
                    "needed_from": row.needed_from,
                    "will_use": row.will_use,
                    "submitted_by": actor.person,
                },
            )
            saved.append(demand)
        audit_record(
            actor=actor,
            action="procurement.demand_record",
            obj=project,
            organisation=actor.organisation,
            changes={"lots": [r.lot_number for r in rows]},
        )
    return saved


def demand_close(*, actor: Actor, project: Project) -> Project:
    """Close demand: the aggregate is fixed and the planning release published."""
    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        _move(actor, project, S.PREPARATION)
        ocds.publish(project, "planning")
    return project


# --- tender documents and timetable ------------------------------------------------------


def timetable_set(
    *,
    actor: Actor,
    project: Project,
    procedure_code: str,
    timetable: Timetable,
    planned_notice_on: dt.date | None = None,
) -> Project:
    """Choose the procedure and set the timetable; a date earlier than the rules allow is
    refused with the rule named."""
    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        procedure = selectors.procedure_in_force(procedure_code, timetable.publication)
        if procedure is None:
            raise ValidationFailed(
                "Choose a procedure",
                field_errors={"procedure": "That procedure is not in force on the publication date"},
            )
        aggregate = selectors.aggregate_demand(project, on=timetable.publication)
        if procedure.code == ProcedureCode.QUOTATION and aggregate.above_threshold:
            raise ValidationFailed(
                "Choose a procedure",
                field_errors={
                    "procedure": f"{aggregate.regime}; a quotation process is only for below-threshold contracts"
                },
            )
        if procedure.code == ProcedureCode.CALL_OFF and project.framework_id is None:
            raise ValidationFailed(
                "Choose a procedure", field_errors={"procedure": "A call-off names the framework it is under"}
            )
        errors = {}
        if timetable.publication < today_in_london():
            errors["publication"] = "Publication cannot be in the past"
        errors |= check_timetable(selectors.rules_of(procedure), timetable, planned_notice=planned_notice_on)
        if errors:
            raise ValidationFailed("The timetable breaks a rule", field_errors=errors)
        if planned_notice_on and not project.notices.filter(notice_type__code="UK3").exists():
            Notice.objects.create(
                project=project,
                notice_type=NoticeType.objects.get(code="UK3"),
                published_at=dt.datetime.combine(planned_notice_on, dt.time(9), tzinfo=LONDON),
                summary=f"Planned procurement notice: {project.title}",
            )
        project.procedure = procedure
        project.planned_notice_on = planned_notice_on
        project.publication_on = timetable.publication
        project.clarification_deadline = timetable.clarification_deadline
        project.tender_deadline = dt.datetime.combine(
            timetable.tender_deadline, TENDER_DEADLINE_TIME, tzinfo=LONDON
        )
        project.evaluation_ends_on = timetable.evaluation_ends
        project.award_decision_on = timetable.award_decision
        project.standstill_ends_on = timetable.standstill_ends
        project.contract_starts_on = timetable.contract_start
        project.save()
        audit_record(
            actor=actor,
            action="procurement.timetable_set",
            obj=project,
            organisation=project.run_by,
            changes={"procedure": procedure.code, "tender_deadline": str(timetable.tender_deadline)},
        )
    return project


def price_method_set(*, actor: Actor, project: Project, method: str, discount_rate: Decimal) -> Project:
    _require_manager(actor)
    if method not in PriceMethod.values:
        raise ValidationFailed(
            "Choose a price method", field_errors={"price_method": "Choose a price method"}
        )
    if not Decimal(0) <= discount_rate <= Decimal(20):
        raise ValidationFailed(
            "Check the rate", field_errors={"discount_rate": "Enter a rate from 0% to 20%"}
        )
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        project.price_method, project.discount_rate = method, discount_rate
        project.save(update_fields=["price_method", "discount_rate", "modified_at"])
        audit_record(
            actor=actor,
            action="procurement.price_method_set",
            obj=project,
            organisation=project.run_by,
            changes={"price_method": method, "discount_rate": str(discount_rate)},
        )
    return project


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
) -> Criterion:
    _require_manager(actor)
    errors = {}
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
        )
        audit_record(
            actor=actor,
            action="procurement.criterion_add",
            obj=project,
            organisation=project.run_by,
            changes={"number": number, "title": criterion.title, "weight": str(weight)},
        )
    return criterion


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


# --- bidders -------------------------------------------------------------------------------


def _until_opened(project: Project) -> Conceal:
    """Audit a bidder's step without naming the bidder until the bids are opened."""
    return Conceal(
        shown_as=project, shown_organisation=project.run_by, reveal_key=f"tendering.project:{project.pk}"
    )


def _require_supplier_for(actor: Actor, project: Project) -> None:
    if not selectors.bids(actor):
        raise PermissionDenied("Suppliers' users bid.")
    invited = project.invited_suppliers.values_list("pk", flat=True)
    if invited and actor.organisation.pk not in set(invited):
        raise PermissionDenied("This procurement is open only to the suppliers invited to it.")


def interest_register(*, actor: Actor, project: Project) -> Interest:
    _require_supplier_for(actor, project)
    if project.status != S.OPEN or selectors.deadline_passed(project):
        raise Conflict("This tender is not open.")
    interest, created = Interest.objects.get_or_create(project=project, supplier=actor.organisation)
    if created:
        audit_record(
            actor=actor,
            action="procurement.interest",
            obj=interest,
            organisation=actor.organisation,
            conceal=_until_opened(project),
        )
    return interest


def clarification_ask(*, actor: Actor, project: Project, question: str) -> Clarification:
    _require_supplier_for(actor, project)
    if not question.strip() or len(question) > 5000:
        raise ValidationFailed(
            "Ask a question", field_errors={"question": "Ask a question of up to 5,000 characters"}
        )
    if project.status != S.OPEN or (
        project.clarification_deadline and today_in_london() > project.clarification_deadline
    ):
        raise Conflict("Clarification questions have closed for this tender.")
    with transaction.atomic():
        interest_register(actor=actor, project=project)
        clarification = Clarification.objects.create(
            project=project, asked_by=actor.organisation, question=question.strip()
        )
        audit_record(
            actor=actor,
            action="procurement.clarification_ask",
            obj=clarification,
            organisation=actor.organisation,
            # Who asked is never shown to anyone outside the asking supplier.
            conceal=Conceal(shown_as=clarification, shown_organisation=project.run_by),
        )
        _tell(
            notification_emails([project.run_by_id], [Role.CATEGORY_MANAGER]),
            f"Clarification question: {project.reference}",
            f"A bidder asked a question: {absolute_url(f'/tenders/{project.pk}/clarifications/')}\n",
        )
    return clarification


def clarification_answer(*, actor: Actor, clarification: Clarification, answer: str) -> Clarification:
    """Answers go to every bidder who registered interest; the asker is never named."""
    _require_manager(actor)
    if not answer.strip():
        raise ValidationFailed("Give an answer", field_errors={"answer": "Write the answer"})
    with transaction.atomic():
        clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
        clarification.answer = answer.strip()
        clarification.answered_at = now()
        clarification.save()
        project = clarification.project
        audit_record(
            actor=actor,
            action="procurement.clarification_answer",
            obj=clarification,
            organisation=project.run_by,
        )
        bidders = list(project.interests.values_list("supplier_id", flat=True))
        _tell(
            notification_emails(bidders, [Role.SUPPLIER_USER]),
            f"Clarification published: {project.reference}",
            f"A clarification has been answered for every bidder: {absolute_url(f'/tenders/{project.pk}/clarifications/')}\n",
        )
    return clarification


@dataclass
class PriceLineIn:
    description: str
    quantity: Decimal
    unit_price: Decimal
    unit: str = "each"


@dataclass
class DocumentIn:
    name: str
    content_type: str
    content: bytes


def bid_submit(
    *,
    actor: Actor,
    project: Project,
    lot_number: int,
    answers: Mapping[int, str],
    price_lines: Sequence[PriceLineIn] = (),
    cost_profile: CostProfile | None = None,
    documents: Sequence[DocumentIn] = (),
    submission_key: str = "",
) -> Bid:
    """Submit (or resubmit) a bid for a lot before the deadline. A repeat with the same
    submission key returns the bid as it is (a double click submits once)."""
    _require_supplier_for(actor, project)
    with transaction.atomic():
        project = _locked(project)
        if project.status != S.OPEN or selectors.deadline_passed(project):
            raise Conflict("The tender deadline has passed: no bid can be submitted or changed.")
        lot = project.lots.filter(number=lot_number).first()
        if lot is None:
            raise ValidationFailed("Choose a lot", field_errors={"lot": f"There is no lot {lot_number}"})
        existing = Bid.objects.filter(lot=lot, supplier=actor.organisation).first()
        if (
            existing
            and submission_key
            and existing.submission_key == submission_key
            and existing.status == BidStatus.SUBMITTED
        ):
            return existing
        errors: dict[str, str] = {}
        asked = [c for c in selectors.leaf_criteria(project) if c.kind != CriterionKind.PRICE]
        for c in asked:
            text = (answers.get(c.pk) or "").strip()
            if not text:
                errors[f"answer_{c.pk}"] = f"Answer criterion {c.number} {c.title}"
            elif len(text) > 20000:
                errors[f"answer_{c.pk}"] = f"Keep the answer to criterion {c.number} to 20,000 characters"
        unknown = set(answers) - {c.pk for c in asked}
        if unknown:
            errors["answers"] = "Answer only this tender's criteria"
        price = Decimal(0)
        if project.price_method == PriceMethod.WHOLE_LIFE_COST:
            if cost_profile is None or cost_profile.acquisition <= 0:
                errors["acquisition_cost"] = (
                    "Give the acquisition cost (and the running, maintenance and end-of-life costs)"
                )
            else:
                price = to_penny(cost_profile.acquisition)
        for i, line in enumerate(price_lines, start=1):
            if not line.description.strip():
                errors[f"price_lines[{i}].description"] = f"Describe price line {i}"
            if line.quantity <= 0:
                errors[f"price_lines[{i}].quantity"] = f"Give price line {i} a quantity above 0"
            if line.unit_price < 0:
                errors[f"price_lines[{i}].unit_price"] = f"Give price line {i} a price of £0 or more"
            price += (
                to_penny(line.quantity * line.unit_price)
                if project.price_method == PriceMethod.LOWEST_PRICE
                else 0
            )
        if project.price_method == PriceMethod.LOWEST_PRICE and price <= 0 and "price_lines" not in errors:
            errors["price_lines"] = "Price the schedule: at least one line with a price above £0"
        for i, doc in enumerate(documents, start=1):
            if len(doc.content) > MAX_DOCUMENT_BYTES:
                errors[f"documents[{i}]"] = f"“{doc.name}” is larger than 5 MB"
        if errors:
            raise ValidationFailed("Check your bid", field_errors=errors)
        fields = {
            "project": project,
            "status": BidStatus.SUBMITTED,
            "submitted_at": now(),
            "submitted_by": actor.person,
            "submission_key": submission_key[:64],
            "price": price,
            "acquisition_cost": cost_profile.acquisition if cost_profile else None,
            "annual_running_cost": cost_profile.annual_running if cost_profile else None,
            "annual_maintenance_cost": cost_profile.annual_maintenance if cost_profile else None,
            "end_of_life_cost": cost_profile.end_of_life if cost_profile else None,
            "residual_value": cost_profile.residual_value if cost_profile else None,
        }
        bid, created = Bid.objects.update_or_create(lot=lot, supplier=actor.organisation, defaults=fields)
        bid.answers.all().delete()
        bid.price_lines.all().delete()
        BidAnswer.objects.bulk_create(
            [BidAnswer(bid=bid, criterion_id=c.pk, response=answers[c.pk].strip()) for c in asked]
        )
        BidPriceLine.objects.bulk_create(
            [
                BidPriceLine(
                    bid=bid,
                    description=pl.description.strip()[:200],
                    unit=pl.unit[:40] or "each",
                    quantity=pl.quantity,
                    unit_price=pl.unit_price,
                )
                for pl in price_lines
            ]
        )
        if documents:
            bid.documents.all().delete()
            BidDocument.objects.bulk_create(
                [
                    BidDocument(
                        bid=bid,
                        name=d.name[:200],
                        content_type=d.content_type[:100],
                        content=d.content,
                        size=len(d.content),
                    )
                    for d in documents
                ]
            )
        Interest.objects.get_or_create(project=project, supplier=actor.organisation)
        # The audit says that a bid was made, never what it says.
        audit_record(
            actor=actor,
            action="bid.submit" if created else "bid.resubmit",
            obj=bid,
            organisation=actor.organisation,
            changes={"lot": lot.number},
            conceal=_until_opened(project),
        )
    return bid


def bid_withdraw(*, actor: Actor, bid: Bid) -> Bid:
    if not selectors.bids(actor) or bid.supplier_id != actor.organisation.pk:
        raise NotFound("No such bid")
    with transaction.atomic():
        project = _locked(bid.project)
        if project.status != S.OPEN or selectors.deadline_passed(project):
            raise Conflict("The tender deadline has passed: a bid can no longer be withdrawn.")
        bid = Bid.objects.select_for_update().get(pk=bid.pk)
        bid.status = BidStatus.WITHDRAWN
        bid.submission_key = ""
        bid.save(update_fields=["status", "submission_key", "modified_at"])
        audit_record(
            actor=actor,
            action="bid.withdraw",
            obj=bid,
            organisation=actor.organisation,
            changes={"lot": bid.lot.number},
            conceal=_until_opened(project),
        )
    return bid


# --- opening and evaluation ----------------------------------------------------------------


def opening_record(*, actor: Actor, project: Project) -> Project:
    """After the deadline, each of two different authorised people records the opening; the
    second opens the bids and starts evaluation."""
    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        if project.status != S.OPEN:
            raise Conflict("Only a tender that is open for bids can be opened.")
        if not selectors.deadline_passed(project):
            raise Conflict("Bids cannot be opened before the tender deadline.")
        # Each key-holder must have held their role since before the deadline: a role (or an
        # account) created afterwards cannot be the second key.
        held_before = RoleAssignment.objects.filter(
            person=actor.person,
            organisation=project.run_by,
            role__in=(Role.CONSORTIUM_ADMIN, Role.CATEGORY_MANAGER),
            created_at__lte=project.tender_deadline,
        ).exists()
        if not held_before:
            raise PermissionDenied(
                "Only someone who ran procurements here before the tender deadline can record the opening."
            )
        _, created = BidOpening.objects.get_or_create(project=project, person=actor.person)
        if not created:
            raise Conflict(
                "You have recorded the opening already: a second authorised person must record it too."
            )
        audit_record(
            actor=actor, action="procurement.opening_record", obj=project, organisation=project.run_by
        )
        if project.openings.count() >= 2:
            _move(actor, project, S.EVALUATION, opened_at=now())
    return project


def evaluator_assign(*, actor: Actor, criterion: Criterion, evaluator: Person) -> EvaluatorAssignment:
    _require_manager(actor)
    if criterion.kind == CriterionKind.PRICE or criterion.children.exists():
        raise ValidationFailed(
            "Choose a criterion",
            field_errors={
                "criterion": "Assign evaluators to a quality or social value criterion without sub-criteria"
            },
        )
    if not evaluator.role_assignments.filter(role=Role.EVALUATOR).exists():
        raise ValidationFailed(
            "Choose an evaluator", field_errors={"evaluator": "That person does not hold the evaluator role"}
        )
    project = criterion.project
    if project.status in (S.STANDSTILL, S.AWARDED, S.CANCELLED):
        raise Conflict("Evaluation is over.")
    if selectors.conflicted(evaluator.pk, project):
        raise ValidationFailed(
            "Choose another evaluator",
            field_errors={"evaluator": "This person declared a conflict of interest in this procurement"},
        )
    with transaction.atomic():
        assignment, created = EvaluatorAssignment.objects.get_or_create(
            project=project, criterion=criterion, evaluator=evaluator
        )
        if created:
            audit_record(
                actor=actor,
                action="procurement.evaluator_assign",
                obj=project,
                organisation=project.run_by,
                changes={"criterion": criterion.number, "evaluator": evaluator.email},
            )
            _tell(
                [evaluator.email],
                f"You are an evaluator: {project.reference}",
                f"Declare any conflict of interest before you see the bids: {absolute_url(f'/tenders/{project.pk}/evaluation/')}\n",
            )
    return assignment


def declaration_make(*, actor: Actor, project: Project, conflict: bool, note: str = "") -> int:
    """An evaluator's declaration for all its criteria on the procurement; a conflict removes them."""
    assignments = EvaluatorAssignment.objects.filter(project=project, evaluator=actor.person)
    if not assignments.exists():
        raise NotFound("You are not an evaluator of this procurement")
    if conflict and not note.strip():
        raise ValidationFailed(
            "Describe the conflict", field_errors={"note": "Say what the conflict of interest is"}
        )
    if not conflict and selectors.conflicted(actor.person.pk, project):
        raise Conflict("You declared a conflict of interest in this procurement: it cannot be withdrawn.")
    with transaction.atomic():
        pending = assignments.filter(declaration=Declaration.PENDING)
        count = pending.update(
            declaration=Declaration.CONFLICT if conflict else Declaration.NO_CONFLICT,
            declaration_note=note.strip()[:500],
            declared_at=now(),
        )
        if not count:
            raise Conflict("You have declared already.")
        audit_record(
            actor=actor,
            action="procurement.declaration",
            obj=project,
            organisation=project.run_by,
            changes={"conflict": conflict, "note": note.strip()[:500]},
        )
        if conflict:
            _tell(
                notification_emails([project.run_by_id], [Role.CATEGORY_MANAGER]),
                f"Evaluator conflict declared: {project.reference}",
                f"{actor.person.full_name} declared a conflict and is removed; assign another evaluator: {absolute_url(f'/tenders/{project.pk}/')}\n",
            )
    return count


def _bids_to_score(project: Project) -> list[Bid]:
    return list(Bid.objects.filter(project=project, status=BidStatus.SUBMITTED).order_by("id"))


@dataclass
class ScoreIn:
    score: int
    justification: str


def scoresheet_submit(*, actor: Actor, criterion: Criterion, scores: Mapping[int, ScoreIn]) -> int:
    """An evaluator's own scores for one criterion, one per bid (replacing earlier ones)."""
    return scores_submit(
        actor=actor, project=criterion.project, scores={(criterion.pk, b): s for b, s in scores.items()}
    )


def scores_submit(*, actor: Actor, project: Project, scores: Mapping[tuple[int, int], ScoreIn]) -> int:
    """An evaluator's own scores, keyed by (criterion id, bid id), for any of the criteria it
    evaluates (a whole scoring workbook at once); each replaces the evaluator's earlier score."""
    criteria = _criteria_of(project, {c for c, _ in scores})
    allowed = set(selectors.active_assignments(actor, project).values_list("criterion_id", flat=True))
    if not allowed or not set(criteria) <= allowed:
        raise PermissionDenied("Only an evaluator of these criteria who declared no conflict may score them.")
    if project.status != S.EVALUATION or project.opened_at is None:
        raise Conflict("Scoring happens during evaluation, after the bids are opened.")
    errors = _check_scores(project, criteria, scores, consensus=False)
    if errors:
        raise ValidationFailed("Check your scores", field_errors=errors)
    recorded = now()
    with transaction.atomic():
        # One table, no join: the criteria are this procurement's, the bids checked above.
        EvaluatorScore.objects.filter(
            evaluator=actor.person, criterion_id__in=list(criteria), bid_id__in={b for _, b in scores}
        ).delete()
        # Plain rows: a scoresheet is hundreds of scores with no behaviour of their own.
        insert_rows(
            EvaluatorScore,
            ["bid", "criterion", "evaluator", "score", "justification", "recorded_at"],
            [
                (b, c, actor.person.pk, s.score, s.justification.strip(), recorded)
                for (c, b), s in scores.items()
            ],
        )
        audit_record(
            actor=actor,
            action="procurement.scoresheet",
            obj=project,
            organisation=project.run_by,
            changes={"criteria": sorted(c.number for c in criteria.values()), "scores": len(scores)},
        )
    return len(scores)


def _criteria_of(project: Project, ids: set[int]) -> dict[int, Criterion]:
    criteria = {c.pk: c for c in Criterion.objects.filter(project=project, pk__in=ids)}
    if len(criteria) != len(ids):
        raise NotFound("No such criterion in this procurement")
    return criteria


def _check_scores(
    project: Project,
    criteria: Mapping[int, Criterion],
    scores: Mapping[tuple[int, int], ScoreIn],
    *,
    consensus: bool,
) -> dict[str, str]:
    bid_ids = set(_bid_ids(project))
    one = len(criteria) == 1  # a page holds one criterion: name its fields by bid alone
    errors = {}
    for (criterion_id, bid_id), s in scores.items():
        criterion = criteria[criterion_id]
        at = f"{bid_id}" if one else f"{criterion_id}_{bid_id}"
        where = f"bid {bid_id}" if one else f"bid {bid_id} on criterion {criterion.number}"
        if bid_id not in bid_ids:
            errors[f"bid_{at}"] = f"Bid {bid_id} is not a bid of this procurement"
        elif not 0 <= s.score <= criterion.scale_max:
            errors[f"score_{at}"] = f"Score {where} from 0 to {criterion.scale_max}"
        elif not s.justification.strip():
            what = "Give the reason for the consensus score" if consensus else "Justify the score"
            errors[f"justification_{at}"] = f"{what} for {where}"
    return errors


def _bid_ids(project: Project) -> list[int]:
    return list(Bid.objects.filter(project=project, status=BidStatus.SUBMITTED).values_list("id", flat=True))


def moderation_submit(*, actor: Actor, criterion: Criterion, consensus: Mapping[int, ScoreIn]) -> int:
    """The moderator's consensus score per bid on one criterion."""
    return consensus_submit(
        actor=actor, project=criterion.project, consensus={(criterion.pk, b): s for b, s in consensus.items()}
    )


def consensus_submit(*, actor: Actor, project: Project, consensus: Mapping[tuple[int, int], ScoreIn]) -> int:
    """The moderator's consensus scores, keyed by (criterion id, bid id), with reasons; a
    criterion is moderated only once every active evaluator has scored every bid on it."""
    _require_manager(actor)
    if project.status != S.EVALUATION:
        raise Conflict("Moderation happens during evaluation.")
    criteria = _criteria_of(project, {c for c, _ in consensus})
    evaluators: dict[int, set[int]] = defaultdict(set)
    for criterion_id, evaluator_id in EvaluatorAssignment.objects.filter(
        criterion_id__in=list(criteria), declaration=Declaration.NO_CONFLICT
    ).values_list("criterion_id", "evaluator_id"):
        evaluators[criterion_id].add(evaluator_id)
    bid_ids = _bid_ids(project)
    scored: dict[int, int] = defaultdict(int)
    for criterion_id, evaluator_id in EvaluatorScore.objects.filter(
        criterion_id__in=list(criteria), bid__status=BidStatus.SUBMITTED
    ).values_list("criterion_id", "evaluator_id"):
        if evaluator_id in evaluators[criterion_id]:
            scored[criterion_id] += 1
    for criterion_id, criterion in criteria.items():
        if not evaluators[criterion_id]:
            raise Conflict(
                f"No evaluator without a conflict has been assigned to criterion {criterion.number}."
            )
        missing = len(bid_ids) * len(evaluators[criterion_id]) - scored[criterion_id]
        if missing > 0:
            raise Conflict(f"{missing} evaluator scores are still to come for criterion {criterion.number}.")
    errors = _check_scores(project, criteria, consensus, consensus=True)
    if errors:
        raise ValidationFailed("Check the consensus scores", field_errors=errors)
    weights = selectors.criteria_check(project).weights
    recorded = now()
    with transaction.atomic():
        ModeratedScore.objects.filter(
            criterion_id__in=list(criteria), bid_id__in={b for _, b in consensus}
        ).delete()
        insert_rows(
            ModeratedScore,
            ["bid", "criterion", "score", "points", "reason", "moderator", "recorded_at"],
            [
                (
                    b,
                    c,
                    s.score,
                    quality_points(s.score, criteria[c].scale_max, weights.get(c, Decimal(0))),
                    s.justification.strip(),
                    actor.person.pk,
                    recorded,
                )
                for (c, b), s in consensus.items()
            ],
        )
        audit_record(
            actor=actor,
            action="procurement.moderation",
            obj=project,
            organisation=project.run_by,
            changes={"criteria": sorted(c.number for c in criteria.values()), "scores": len(consensus)},
        )
    return len(consensus)


def evaluation_finalise(*, actor: Actor, project: Project) -> list[Bid]:
    """Price (or whole-life cost) points, totals and ranks per lot, stored on the bids."""
    _require_manager(actor)
    if project.status != S.EVALUATION:
        raise Conflict("Results are worked out during evaluation.")
    check = selectors.criteria_check(project)
    leaves = selectors.leaf_criteria(project)
    price_criterion = next(c for c in leaves if c.kind == CriterionKind.PRICE)
    judged = [c for c in leaves if c.kind != CriterionKind.PRICE]
    bids = _bids_to_score(project)
    points: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for bid_id, criterion_id, p in ModeratedScore.objects.filter(bid__in=bids).values_list(
        "bid_id", "criterion_id", "points"
    ):
        points[bid_id][criterion_id] = p
    missing = sum(1 for b in bids for c in judged if c.pk not in points[b.pk])
    if missing:
        raise Conflict(f"{missing} consensus scores are still to be moderated.")
    years = project.tender_term_years
    for b in bids:
        if project.price_method == PriceMethod.WHOLE_LIFE_COST:
            b.price_compared = whole_life_cost(
                CostProfile(
                    b.acquisition_cost or b.price,
                    b.annual_running_cost or ZERO,
                    b.annual_maintenance_cost or ZERO,
                    b.end_of_life_cost or ZERO,
                    b.residual_value or ZERO,
                ),
                years,
                project.discount_rate,
            )
        else:
            b.price_compared = b.price
    by_lot: dict[int, list[Bid]] = defaultdict(list)
    for b in bids:
        by_lot[b.lot_id].append(b)
    price_weight = check.weights[price_criterion.pk]
    with transaction.atomic():
        for lot_bids in by_lot.values():
            lowest = min(b.price_compared for b in lot_bids if b.price_compared)
            results = []
            for b in lot_bids:
                pts = dict(points[b.pk])
                quality = sum(pts.values(), Decimal(0))
                pts[price_criterion.pk] = price_points(lowest, b.price_compared, price_weight)  # type: ignore[arg-type]
                results.append(BidResult(b.pk, pts, quality, b.price_compared, b.submitted_at))  # type: ignore[arg-type]
            by_id = {b.pk: b for b in lot_bids}
            for position, result in rank(results):
                bid = by_id[result.bid_id]
                bid.total_score, bid.rank = result.total, position
        Bid.objects.bulk_update(bids, ["price_compared", "total_score", "rank"])
        audit_record(
            actor=actor,
            action="procurement.results",
            obj=project,
            organisation=project.run_by,
            changes={"bids": len(bids)},
        )
    return bids


# --- award ----------------------------------------------------------------------------------


def award_approve(*, actor: Actor, project: Project) -> Project:
    """An authorised person approves the award: winners are fixed, every bidder is told, the
    contract award notice is published and standstill runs for the working days the rules set."""
    if not selectors.approves_awards(actor):
        raise PermissionDenied("The consortium's admins approve award decisions.")
    with transaction.atomic():
        project = _locked(project)
        if project.status != S.EVALUATION:
            raise Conflict("Only a procurement in evaluation can have its award approved.")
        bids = _bids_to_score(project)
        if not bids or any(b.rank is None for b in bids):
            raise Conflict("Work out the results (totals and ranking) before approving the award.")
        Bid.objects.filter(project=project).update(is_winner=False)
        Bid.objects.filter(pk__in=[b.pk for b in bids if b.rank == 1]).update(is_winner=True)
        today = today_in_london()
        standstill_days = project.procedure.standstill_working_days if project.procedure else 8
        _move(
            actor,
            project,
            S.STANDSTILL,
            award_approved_by=actor.person,
            award_approved_at=now(),
            award_decision_on=today,
            standstill_ends_on=add_working_days(today, standstill_days),
        )
        _notice(project, "UK6", f"Contract award notice: {project.title}")
        ocds.publish(project, "award")
        for b in bids:
            _tell(
                notification_emails([b.supplier_id], [Role.SUPPLIER_USER]),
                f"Award decision: {project.reference} lot {b.lot.number}",
                f"The award decision is made. Your assessment summary (your scores and the winner's) is at "
                f"{absolute_url(f'/tenders/{project.pk}/bids/{b.pk}/summary/')}. Standstill ends {project.standstill_ends_on:%-d %B %Y}.\n",
            )
    return project


def award_conclude(*, actor: Actor, project: Project) -> Project:
    """After standstill: the contract is created, usable by the members who registered demand,
    with the winning suppliers per lot and the prices of the winning schedules."""
    from consortium.catalogue.models import CatalogueItem
    from consortium.contracts import services as contracts
    from consortium.contracts.constants import Access, ContractKind, ContractStatus, Scope

    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        if project.status != S.STANDSTILL:
            raise Conflict("Only a procurement in standstill can be concluded.")
        standstill = project.procedure.standstill_working_days if project.procedure else 8
        if standstill and project.standstill_ends_on and today_in_london() <= project.standstill_ends_on:
            raise Conflict(f"Standstill runs until the end of {project.standstill_ends_on:%-d %B %Y}.")
        members = list(
            Organisation.objects.filter(
                pk__in=DemandReturn.objects.filter(lot__project=project, will_use=True).values("member_id")
            )
        )
        start = max(project.contract_starts_on or today_in_london(), today_in_london())
        end_month = start.month - 1 + project.term_months
        end = dt.date(start.year + end_month // 12, end_month % 12 + 1, 1) - dt.timedelta(days=1)
        contract = contracts.contract_create(
            actor=actor,
            reference=project.reference,
            title=project.title,
            description=project.description,
            kind=ContractKind.FRAMEWORK,
            cpv_codes=project.cpv_codes,
            scope=Scope.REGIONAL,
            let_by=project.run_by,
            access=Access.NAMED if members else Access.ALL_MEMBERS,
            access_named=members,
            start_date=start,
            end_date=max(end, start),
            extension_months=project.extension_months,
        )
        winners = Bid.objects.filter(project=project, is_winner=True).select_related("lot", "supplier")
        category = project.category
        for lot in project.lots.all():
            lot_winners = [b for b in winners if b.lot_id == lot.pk]
            if not lot_winners:
                continue
            contract_lot = contracts.lot_add(
                actor=actor,
                contract=contract,
                number=lot.number,
                title=lot.title,
                suppliers=[b.supplier for b in lot_winners],
            )
            for b in lot_winners:
                for i, line in enumerate(b.price_lines.all(), start=1):
                    CatalogueItem.objects.create(
                        supplier=b.supplier,
                        lot=contract_lot,
                        supplier_code=f"{project.reference}-{lot.number}-{i}",
                        name=line.description,
                        description=f"{lot.title}: {line.description}",
                        category=category,
                        unit_of_measure=line.unit,
                        unit_price=line.unit_price,
                        valid_from=start,
                    )
        contracts.contract_transition(actor=actor, contract=contract, to=ContractStatus.LIVE)
        _move(actor, project, S.AWARDED, awarded_contract=contract)
        _notice(project, "UK7", f"Contract details notice: {contract.reference}")
        ocds.publish(project, "contract")
    return project
