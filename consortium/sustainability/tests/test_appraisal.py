"""Supplier appraisal: answered once by the supplier with evidence, scored by the consortium,
valid for a year, seen on the marketplace; a supplier sees and changes only its own."""

from __future__ import annotations

from decimal import Decimal

import pytest

from consortium.audit.models import AuditEvent
from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.sustainability import appraisal

pytestmark = pytest.mark.django_db

ANSWERS = {
    "ems": "yes",
    "crp": "yes",
    "crp_baseline_year": "2019",
    "weee_takeback": "no",
    "scope1": "120.5",
    "scope2": "40",
    "scope3": "900",
    "net_zero_year": "2040",
    "modern_slavery": "yes",
    "living_wage": "no",
    "sme": "yes",
    "vcse": "no",
    "local_staff_percent": "80",
    "apprentices": "3",
}
EVIDENCE = {
    "ems": "ISO 14001 certificate 12345",
    "crp": "https://example.org/crp",
    "modern_slavery": "Statement 2026",
}


def test_a_supplier_answers_once_with_evidence_and_the_consortium_scores(world, market, signed_in) -> None:  # type: ignore[no-untyped-def]
    supplier = world.actor(Role.SUPPLIER_USER)
    with pytest.raises(ValidationFailed) as e:
        appraisal.submit(
            actor=supplier, answers={**ANSWERS, "ems": "maybe", "net_zero_year": "soon"}, evidence={}
        )
    assert e.value.field_errors["ems"] == "Answer yes or no"
    assert e.value.field_errors["net_zero_year"] == "Enter a year, for example 2040"
    assert e.value.field_errors["crp_evidence"].startswith("Say what shows it")
    a = appraisal.submit(actor=supplier, answers=ANSWERS, evidence=EVIDENCE)
    assert a.answers["ems"] is True and a.answers["scope1"] == "120.5"
    suggested = appraisal.suggested_points(a)
    assert suggested == {
        "ems": 10,
        "crp": 10,
        "net_zero_year": 10,
        "modern_slavery": 10,
        "living_wage": 0,
        "local_staff_percent": 8,
        "apprentices": 3,
        "weee_takeback": 0,  # asked: the supplier sells ICT equipment
    }
    with pytest.raises(PermissionDenied):
        appraisal.score(actor=supplier, appraisal_id=a.pk, points=suggested)
    with pytest.raises(ValidationFailed, match="Check the points"):
        appraisal.score(
            actor=world.actor(Role.CATEGORY_MANAGER), appraisal_id=a.pk, points={**suggested, "ems": 11}
        )
    scored = appraisal.score(actor=world.actor(Role.CATEGORY_MANAGER), appraisal_id=a.pk, points=suggested)
    assert scored.score_percent == Decimal("63.8")  # 51 of 80
    assert AuditEvent.objects.filter(action__in=["appraisal.submit", "appraisal.score"]).count() == 2
    # The marketplace shows it beside the supplier's items.
    page = signed_in(Role.MEMBER_BUYER).get(f"/marketplace/items/{market.paper.pk}/").content.decode()
    assert "Scored 63.8% by the consortium" in page and "net zero by 2040" in page
    # A rival supplier sees none of it; a member cannot list appraisals.
    rival = Actor(
        person=world.people[Role.SUPPLIER_USER],
        organisation=world.other_supplier,
        roles=frozenset({Role.SUPPLIER_USER}),
    )
    assert not appraisal.appraisals(rival).exists()
    with pytest.raises(PermissionDenied):
        appraisal.appraisals(world.actor(Role.MEMBER_BUYER))
    # Submitting again replaces the current one, which then needs scoring again.
    again = appraisal.submit(actor=supplier, answers=ANSWERS, evidence=EVIDENCE)
    assert list(appraisal.appraisals(supplier).filter(current=True)) == [again]
    assert appraisal.summary(world.supplier) is None


def test_a_tender_criterion_reuses_the_bidders_appraisal_answer(world) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal as D

    from consortium.tendering import services as tendering
    from consortium.tendering.models import Criterion
    from consortium.tendering.sealing import content_of
    from consortium.tendering.tests.factories import tender_at

    cm = world.actor(Role.CATEGORY_MANAGER)
    draft = tender_at(world, "draft", title="Grounds maintenance")
    with pytest.raises(ValidationFailed) as e:
        tendering.criterion_add(
            actor=cm, project=draft, title="Pay", weight=D(10), appraisal_question="nonsense"
        )
    assert e.value.field_errors == {"appraisal_question": "Choose a question of the sustainability appraisal"}
    made = tendering.criterion_add(
        actor=cm, project=draft, title="Fair pay", weight=D(10), appraisal_question="living_wage"
    )
    assert made.appraisal_question == "living_wage"

    project = tender_at(world, "open")
    social = Criterion.objects.get(project=project, kind="social_value")
    Criterion.objects.filter(pk=social.pk).update(appraisal_question="living_wage")
    supplier = world.actor(Role.SUPPLIER_USER)
    answers = {
        c.pk: "Our answer"
        for c in Criterion.objects.filter(project=project, children__isnull=True).exclude(kind="price")
    }
    answers[social.pk] = ""
    with pytest.raises(ValidationFailed, match="Check your bid"):  # no appraisal yet: it must be answered
        tendering.bid_submit(
            actor=supplier,
            project=project,
            lot_number=1,
            answers=answers,
            price_lines=[tendering.PriceLineIn(1, D("4.10"))],
        )
    appraisal.submit(
        actor=supplier,
        answers={
            **{k: v for k, v in ANSWERS.items() if k in appraisal.questions_for(world.supplier)},
            "living_wage": "yes",
        },
        evidence={**EVIDENCE, "living_wage": "Accredited since 2024"},
    )
    bid = tendering.bid_submit(
        actor=supplier,
        project=project,
        lot_number=1,
        answers=answers,
        price_lines=[tendering.PriceLineIn(1, D("4.10"))],
    )
    # The bid is sealed: the bidder's own reading shows what was reused.
    reused = content_of(bid).answers[social.pk]
    assert (
        reused.startswith("From our sustainability appraisal") and "Real Living Wage employer? Yes" in reused
    )
    assert "Accredited since 2024" in reused


def test_suppliers_are_asked_the_questions_of_the_categories_they_sell_in(world, market) -> None:  # type: ignore[no-untyped-def]
    ict_seller = appraisal.questions_for(world.supplier)  # paper, pens and a laptop
    stationer = appraisal.questions_for(world.other_supplier)  # sticky notes and widgets
    assert "weee_takeback" in ict_seller and "local_food_percent" not in ict_seller
    assert not {"weee_takeback", "local_food_percent", "certified_timber"} & set(stationer)
    assert "ems" in stationer and "crp" in stationer
