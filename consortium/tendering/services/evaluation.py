"""Evaluating bids: evaluators, conflict declarations, independent scores, moderation, results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from consortium.audit.services import audit_record
from consortium.core.bulk import insert_rows
from consortium.core.dates import now
from consortium.core.email import absolute_url
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.organisations.models import Person
from consortium.organisations.selectors import notification_emails
from consortium.tendering import selectors
from consortium.tendering.constants import (
    BidStatus,
    CriterionKind,
    Declaration,
    PriceMethod,
)
from consortium.tendering.models import (
    Bid,
    Criterion,
    EvaluatorAssignment,
    EvaluatorScore,
    ModeratedScore,
    Project,
)
from consortium.tendering.scoring import (
    BidResult,
    CostProfile,
    price_points,
    quality_points,
    rank,
    whole_life_cost,
)
from consortium.tendering.services._common import ZERO, S, _require_manager, _tell


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
                    b.annual_emissions or ZERO,
                ),
                years,
                project.discount_rate,
                project.carbon_price or ZERO,
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
        # One statement per bid, sent together (psycopg pipelines them): Django's bulk_update
        # builds a CASE per field per bid, which cost more than the rest of the ranking.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Bid._meta.db_table} SET price_compared = %s, total_score = %s, rank = %s WHERE id = %s",  # noqa: S608
                [(b.price_compared, b.total_score, b.rank, b.pk) for b in bids],
            )
        audit_record(
            actor=actor,
            action="procurement.results",
            obj=project,
            organisation=project.run_by,
            changes={"bids": len(bids)},
        )
    return bids
