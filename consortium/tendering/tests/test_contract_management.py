"""The awarded contract managed: milestones, variations (UK10), performance (UK9 over £5m),
termination (UK11), each in the open data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from consortium.contracts.constants import ContractStatus
from consortium.core.dates import today_in_london
from consortium.core.errors import Conflict, PermissionDenied, ValidationFailed
from consortium.organisations.constants import Role
from consortium.tendering import ocds, selectors, services
from consortium.tendering.tests.factories import tender_at
from consortium.tendering.tests.test_ocds import _errors
from consortium.tendering.timetable import term_end

pytestmark = pytest.mark.django_db


def test_milestones_variations_performance_and_termination_reach_the_notices_and_open_data(world):
    project = tender_at(world, "awarded")
    cm = world.actor(Role.CATEGORY_MANAGER)
    contract = project.awarded_contract
    assert contract is not None
    today = today_in_london()
    with pytest.raises(PermissionDenied):
        services.milestone_add(
            actor=world.actor(Role.SUPPLIER_USER), project=project, title="x", due_on=today
        )
    services.milestone_add(actor=cm, project=project, title="First deliveries to every member", due_on=today)
    services.milestone_record(actor=cm, project=project, number=1, met=True)
    with pytest.raises(ValidationFailed):
        services.milestone_record(
            actor=cm, project=project, number=1, met=True, on=today + dt.timedelta(days=1)
        )
    # A variation within the extensions the tender allowed; beyond them is a new procurement.
    latest = term_end(contract.start_date, project.term_months + project.extension_months)
    with pytest.raises(ValidationFailed) as caught:
        services.contract_vary(
            actor=cm,
            project=project,
            description="Longer",
            rationale="r",
            new_end_date=latest + dt.timedelta(days=1),
        )
    assert "new procurement" in caught.value.field_errors["new_end_date"]
    services.contract_vary(
        actor=cm,
        project=project,
        description="A3 paper added to lot 1",
        rationale="Permitted by the contract's price review clause",
        annual_value_change=D("1200.00"),
        new_end_date=latest,
    )
    contract.refresh_from_db()
    assert contract.end_date == latest
    services.performance_assess(
        actor=cm, project=project, kpi="Orders delivered on time", period_end=today, rating="good"
    )
    # Under £5m: the assessment is recorded, no UK9 notice.
    assert not project.notices.filter(notice_type__code="UK9").exists()
    assert project.notices.filter(notice_type__code="UK10").count() == 1
    services.contract_terminate(actor=cm, project=project, reason="The supplier ceased trading")
    contract.refresh_from_db()
    project.refresh_from_db()
    assert contract.status == ContractStatus.EXPIRED and contract.end_date == max(today, contract.start_date)
    assert project.notices.filter(notice_type__code="UK11").exists()
    with pytest.raises(Conflict):
        services.milestone_add(actor=cm, project=project, title="Too late", due_on=today)

    tags = [r.body["tag"] for r in project.releases.order_by("id")][-5:]
    assert tags == [
        ["implementation"],
        ["implementationUpdate"],
        ["contractAmendment"],
        ["implementationUpdate"],
        ["contractTermination"],
    ]
    package = ocds.release_package(project)
    assert _errors("release-package-schema.json", package) == []
    compiled = ocds.compiled_release(project)
    lot_contract = compiled["contracts"][0]
    assert lot_contract["status"] == "terminated"
    assert lot_contract["amendments"][0]["description"] == "A3 paper added to lot 1"
    milestones = {m["id"]: m for m in lot_contract["implementation"]["milestones"]}
    assert milestones["milestone-1"]["status"] == "met"
    winner = project.bids.get(is_winner=True)
    years = D(project.term_months + project.extension_months) / 12
    assert D(str(lot_contract["value"]["amount"])) == ((winner.price + D(1200)) * years).quantize(D("0.01"))
    management = selectors.contract_management(cm, project)
    assert management["terminated_on"] == today and len(management["variations"]) == 1


def test_a_contract_over_five_million_publishes_its_performance(world, monkeypatch):
    project = tender_at(world, "awarded")
    monkeypatch.setattr(selectors, "contract_value", lambda p: D("6000000"))
    services.performance_assess(
        actor=world.actor(Role.CATEGORY_MANAGER),
        project=project,
        kpi="Orders delivered on time",
        period_end=today_in_london(),
        rating="requires_improvement",
        notes="Two late deliveries",
    )
    notice = project.notices.get(notice_type__code="UK9")
    rows = dict(r for s in notice.body["sections"] for r in s["rows"])
    assert (
        rows["Rating"] == "Requires improvement"
        and rows["Key performance indicator"] == "Orders delivered on time"
    )


def test_the_contract_pages_name_every_error_and_keep_what_was_typed(world, client):
    project = tender_at(world, "awarded")
    client.force_login(world.people[Role.CATEGORY_MANAGER])
    overview = client.get(f"/tenders/{project.pk}/contract/").content.decode()
    assert "Managing contract" in overview and "Vary the contract" in overview
    bad = client.post(
        f"/tenders/{project.pk}/contract/variation/",
        {"description": "", "rationale": "Extension", "annual_value_change": "lots", "lot_number": "1"},
    )
    body = bad.content.decode()
    assert bad.status_code == 400 and 'href="#description"' in body and 'href="#annual_value_change"' in body
    assert 'value="lots"' in body
    good = client.post(
        f"/tenders/{project.pk}/contract/milestone/",
        {"title": "Mobilisation", "due_on-day": "1", "due_on-month": "2", "due_on-year": "2027"},
    )
    assert good.status_code == 302 and project.milestones.filter(title="Mobilisation").exists()
    recorded = client.post(f"/tenders/{project.pk}/contract/milestones/1/", {"met": "false"})
    assert recorded.status_code == 302
    assert client.get(f"/tenders/{project.pk}/contract/nonsense/").status_code == 404
