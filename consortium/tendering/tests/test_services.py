"""The procurement from demand to awarded contract, and each rule on the way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core import mail

from consortium.audit.models import AuditEvent
from consortium.catalogue.models import CatalogueItem
from consortium.contracts.constants import Access
from consortium.core.dates import today_in_london
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.organisations.constants import Role
from consortium.tendering import selectors, services
from consortium.tendering.constants import PROJECT_TRANSITIONS, CriterionKind, Declaration, ProjectStatus
from consortium.tendering.models import Bid, EvaluatorScore, Notice, Project
from consortium.tendering.sealing import content_of
from consortium.tendering.tests.factories import (
    EVALUATION_STEPS,
    STAGES,
    leaf,
    pass_deadline,
    rival,
    tender_at,
)
from consortium.tendering.timetable import earliest_timetable

pytestmark = pytest.mark.django_db
S = ProjectStatus


def test_the_whole_procurement_ends_in_a_live_contract_for_the_members_who_asked(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        project = tender_at(world, "awarded")
    contract = project.awarded_contract
    assert contract is not None and contract.status == "live"
    assert contract.access == Access.NAMED
    assert set(contract.access_named.all()) == {world.member, world.other_member}
    [lot] = contract.lots.all()
    winner = Bid.objects.get(project=project, is_winner=True)
    assert list(lot.suppliers.all()) == [winner.supplier]
    item = CatalogueItem.objects.get(lot=lot)
    assert item.unit_price == winner.price_lines.get().unit_price
    assert [n.notice_type.code for n in Notice.objects.filter(project=project)] == ["UK4", "UK6", "UK7"]
    assert {"supplier_user@example.org", "rival@example.org"} <= {m.to[0] for m in mail.outbox}


def test_the_aggregate_values_the_term_with_extensions_including_vat_against_the_threshold(world):
    project = tender_at(world, "demand")
    aggregate = selectors.aggregate_demand(project, on=dt.date(2026, 6, 1))
    # £60,000 a year + 4,000 reams × £4.50 = £78,000 a year; 36 months; + 20% VAT.
    assert aggregate.annual_value == D("78000.00")
    assert aggregate.value_over_term_incl_vat == D("280800.00")
    assert aggregate.threshold.amount == D("207720.00")
    assert aggregate.above_threshold
    assert {p.code for p in aggregate.procedures} >= {"open", "competitive_flexible"}
    assert "quotation" not in {p.code for p in aggregate.procedures}
    # The same demand in 2025 met the earlier (higher) threshold.
    assert selectors.aggregate_demand(project, on=dt.date(2025, 6, 1)).threshold.amount == D("214904.00")


def test_a_member_not_invited_cannot_register_demand_and_bad_rows_are_named(world):
    project = tender_at(world, "demand")
    buyer = world.actor(Role.MEMBER_BUYER)
    with pytest.raises(ValidationFailed) as caught:
        services.demand_record(
            actor=buyer,
            project=project,
            rows=[
                services.DemandIn(1, today_in_london()),
                services.DemandIn(7, today_in_london(), annual_value=D(1)),
            ],
        )
    assert set(caught.value.field_errors) == {"lot 1: annual_value", "lot 7: lot"}
    with pytest.raises(PermissionDenied):
        services.demand_record(actor=world.actor(Role.SUPPLIER_USER), project=project, rows=[])
    project.invited_members.remove(world.member)
    with pytest.raises(NotFound):
        services.demand_record(
            actor=buyer, project=project, rows=[services.DemandIn(1, today_in_london(), annual_value=D(1))]
        )


def test_a_quotation_process_is_refused_above_the_threshold(world):
    project = tender_at(world, "demand")
    cm = world.actor(Role.CATEGORY_MANAGER)
    services.demand_close(actor=cm, project=project)
    procedure = selectors.procedure_in_force("quotation", today_in_london())
    with pytest.raises(ValidationFailed) as caught:
        services.timetable_set(
            actor=cm,
            project=project,
            procedure_code="quotation",
            timetable=earliest_timetable(selectors.rules_of(procedure), today_in_london()),
        )
    assert "below-threshold" in caught.value.field_errors["procedure"]


def test_a_short_timetable_is_refused_with_the_rule_named(world):
    project = tender_at(world, "preparation")
    cm = world.actor(Role.CATEGORY_MANAGER)
    procedure = selectors.procedure_in_force("open", today_in_london())
    t = earliest_timetable(selectors.rules_of(procedure), today_in_london())
    t.tender_deadline -= dt.timedelta(days=3)
    with pytest.raises(ValidationFailed) as caught:
        services.timetable_set(actor=cm, project=project, procedure_code="open", timetable=t)
    assert "Procurement Act 2023" in caught.value.field_errors["tender_deadline"]


def test_publication_needs_weights_that_share_out_100_percent_and_warns_on_low_social_value(world):
    project = tender_at(world, "preparation")
    cm = world.actor(Role.CATEGORY_MANAGER)
    services.criterion_add(actor=cm, project=project, title="Extra", weight=D(5))
    with pytest.raises(Conflict, match="add up to 105%"):
        services.tender_publish(actor=cm, project=project)
    check = selectors.criteria_check(tender_at(world, "draft", title="Another"))
    assert check.problems == [] and check.warnings == []
    low = tender_at(world, "draft", title="Low social value")
    services.criterion_add(actor=cm, project=low, title="More quality", weight=D(5))
    sv = low.criteria.get(kind=CriterionKind.SOCIAL_VALUE)
    low.criteria.filter(pk=sv.pk).update(weight=D(5))
    assert any("at least 10%" in w for w in selectors.criteria_check(low).warnings)


def test_bids_may_be_withdrawn_and_resubmitted_until_the_deadline_then_nothing_is_accepted(world):
    project = tender_at(world, "open")
    supplier = world.actor(Role.SUPPLIER_USER)
    bid = Bid.objects.get(project=project, supplier=world.supplier)
    services.bid_withdraw(actor=supplier, bid=bid)
    assert Bid.objects.get(pk=bid.pk).status == "withdrawn"
    answers = {c.pk: "Resubmitted" for c in selectors.leaf_criteria(project) if c.kind != "price"}
    lines = [services.PriceLineIn(1, D("4.00"))]
    again = services.bid_submit(
        actor=supplier, project=project, lot_number=1, answers=answers, price_lines=lines, submission_key="k1"
    )
    # Sealed: nothing in the table says the price; the bidder's own reading does (4,000 × £4).
    assert again.pk == bid.pk and again.status == "submitted" and again.price == 0
    assert content_of(again).price == D("16000.00")
    # A double click: the same bid, unchanged.
    same = services.bid_submit(
        actor=supplier, project=project, lot_number=1, answers=answers, price_lines=lines, submission_key="k1"
    )
    assert same.submitted_at == again.submitted_at
    pass_deadline(project)
    with pytest.raises(Conflict, match="deadline has passed"):
        services.bid_submit(actor=supplier, project=project, lot_number=1, answers=answers, price_lines=lines)
    with pytest.raises(Conflict):
        services.bid_withdraw(actor=supplier, bid=bid)


def test_a_bid_must_answer_every_criterion_and_price_the_schedule(world):
    project = tender_at(world, "open")
    with pytest.raises(ValidationFailed) as caught:
        services.bid_submit(actor=world.actor(Role.SUPPLIER_USER), project=project, lot_number=1, answers={})
    assert len([k for k in caught.value.field_errors if k.startswith("answer_")]) == 3
    assert caught.value.field_errors["items[1].unit_price"] == "Enter a unit price for item 1, Paper"


def test_clarification_answers_reach_every_bidder_without_naming_the_asker(world):
    project = tender_at(world, "open")
    question = services.clarification_ask(
        actor=rival(world), project=project, question="Is 75gsm acceptable?"
    )
    supplier = world.actor(Role.SUPPLIER_USER)
    assert list(selectors.clarifications_for(supplier, project)) == []
    services.clarification_answer(
        actor=world.actor(Role.CATEGORY_MANAGER), clarification=question, answer="No: 80gsm."
    )
    [seen] = selectors.clarifications_for(supplier, project)
    assert seen.answer == "No: 80gsm."


def test_opening_needs_the_deadline_and_two_different_people(world):
    project = tender_at(world, "open")
    cm, ca = world.actor(Role.CATEGORY_MANAGER), world.actor(Role.CONSORTIUM_ADMIN)
    with pytest.raises(Conflict, match="before the tender deadline"):
        services.opening_record(actor=cm, project=project)
    pass_deadline(project)
    services.opening_record(actor=cm, project=project)
    with pytest.raises(Conflict, match="second authorised person"):
        services.opening_record(actor=cm, project=project)
    project.refresh_from_db()
    assert project.status == S.OPEN and project.opened_at is None
    with pytest.raises(PermissionDenied):
        services.opening_record(actor=world.actor(Role.EVALUATOR), project=project)
    services.opening_record(actor=ca, project=project)
    project.refresh_from_db()
    assert project.status == S.EVALUATION and project.opened_at is not None


def test_an_evaluator_declares_before_seeing_bids_and_a_conflict_removes_them(world):
    project = tender_at(world, "evaluation")
    ev = world.actor(Role.EVALUATOR)
    bid = Bid.objects.filter(project=project).first()
    with pytest.raises(PermissionDenied):
        selectors.bid_for_reading(ev, bid.pk)
    services.declaration_make(
        actor=ev, project=project, conflict=True, note="My brother works for the bidder"
    )
    assert set(project.assignments.values_list("declaration", flat=True)) == {Declaration.CONFLICT}
    with pytest.raises(PermissionDenied):
        selectors.bid_for_reading(ev, bid.pk)
    with pytest.raises(PermissionDenied):
        services.scoresheet_submit(
            actor=ev, criterion=leaf(project, "1.1"), scores={bid.pk: services.ScoreIn(3, "x")}
        )


def test_evaluators_score_alone_and_moderation_waits_for_every_score(world):
    project = tender_at(world, "evaluation")
    ev, cm = world.actor(Role.EVALUATOR), world.actor(Role.CATEGORY_MANAGER)
    services.declaration_make(actor=ev, project=project, conflict=False)
    bids = list(Bid.objects.filter(project=project))
    criterion = leaf(project, "1.1")
    with pytest.raises(Conflict, match="evaluator scores are still to come"):
        services.moderation_submit(
            actor=cm, criterion=criterion, consensus={b.pk: services.ScoreIn(3, "ok") for b in bids}
        )
    with pytest.raises(ValidationFailed) as caught:
        services.scoresheet_submit(
            actor=ev, criterion=criterion, scores={bids[0].pk: services.ScoreIn(9, "")}
        )
    assert f"score_{bids[0].pk}" in caught.value.field_errors
    services.scoresheet_submit(
        actor=ev, criterion=criterion, scores={b.pk: services.ScoreIn(3, "Sound") for b in bids}
    )
    assert EvaluatorScore.objects.filter(criterion=criterion).count() == len(bids)
    assert set(selectors.my_scores(ev, criterion)) == {b.pk for b in bids}
    assert selectors.my_scores(world.actor(Role.CATEGORY_MANAGER), criterion) == {}
    services.moderation_submit(
        actor=cm, criterion=criterion, consensus={b.pk: services.ScoreIn(3, "Agreed") for b in bids}
    )
    with pytest.raises(Conflict, match="consensus scores are still to be moderated"):
        services.evaluation_finalise(actor=cm, project=project)


def test_results_rank_the_better_bid_first_and_bidders_see_their_summary(world):
    project = tender_at(world, "standstill")
    ours = Bid.objects.get(project=project, supplier=world.supplier)
    theirs = Bid.objects.get(project=project, supplier=world.other_supplier)
    # Ours: quality 4/5 on 60% of the marks = 48, price 3,900/4,200 × 40 = 37.14 → 85.14.
    # Theirs: quality 3/5 × 60 = 36, price 40 → 76.
    assert (ours.total_score, ours.rank, ours.is_winner) == (D("85.14"), 1, True)
    assert (theirs.total_score, theirs.rank) == (D("76.00"), 2)
    summary = selectors.assessment_summary(rival(world), theirs)
    price = next(r for r in summary if r.criterion.kind == "price")
    assert (price.own_points, price.winner_points) == (D("40.00"), D("37.14"))
    with pytest.raises(NotFound):
        selectors.assessment_summary(rival(world), ours)
    assert project.standstill_ends_on is not None and project.standstill_ends_on > today_in_london()
    with pytest.raises(Conflict, match="Standstill runs until"):
        services.award_conclude(actor=world.actor(Role.CATEGORY_MANAGER), project=project)


def test_only_an_admin_approves_the_award(world):
    project = tender_at(world, "evaluation")
    with pytest.raises(PermissionDenied):
        services.award_approve(actor=world.actor(Role.CATEGORY_MANAGER), project=project)


@pytest.mark.parametrize(("start", "to"), [(a, b) for a in S for b in S])
def test_every_status_change_is_allowed_or_refused_as_the_table_says(world, start, to):
    project = tender_at(world, "draft")
    Project.objects.filter(pk=project.pk).update(status=start)
    project.refresh_from_db()
    actor = world.actor(Role.CATEGORY_MANAGER)
    if to in PROJECT_TRANSITIONS[start]:
        services._move(actor, project, to)
        assert Project.objects.get(pk=project.pk).status == to
    else:
        with pytest.raises(Conflict):
            services._move(actor, project, to)
        assert Project.objects.get(pk=project.pk).status == start


def test_cancelling_a_published_tender_publishes_a_termination_notice(world):
    project = tender_at(world, "open")
    services.project_cancel(
        actor=world.actor(Role.CATEGORY_MANAGER), project=project, reason="Budget withdrawn"
    )
    assert Notice.objects.filter(project=project, notice_type__code="UK12").exists()
    assert project.releases.last().body["tender"]["status"] == "cancelled"


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_is_reachable(world, stage):
    assert tender_at(world, stage).status == stage


@pytest.mark.parametrize("step", EVALUATION_STEPS)
def test_each_evaluation_step_is_reachable(world, step):
    assert tender_at(world, step).status == S.EVALUATION


def test_whole_life_cost_tenders_compare_discounted_costs(world):
    cm = world.actor(Role.CATEGORY_MANAGER)
    project = tender_at(world, "draft", title="Minibuses")
    services.price_method_set(actor=cm, project=project, method="whole_life_cost", discount_rate=D("3.5"))
    project.refresh_from_db()
    assert project.price_method == "whole_life_cost"
    with pytest.raises(ValidationFailed):
        services.price_method_set(actor=cm, project=project, method="whole_life_cost", discount_rate=D(50))


def test_every_change_is_audited_and_no_audit_event_holds_a_bids_content(world):
    project = tender_at(world, "standstill")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "procurement.create",
        "bid.submit",
        "procurement.opening_record",
        "procurement.standstill",
    } <= actions
    text = " ".join(str(e.changes) for e in AuditEvent.objects.filter(action__startswith="bid."))
    assert "We will meet" not in text
    assert project.status == S.STANDSTILL


def test_a_whole_scoring_workbook_is_stored_at_once_and_only_for_the_evaluators_criteria(world):
    project = tender_at(world, "declared")
    ev, cm = world.actor(Role.EVALUATOR), world.actor(Role.CATEGORY_MANAGER)
    judged = [leaf(project, n) for n in ("1.1", "1.2", "2")]
    bids = list(Bid.objects.filter(project=project))
    sheet = {(c.pk, b.pk): services.ScoreIn(2, "Partial evidence") for c in judged for b in bids}
    assert services.scores_submit(actor=ev, project=project, scores=sheet) == 6
    assert EvaluatorScore.objects.filter(bid__project=project).count() == 6
    # Again: the scores are replaced, not added to.
    services.scores_submit(actor=ev, project=project, scores=sheet)
    assert EvaluatorScore.objects.filter(bid__project=project).count() == 6
    project.assignments.filter(criterion=judged[2]).delete()
    with pytest.raises(PermissionDenied):
        services.scores_submit(actor=ev, project=project, scores=sheet)
    with pytest.raises(ValidationFailed) as caught:
        services.consensus_submit(
            actor=cm, project=project, consensus={(judged[0].pk, bids[0].pk): services.ScoreIn(7, "")}
        )
    assert f"score_{bids[0].pk}" in caught.value.field_errors
    services.consensus_submit(
        actor=cm,
        project=project,
        consensus={(c.pk, b.pk): services.ScoreIn(2, "Agreed") for c in judged[:2] for b in bids},
    )
    with pytest.raises(Conflict, match="No evaluator"):
        services.consensus_submit(
            actor=cm,
            project=project,
            consensus={(judged[2].pk, b.pk): services.ScoreIn(2, "Agreed") for b in bids},
        )


def test_a_direct_award_is_open_only_to_the_named_supplier_and_uses_the_same_evaluation(world):
    project = tender_at(world, "preparation")
    cm = world.actor(Role.CATEGORY_MANAGER)
    services.bidders_invite(actor=cm, project=project, suppliers=[world.supplier])
    procedure = selectors.procedure_in_force("direct_award", today_in_london())
    t = earliest_timetable(selectors.rules_of(procedure), today_in_london())
    t.tender_deadline = t.publication + dt.timedelta(days=7)
    t.clarification_deadline = t.publication + dt.timedelta(days=1)
    services.timetable_set(actor=cm, project=project, procedure_code="direct_award", timetable=t)
    services.tender_publish(actor=cm, project=project)
    assert Notice.objects.filter(project=project, notice_type__code="UK5").exists()
    answers = {c.pk: "Answer" for c in selectors.leaf_criteria(project) if c.kind != "price"}
    lines = [services.PriceLineIn(1, D(4))]
    with pytest.raises(PermissionDenied, match="invited"):
        services.bid_submit(
            actor=rival(world), project=project, lot_number=1, answers=answers, price_lines=lines
        )
    assert project not in selectors.project_list_for(rival(world))
    services.bid_submit(
        actor=world.actor(Role.SUPPLIER_USER),
        project=project,
        lot_number=1,
        answers=answers,
        price_lines=lines,
    )


def test_a_mini_competition_invites_the_frameworks_suppliers_and_needs_no_standstill(world, market):
    project = tender_at(world, "preparation", title="Stationery call-off")
    cm = world.actor(Role.CATEGORY_MANAGER)
    with pytest.raises(ValidationFailed):
        services.bidders_invite(actor=cm, project=project, suppliers=[world.member])
    services.bidders_invite(actor=cm, project=project, framework=market.contract)
    assert set(project.invited_suppliers.all()) == {world.supplier, world.other_supplier}
    procedure = selectors.procedure_in_force("call_off", today_in_london())
    t = earliest_timetable(selectors.rules_of(procedure), today_in_london())
    t.tender_deadline = t.publication + dt.timedelta(days=7)
    t.clarification_deadline = t.publication + dt.timedelta(days=2)
    t.standstill_ends = t.award_decision
    t.contract_start = t.award_decision
    services.timetable_set(actor=cm, project=project, procedure_code="call_off", timetable=t)
    project.refresh_from_db()
    assert project.procedure is not None and project.procedure.standstill_working_days == 0


def test_a_qualifying_planned_procurement_notice_is_recorded_and_shortens_the_period(world):
    project = tender_at(world, "preparation")
    cm = world.actor(Role.CATEGORY_MANAGER)
    today = today_in_london()
    procedure = selectors.procedure_in_force("open", today)
    planned = today - dt.timedelta(days=60)
    t = earliest_timetable(selectors.rules_of(procedure), today, planned_notice=planned)
    assert t.tender_deadline == today + dt.timedelta(days=10)
    services.timetable_set(
        actor=cm, project=project, procedure_code="open", timetable=t, planned_notice_on=planned
    )
    assert Notice.objects.filter(project=project, notice_type__code="UK3").count() == 1
