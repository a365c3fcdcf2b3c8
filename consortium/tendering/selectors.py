"""Reads of procurements, always for an acting person and organisation.

Sealed bids: `bid_for_reading` is the only way to a bid's content (answers, prices,
documents). Before the deadline only the bidder passes; after it, nobody else until two
authorised people have recorded the opening; then the category managers running it and
evaluators who declared no conflict. Every read by someone other than the bidder is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from consortium.audit.services import audit_record
from consortium.core.dates import now, today_in_london
from consortium.core.errors import NotFound, PermissionDenied
from consortium.core.money import to_penny
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.organisations.permissions import Permission
from consortium.tendering.constants import (
    SOCIAL_VALUE_MINIMUM,
    VAT_RATE,
    BidStatus,
    ContractType,
    CriterionKind,
    Declaration,
    ProcedureCode,
    ProjectStatus,
    ThresholdKind,
)
from consortium.tendering.models import (
    Bid,
    Clarification,
    Criterion,
    DemandReturn,
    EvaluatorAssignment,
    Procedure,
    Project,
    Threshold,
)
from consortium.tendering.scoring import (
    CriterionNode,
    effective_weights,
    kind_share,
    price_points,
    weight_problems,
)
from consortium.tendering.timetable import ProcedureRules

# --- who is who --------------------------------------------------------------------


def runs_procurements(actor: Actor) -> bool:
    return actor.organisation.is_consortium and actor.has(Permission.PROCUREMENTS_RUN)


def approves_awards(actor: Actor) -> bool:
    return actor.organisation.is_consortium and actor.has(Permission.AWARDS_APPROVE)


def registers_demand(actor: Actor) -> bool:
    return (not actor.organisation.is_supplier and not actor.organisation.is_consortium) and actor.holds(
        Role.MEMBER_BUYER, Role.APPROVER, Role.COMMISSIONER
    )


def bids(actor: Actor) -> bool:
    return actor.organisation.is_supplier and actor.has(Permission.BIDS_SUBMIT)


# --- rules in force -----------------------------------------------------------------


def threshold_in_force(kind: str, on: dt.date) -> Threshold | None:
    return (
        Threshold.objects.filter(kind=kind, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from")
        .first()
    )


def procedure_in_force(code: str, on: dt.date) -> Procedure | None:
    return (
        Procedure.objects.filter(code=code, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from")
        .first()
    )


def rules_of(procedure: Procedure) -> ProcedureRules:
    return ProcedureRules(
        name=procedure.get_code_display(),
        min_tender_days=procedure.min_tender_days,
        min_tender_days_with_planned_notice=procedure.min_tender_days_with_planned_notice,
        standstill_working_days=procedure.standstill_working_days,
        citation=procedure.citation,
    )


def threshold_kind_for(project: Project) -> str:
    if project.contract_type == ContractType.WORKS:
        return ThresholdKind.WORKS
    if project.contract_type == ContractType.LIGHT_TOUCH:
        return ThresholdKind.LIGHT_TOUCH
    return ThresholdKind.CENTRAL if project.authority_type == "central" else ThresholdKind.SUB_CENTRAL


# --- projects ---------------------------------------------------------------------


def project_list_for(actor: Actor) -> QuerySet[Project]:
    qs = Project.objects.select_related("procedure").order_by("-created_at", "-id")
    if runs_procurements(actor):
        return qs
    if actor.organisation.is_supplier:
        visible = [
            ProjectStatus.OPEN,
            ProjectStatus.EVALUATION,
            ProjectStatus.STANDSTILL,
            ProjectStatus.AWARDED,
        ]
        return qs.filter(
            Q(status__in=visible)
            & (Q(invited_suppliers__isnull=True) | Q(invited_suppliers=actor.organisation))
        ).distinct()
    assigned = Q(assignments__evaluator=actor.person)
    return (
        qs.filter(assigned | Q(invited_members=actor.organisation))
        .exclude(status=ProjectStatus.DRAFT)
        .distinct()
    )


def project_get_for(actor: Actor, project_id: int) -> Project:
    try:
        return project_list_for(actor).get(pk=project_id)
    except Project.DoesNotExist:
        raise NotFound("No such procurement you may see") from None


def criteria_nodes(project: Project) -> list[CriterionNode]:
    return [
        CriterionNode(c.pk, c.parent_id, c.title, c.weight, c.kind)
        for c in Criterion.objects.filter(project=project).order_by("number")
    ]


def leaf_criteria(project: Project) -> list[Criterion]:
    criteria = list(Criterion.objects.filter(project=project).order_by("number"))
    parents = {c.parent_id for c in criteria}
    return [c for c in criteria if c.pk not in parents]


@dataclass
class CriteriaCheck:
    problems: list[str] = field(default_factory=list)  # refuse publication
    warnings: list[str] = field(default_factory=list)  # shown, not refused
    weights: dict[int, Decimal] = field(default_factory=dict)  # leaf id -> % of the whole


def criteria_check(project: Project) -> CriteriaCheck:
    nodes = criteria_nodes(project)
    check = CriteriaCheck(problems=weight_problems(nodes))
    if check.problems:
        return check
    check.weights = effective_weights(nodes)
    leaves = {c.pk: c for c in leaf_criteria(project)}
    prices = [c for c in leaves.values() if c.kind == CriterionKind.PRICE]
    if len(prices) != 1:
        check.problems.append("Give exactly one price criterion (scored by the stated price method)")
    if any(
        c.kind == CriterionKind.PRICE and c.pk not in leaves
        for c in Criterion.objects.filter(project=project)
    ):
        check.problems.append("The price criterion cannot have sub-criteria")
    social = kind_share(nodes, CriterionKind.SOCIAL_VALUE)
    if social < SOCIAL_VALUE_MINIMUM:
        check.warnings.append(
            f"Social value carries {social.normalize():f}% of the marks; member councils follow the national "
            f"social value guidance of at least {SOCIAL_VALUE_MINIMUM}%"
        )
    return check


# --- demand --------------------------------------------------------------------------


@dataclass
class Aggregate:
    annual_value: Decimal  # ex VAT
    value_over_term_incl_vat: Decimal
    members_using: int
    by_lot: list[dict[str, Any]]
    threshold: Threshold | None
    above_threshold: bool
    procedures: list[Procedure]
    on: dt.date

    @property
    def regime(self) -> str:
        if self.threshold is None:
            return "No threshold is in force on this date: check the rules table"
        if self.above_threshold:
            return (
                f"Above the {self.threshold.get_kind_display().lower()} threshold of £{self.threshold.amount:,}: "
                "the Procurement Act 2023's rules for public contracts apply"
            )
        return (
            f"Below the {self.threshold.get_kind_display().lower()} threshold of £{self.threshold.amount:,}: "
            "a below-threshold contract (Procurement Act 2023 Part 6)"
        )


def aggregate_demand(project: Project, *, on: dt.date | None = None) -> Aggregate:
    """Members' demand added up: per lot and over the whole term with extensions, including
    VAT (as the Act values contracts), against the threshold in force on the date."""
    on = on or today_in_london()
    years = Decimal(project.term_months + project.extension_months) / 12
    by_lot = []
    total = Decimal(0)
    members: set[int] = set()
    for lot in project.lots.prefetch_related("demand"):
        lot_value = Decimal(0)
        quantity = 0
        for d in lot.demand.all():
            value = d.annual_value
            if value is None and d.estimated_quantity is not None and lot.estimated_unit_price is not None:
                value = lot.estimated_unit_price * d.estimated_quantity
            lot_value += value or 0
            quantity += d.estimated_quantity or 0
            if d.will_use:
                members.add(d.member_id)
        total += lot_value
        by_lot.append(
            {
                "lot": lot,
                "annual_value": to_penny(lot_value),
                "quantity": quantity,
                "members": len(lot.demand.all()),
            }
        )
    over_term = to_penny(total * years * (1 + VAT_RATE))
    threshold = threshold_in_force(threshold_kind_for(project), on)
    above = threshold is not None and over_term >= threshold.amount
    procedures = [
        p
        for p in Procedure.objects.filter(effective_from__lte=on).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on)
        )
        if p.above_threshold == above or p.code == ProcedureCode.OPEN
    ]
    return Aggregate(to_penny(total), over_term, len(members), by_lot, threshold, above, procedures, on)


def demand_for_member(actor: Actor, project: Project) -> dict[int, DemandReturn]:
    return {d.lot_id: d for d in DemandReturn.objects.filter(lot__project=project, member=actor.organisation)}


# --- clarifications -----------------------------------------------------------------


def clarifications_for(actor: Actor, project: Project) -> QuerySet[Clarification]:
    """Everyone sees answered questions (without the asker); a supplier also sees its own
    unanswered ones; the managers see all."""
    qs = Clarification.objects.filter(project=project)
    if runs_procurements(actor):
        return qs
    if actor.organisation.is_supplier:
        return qs.filter(Q(answered_at__isnull=False) | Q(asked_by=actor.organisation))
    return qs.filter(answered_at__isnull=False)


# --- bids ------------------------------------------------------------------------------


def deadline_passed(project: Project) -> bool:
    return project.tender_deadline is not None and now() >= project.tender_deadline


def own_bids(actor: Actor, project: Project) -> QuerySet[Bid]:
    if not bids(actor):
        return Bid.objects.none()
    return Bid.objects.filter(project=project, supplier=actor.organisation).select_related("lot")


def conflicted(person_id: int, project: Project) -> bool:
    """A conflict declared on any criterion taints the whole procurement, for good."""
    return EvaluatorAssignment.objects.filter(
        project=project, evaluator_id=person_id, declaration=Declaration.CONFLICT
    ).exists()


def active_assignments(actor: Actor, project: Project) -> QuerySet[EvaluatorAssignment]:
    if conflicted(actor.person.pk, project):
        return EvaluatorAssignment.objects.none()
    return EvaluatorAssignment.objects.filter(
        project=project, evaluator=actor.person, declaration=Declaration.NO_CONFLICT
    )


def may_read_bids(actor: Actor, project: Project) -> bool:
    """After the deadline and the two-person opening: the managers running it, and evaluators
    who declared no conflict. Nobody else, ever, but the bidder."""
    if project.opened_at is None or not deadline_passed(project):
        return False
    if runs_procurements(actor):
        return True
    return active_assignments(actor, project).exists()


def bid_list_for(actor: Actor, project: Project) -> QuerySet[Bid]:
    """Submitted bids (their envelope: supplier, lot, times, results) once opened."""
    if not may_read_bids(actor, project):
        raise PermissionDenied(
            "Bids stay sealed until the tender deadline has passed and two authorised people have "
            "recorded the opening."
        )
    return Bid.objects.filter(project=project, status=BidStatus.SUBMITTED).select_related("supplier", "lot")


def bids_for_reading(actor: Actor, project: Project) -> list[Bid]:
    """Every submitted bid's envelope, once opened, to read with its content (evaluators'
    scoresheets and workbooks, moderation): access is checked once, each bid's reading audited."""
    bids = list(bid_list_for(actor, project).order_by("id"))
    for bid in bids:
        audit_record(actor=actor, action="bid.read", obj=bid, organisation=project.run_by)
    return bids


def published_project(project_id: int) -> Project:
    """A procurement with at least one published OCDS release: open data, for anyone."""
    project = Project.objects.filter(pk=project_id, releases__isnull=False).distinct().first()
    if project is None:
        raise NotFound("Nothing has been published for this procurement")
    return project


def bid_for_reading(actor: Actor, bid_id: int) -> Bid:
    """The one way to a bid's content. Refuses anyone but the bidder until opened; audits."""
    try:
        bid = Bid.objects.select_related("project", "lot", "supplier").get(pk=bid_id)
    except Bid.DoesNotExist:
        raise NotFound("No such bid") from None
    if actor.organisation.is_supplier:
        # The bidder's own people only: a supplier user of the bidding supplier.
        if bid.supplier_id != actor.organisation.pk or not bids(actor):
            raise NotFound("No such bid")
        return bid
    if bid.status != BidStatus.SUBMITTED or not may_read_bids(actor, bid.project):
        audit_record(
            actor=actor,
            action="bid.read_refused",
            obj=bid,
            organisation=bid.project.run_by,
            changes={"reason": "sealed"},
        )
        raise PermissionDenied(
            "This bid is sealed until the tender deadline has passed and two authorised people have "
            "recorded the opening; only evaluators who declared no conflict may then read it."
        )
    audit_record(actor=actor, action="bid.read", obj=bid, organisation=bid.project.run_by)
    return bid


# --- evaluation results ------------------------------------------------------------------


def my_scores(actor: Actor, criterion: Criterion) -> dict[int, object]:
    from consortium.tendering.models import EvaluatorScore

    return {s.bid_id: s for s in EvaluatorScore.objects.filter(criterion=criterion, evaluator=actor.person)}


@dataclass
class SummaryRow:
    criterion: Criterion
    weight: Decimal
    own_points: Decimal | None
    winner_points: Decimal | None


def assessment_summary(actor: Actor, bid: Bid) -> list[SummaryRow]:
    """For a bidder once the award is approved: its points and the winner's, per criterion."""
    if actor.organisation.is_supplier and bid.supplier_id != actor.organisation.pk:
        raise NotFound("No such bid")
    if not (actor.organisation.is_supplier or runs_procurements(actor)):
        raise PermissionDenied("An assessment summary is for the bidder.")
    if bid.project.award_approved_at is None:
        raise PermissionDenied("Assessment summaries are sent when the award decision is approved.")
    from consortium.tendering.models import ModeratedScore

    winner = Bid.objects.filter(lot=bid.lot, is_winner=True).first()
    points = {
        (m.bid_id, m.criterion_id): m.points
        for m in ModeratedScore.objects.filter(bid__in=[b for b in (bid, winner) if b])
    }
    check = criteria_check(bid.project)
    # The lowest price compared on the lot, read once for both bids' price points.
    lowest = (
        Bid.objects.filter(lot=bid.lot, status=BidStatus.SUBMITTED, price_compared__gt=0)
        .order_by("price_compared")
        .values_list("price_compared", flat=True)
        .first()
    )
    rows = []
    for c in leaf_criteria(bid.project):
        weight = check.weights.get(c.pk, Decimal(0))
        if c.kind == CriterionKind.PRICE:
            own = _price_points(bid, lowest, weight)
            win = _price_points(winner, lowest, weight)
        else:
            own = points.get((bid.pk, c.pk))
            win = points.get((winner.pk, c.pk)) if winner else None
        rows.append(SummaryRow(c, weight, own, win))
    return rows


def _price_points(bid: Bid | None, lowest: Decimal | None, weight: Decimal) -> Decimal | None:
    if bid is None or bid.total_score is None or not lowest or not bid.price_compared:
        return None
    return price_points(lowest, bid.price_compared, weight)


# --- single records a page or endpoint names by id ------------------------------------
# Pages and API handlers look records up here, never with the ORM, so "not yours" and "no
# such thing" are decided in one place and answered the same way (404 with a message).


def criterion_of(actor: Actor | None, project: Project, criterion_id: int) -> Criterion:
    """One of the procurement's criteria (the project already passed `project_get_for`)."""
    criterion = project.criteria.filter(pk=criterion_id).first()
    if criterion is None:
        raise NotFound("No such criterion in this procurement")
    return criterion


def clarification_of(actor: Actor, project: Project, clarification_id: int) -> Clarification:
    clarification = project.clarifications.filter(pk=clarification_id).first()
    if clarification is None:
        raise NotFound("No such question")
    return clarification


def lot_of(actor: Actor, project: Project, lot_number: int) -> Any:
    lot = project.lots.filter(number=lot_number).first()
    if lot is None:
        raise NotFound("No such lot")
    return lot


def own_bid(actor: Actor, project: Project, *, bid_id: int | None = None, lot: Any = None) -> Bid | None:
    """The acting supplier's own bid, by id or for a lot; None when it has none."""
    bids_ = own_bids(actor, project)
    if bid_id is not None:
        bids_ = bids_.filter(pk=bid_id)
    if lot is not None:
        bids_ = bids_.filter(lot=lot)
    return bids_.first()


def evaluator_choice(actor: Actor, person_id: int) -> Any:
    """The person the category manager chose as an evaluator (the service checks their role)."""
    from consortium.core.errors import ValidationFailed
    from consortium.organisations.models import Person

    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationFailed("Choose an evaluator", field_errors={"evaluator_id": "No such person"})
    return person


def evaluator_choices(actor: Actor) -> QuerySet[Any]:
    from consortium.organisations.models import Person

    return Person.objects.filter(role_assignments__role=Role.EVALUATOR).distinct().order_by("full_name")


def supplier_choices(actor: Actor) -> list[tuple[int, str]]:
    from consortium.organisations.models import Organisation

    return [(o.pk, o.name) for o in Organisation.objects.filter(kind="supplier").order_by("name")]


def suppliers_by_id(actor: Actor, supplier_ids: list[int]) -> list[Any]:
    from consortium.organisations.models import Organisation

    return list(Organisation.objects.filter(pk__in=supplier_ids))


def live_frameworks(actor: Actor) -> QuerySet[Any]:
    from consortium.contracts.models import Contract

    return Contract.objects.filter(kind="framework", status="live").order_by("reference")


def framework_of(actor: Actor, framework_id: int) -> Any:
    from consortium.contracts.models import Contract

    framework = Contract.objects.filter(pk=framework_id).first()
    if framework is None:
        from consortium.core.errors import ValidationFailed

        raise ValidationFailed("Choose a framework", field_errors={"framework_id": "No such contract"})
    return framework


def members_by_id(actor: Actor, member_ids: list[int]) -> list[Any]:
    from consortium.organisations.models import Organisation

    return list(Organisation.objects.filter(pk__in=member_ids))


def notice_types() -> list[Any]:
    from consortium.tendering.models import NoticeType

    return list(NoticeType.objects.all())


def my_assignments(actor: Actor, project: Project) -> list[EvaluatorAssignment]:
    return list(
        EvaluatorAssignment.objects.filter(project=project, evaluator=actor.person)
        .select_related("criterion")
        .order_by("criterion__number")
    )


def procurement_page(actor: Actor, project: Project) -> dict[str, Any]:
    """What the procurement page shows this person: the manager's tools, the member's and
    supplier's standing, the evaluator's link."""
    manager = runs_procurements(actor)
    passed = deadline_passed(project)
    context: dict[str, Any] = {
        "manager": manager,
        "admin": approves_awards(actor),
        "criteria": list(project.criteria.order_by("number")),
        "check": criteria_check(project),
        "notices": project.notices.select_related("notice_type"),
        "deadline_passed": passed,
        "openings": list(project.openings.select_related("person")),
    }
    if manager or not actor.organisation.is_supplier:
        context["aggregate"] = aggregate_demand(project)
    if manager:
        context["evaluators"] = evaluator_choices(actor)
        context["assignments"] = project.assignments.select_related("criterion", "evaluator").order_by(
            "criterion__number"
        )
        context["bid_count"] = project.bids.filter(status=BidStatus.SUBMITTED).count()
        context["frameworks"] = live_frameworks(actor)
        context["suppliers"] = supplier_choices(actor)
        context["invited"] = [str(pk) for pk in project.invited_suppliers.values_list("pk", flat=True)]
        context["judged"] = [c for c in leaf_criteria(project) if c.kind != CriterionKind.PRICE]
    context["own_bids"] = list(own_bids(actor, project))
    context["invited_to_demand"] = (
        registers_demand(actor) and project.invited_members.filter(pk=actor.organisation.pk).exists()
    )
    context["is_evaluator"] = project.assignments.filter(evaluator=actor.person).exists()
    context["interested"] = project.interests.filter(supplier=actor.organisation).exists()
    context["can_bid"] = bids(actor) and project.status == ProjectStatus.OPEN and not passed
    return context


def answers_to(actor: Actor, project: Project, criterion: Criterion) -> list[tuple[Bid, str]]:
    """Each readable bid with its answer to one criterion (bids_for_reading audits the reads)."""
    from consortium.tendering.models import BidAnswer

    bids_ = bids_for_reading(actor, project)
    answers = dict(
        BidAnswer.objects.filter(bid__in=bids_, criterion=criterion).values_list("bid_id", "response")
    )
    return [(b, answers.get(b.pk, "")) for b in bids_]


def scores_for_moderation(actor: Actor, criterion: Criterion) -> tuple[dict[int, list[Any]], dict[int, Any]]:
    """Every evaluator's score per bid, and the consensus so far, for the category manager."""
    from consortium.tendering.models import EvaluatorScore, ModeratedScore

    if not runs_procurements(actor):
        raise PermissionDenied("The category manager moderates.")
    individual: dict[int, list[Any]] = {}
    for s in EvaluatorScore.objects.filter(criterion=criterion).select_related("evaluator"):
        individual.setdefault(s.bid_id, []).append(s)
    consensus = {m.bid_id: m for m in ModeratedScore.objects.filter(criterion=criterion)}
    return individual, consensus


def bid_for_summary(actor: Actor, project_id: int, bid_id: int) -> Bid:
    """A bid whose assessment summary is asked for; assessment_summary decides who may see it."""
    bid = (
        Bid.objects.select_related("project", "lot", "supplier")
        .filter(pk=bid_id, project_id=project_id)
        .first()
    )
    if bid is None:
        raise NotFound("No such bid")
    return bid


# --- the awarded contract --------------------------------------------------------------------


def contract_value(project: Project) -> Decimal:
    """The contract's value over its term with extensions, including VAT, with every variation."""
    years = Decimal(project.term_months + project.extension_months) / 12
    annual = sum((b.price for b in Bid.objects.filter(project=project, is_winner=True)), Decimal(0))
    annual += sum((v.annual_value_change for v in project.variations.all()), Decimal(0))
    return annual * years * (1 + VAT_RATE)


def contract_management(actor: Actor, project: Project) -> dict[str, Any]:
    """The awarded contract as managed (for anyone who may see the procurement)."""
    contract = project.awarded_contract
    if contract is None:
        raise NotFound("This procurement has not awarded a contract")
    return {
        "reference": contract.reference,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "value_including_vat": to_penny(contract_value(project)),
        "terminated_on": project.terminated_on,
        "termination_reason": project.termination_reason,
        "milestones": list(project.milestones.all()),
        "variations": list(project.variations.all()),
        "assessments": list(project.assessments.all()),
    }
