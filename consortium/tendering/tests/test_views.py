"""The tendering pages' forms: what each role posts, and errors named against their fields."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.test import Client
from openpyxl import load_workbook

from consortium.core.dates import today_in_london
from consortium.organisations.constants import Role
from consortium.tendering.models import Bid, DemandReturn, EvaluatorScore, Project
from consortium.tendering.sealing import content_of
from consortium.tendering.tests.factories import leaf, tender_at

pytestmark = pytest.mark.django_db


def _client(world, role):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.people[role])
    return client


def test_a_category_manager_starts_a_procurement_and_invites_members(world):
    cm = _client(world, Role.CATEGORY_MANAGER)
    response = cm.post(
        "/tenders/new/",
        {
            "title": "Cleaning materials",
            "contract_type": "goods",
            "authority_type": "sub_central",
            "category": "cleaning",
            "term_months": "48",
            "extension_months": "24",
            "lot_title": "Washroom",
            "estimated_unit_price": "2.50",
            "lot_unit": "case",
        },
    )
    project = Project.objects.get(title="Cleaning materials")
    assert response.status_code == 302 and project.category == "cleaning"
    assert project.lots.get().estimated_unit_price == D("2.50")
    closes = (today_in_london() + dt.timedelta(days=10)).isoformat()
    assert (
        cm.post(
            f"/tenders/{project.pk}/act/",
            {"action": "add_criterion", "criterion_title": "Price", "weight": "100", "kind": "price"},
        ).status_code
        == 302
    )
    assert (
        cm.post(f"/tenders/{project.pk}/act/", {"action": "open_demand", "closes_on": closes}).status_code
        == 302
    )
    project.refresh_from_db()
    assert project.status == "demand" and project.invited_members.count() == 3


def test_a_bad_form_names_its_fields(world):
    cm = _client(world, Role.CATEGORY_MANAGER)
    response = cm.post("/tenders/new/", {"title": "", "contract_type": "goods", "term_months": "x"})
    assert response.status_code == 400
    assert 'href="#term_months"' in response.content.decode()
    project = tender_at(world, "draft")
    response = cm.post(f"/tenders/{project.pk}/act/", {"action": "open_demand", "closes_on": "soon"})
    assert response.status_code == 400 and 'href="#closes_on"' in response.content.decode()


def test_a_member_registers_demand_on_the_page_and_by_workbook(world):
    project = tender_at(world, "demand")
    buyer = _client(world, Role.MEMBER_BUYER)
    response = buyer.post(
        f"/tenders/{project.pk}/demand/",
        {"quantity_1": "", "annual_value_1": "75000", "needed_from_1": "2027-04-01", "will_use_1": "yes"},
    )
    assert response.status_code == 302
    assert DemandReturn.objects.get(lot__project=project, member=world.member).annual_value == D("75000")
    workbook = buyer.get(f"/tenders/{project.pk}/demand.xlsx")
    wb = load_workbook(io.BytesIO(workbook.content))
    ws = wb["Demand"]
    assert ws["D2"].value == 75000
    ws["C2"] = 5000
    ws["D2"] = "lots"
    ws["F2"] = "maybe"
    bad = io.BytesIO()
    wb.save(bad)
    bad.seek(0)
    bad.name = "demand.xlsx"
    response = buyer.post(f"/tenders/{project.pk}/demand/", {"file": bad})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Sheet Demand, row 2, column D" in page and "Sheet Demand, row 2, column F" in page
    assert DemandReturn.objects.get(lot__project=project, member=world.member).estimated_quantity is None
    ws["D2"] = 80000
    ws["F2"] = "yes"
    good = io.BytesIO()
    wb.save(good)
    good.seek(0)
    good.name = "demand.xlsx"
    assert buyer.post(f"/tenders/{project.pk}/demand/", {"file": good}).status_code == 302
    demand = DemandReturn.objects.get(lot__project=project, member=world.member)
    assert (demand.estimated_quantity, demand.annual_value) == (5000, D("80000.00"))


def test_the_timetable_page_refuses_a_short_tendering_period_naming_the_rule(world):
    project = tender_at(world, "preparation")
    cm = _client(world, Role.CATEGORY_MANAGER)
    page = cm.get(f"/tenders/{project.pk}/timetable/").content.decode()
    assert "at least 25 days" in page
    today = today_in_london()
    response = cm.post(
        f"/tenders/{project.pk}/timetable/",
        {
            "procedure": "open",
            "publication": today.isoformat(),
            "clarification_deadline": (today + dt.timedelta(days=3)).isoformat(),
            "tender_deadline": (today + dt.timedelta(days=10)).isoformat(),
            "evaluation_ends": (today + dt.timedelta(days=20)).isoformat(),
            "award_decision": (today + dt.timedelta(days=20)).isoformat(),
            "standstill_ends": (today + dt.timedelta(days=40)).isoformat(),
            "contract_start": (today + dt.timedelta(days=50)).isoformat(),
            "price_method": "lowest_price",
            "discount_rate": "3.5",
        },
    )
    assert response.status_code == 400
    assert "minimum tendering period" in response.content.decode()


def test_a_supplier_bids_on_the_page_withdraws_and_resubmits(world):
    project = tender_at(world, "open")
    Bid.objects.filter(project=project, supplier=world.supplier).delete()
    supplier = _client(world, Role.SUPPLIER_USER)
    form = {f"answer_{leaf(project, n).pk}": "Our plan" for n in ("1.1", "1.2", "2")}
    # The buyer's schedule sets the item and quantity (4,000 reams registered): only the price is typed.
    page = supplier.get(f"/tenders/{project.pk}/lots/1/bid/").content.decode()
    assert (
        "Quantity a year" in page and 'name="unit_price_1"' in page and 'name="line_quantity_1"' not in page
    )
    form |= {"unit_price_1": "4.05", "submission_key": "abc"}
    # Without the declaration, nothing is submitted and what was typed comes back.
    undeclared = supplier.post(f"/tenders/{project.pk}/lots/1/bid/", form)
    assert undeclared.status_code == 400 and b'href="#declaration"' in undeclared.content
    assert b'value="4.05"' in undeclared.content and b"Our plan" in undeclared.content
    assert not Bid.objects.filter(project=project, supplier=world.supplier).exists()
    response = supplier.post(f"/tenders/{project.pk}/lots/1/bid/", form | {"declaration": "yes"})
    assert response.status_code == 302
    bid = Bid.objects.get(project=project, supplier=world.supplier)
    # Sealed at rest: the table holds no price, the bidder's own reading does.
    assert bid.price == 0 and bid.sealed_content and b"4.05" not in bid.sealed_content.encode()
    assert content_of(bid).price == D("16200.00")
    assert "£16,200.00" in supplier.get(f"/tenders/{project.pk}/lots/1/bid/").content.decode()
    assert supplier.post(f"/tenders/{project.pk}/lots/1/bid/", {"withdraw": "1"}).status_code == 302
    assert Bid.objects.get(pk=bid.pk).status == "withdrawn"
    missing = supplier.post(
        f"/tenders/{project.pk}/lots/1/bid/", {"submission_key": "x", "declaration": "yes"}
    )
    assert (
        missing.status_code == 400 and f'href="#answer_{leaf(project, "1.1").pk}"' in missing.content.decode()
    )


def test_evaluator_declares_then_scores_and_the_manager_moderates_on_the_pages(world):
    project = tender_at(world, "evaluation")
    ev = _client(world, Role.EVALUATOR)
    assert (
        "Do you have a conflict of interest?" in ev.get(f"/tenders/{project.pk}/evaluation/").content.decode()
    )
    criterion = leaf(project, "1.1")
    assert ev.get(f"/tenders/{project.pk}/criteria/{criterion.pk}/score/").status_code == 403
    assert ev.post(f"/tenders/{project.pk}/evaluation/", {"conflict": "no"}).status_code == 302
    bids = list(Bid.objects.filter(project=project))
    scores = {f"score_{b.pk}": "3" for b in bids} | {f"justification_{b.pk}": "Good evidence" for b in bids}
    assert ev.post(f"/tenders/{project.pk}/criteria/{criterion.pk}/score/", scores).status_code == 302
    assert EvaluatorScore.objects.filter(criterion=criterion).count() == 2
    cm = _client(world, Role.CATEGORY_MANAGER)
    page = cm.get(f"/tenders/{project.pk}/criteria/{criterion.pk}/moderate/").content.decode()
    assert "Good evidence" in page
    assert cm.post(f"/tenders/{project.pk}/criteria/{criterion.pk}/moderate/", scores).status_code == 302


def test_the_admin_approves_the_award_and_the_bidder_reads_its_summary(world):
    project = tender_at(world, "results")
    ca = _client(world, Role.CONSORTIUM_ADMIN)
    assert "Approve the award" in ca.get(f"/tenders/{project.pk}/results/").content.decode()
    check = ca.post(f"/tenders/{project.pk}/act/", {"action": "approve_award"})
    assert check.status_code == 200 and b"Every bidder is told the outcome" in check.content
    assert Project.objects.get(pk=project.pk).status == "evaluation"
    assert (
        ca.post(f"/tenders/{project.pk}/act/", {"action": "approve_award", "confirmed": "yes"}).status_code
        == 302
    )
    bid = Bid.objects.get(project=project, supplier=world.supplier)
    page = (
        _client(world, Role.SUPPLIER_USER)
        .get(f"/tenders/{project.pk}/bids/{bid.pk}/summary/")
        .content.decode()
    )
    assert "Your bid is the winning bid" in page


def test_ocds_downloads_are_open_data(world):
    project = tender_at(world, "awarded")
    response = Client().get(f"/tenders/{project.pk}/ocds/record.json")
    assert response.status_code == 200 and response.json()["records"][0]["ocid"] == project.ocid


def test_the_manager_names_the_suppliers_invited_to_a_direct_award(world):
    project = tender_at(world, "preparation")
    cm = _client(world, Role.CATEGORY_MANAGER)
    assert "Invite named suppliers" in cm.get(f"/tenders/{project.pk}/").content.decode()
    response = cm.post(
        f"/tenders/{project.pk}/act/", {"action": "invite_bidders", "suppliers": [str(world.supplier.pk)]}
    )
    assert response.status_code == 302
    assert list(project.invited_suppliers.all()) == [world.supplier]
    refused = cm.post(f"/tenders/{project.pk}/act/", {"action": "invite_bidders"})
    assert refused.status_code == 400 and 'href="#suppliers"' in refused.content.decode()


def test_an_evaluator_scores_offline_in_the_scoring_workbook(world):
    project = tender_at(world, "declared")
    ev = _client(world, Role.EVALUATOR)
    download = ev.get(f"/tenders/{project.pk}/evaluation/scores.xlsx")
    wb = load_workbook(io.BytesIO(download.content))
    ws = wb["Scores"]
    assert ws.max_row == 1 + 3 * 2  # three criteria × two bids
    assert "We will meet" in str(ws["E2"].value)
    for row in range(2, ws.max_row + 1):
        ws[f"F{row}"] = 3
        ws[f"G{row}"] = "Meets it with evidence"
    ws["F3"] = 9
    ws["G4"] = None
    bad = io.BytesIO()
    wb.save(bad)
    bad.seek(0)
    bad.name = "scores.xlsx"
    page = ev.post(f"/tenders/{project.pk}/evaluation/", {"file": bad}).content.decode()
    assert "Sheet Scores, row 3, column F" in page and "Sheet Scores, row 4, column G" in page
    assert not EvaluatorScore.objects.filter(bid__project=project).exists()
    ws["F3"] = 4
    ws["G4"] = "Fine"
    good = io.BytesIO()
    wb.save(good)
    good.seek(0)
    good.name = "scores.xlsx"
    assert ev.post(f"/tenders/{project.pk}/evaluation/", {"file": good}).status_code == 302
    assert EvaluatorScore.objects.filter(bid__project=project).count() == 6


def test_a_supplier_registers_interest_on_the_page(world):
    project = tender_at(world, "open")
    project.interests.all().delete()
    supplier = _client(world, Role.SUPPLIER_USER)
    assert "Register interest" in supplier.get(f"/tenders/{project.pk}/").content.decode()
    assert supplier.post(f"/tenders/{project.pk}/act/", {"action": "register_interest"}).status_code == 302
    assert project.interests.filter(supplier=world.supplier).exists()


def test_multi_row_forms_name_the_row_mark_the_input_and_keep_what_was_typed(world):
    """Demand returns, bid price lines and scoresheets: each error says which row, sits on
    the input that caused it, and nothing typed is lost."""
    project = tender_at(world, "demand")
    buyer = _client(world, Role.MEMBER_BUYER)
    before = DemandReturn.objects.count()
    page = buyer.post(
        f"/tenders/{project.pk}/demand/",
        {"quantity_1": "lots", "annual_value_1": "£1,250", "needed_from_1": "31/02/2027"},
    )
    body = page.content.decode()
    assert page.status_code == 400 and DemandReturn.objects.count() == before
    assert 'href="#quantity_1"' in body and "Lot 1: Estimated quantity must be a whole number" in body
    assert 'href="#needed_from_1"' in body and 'id="needed_from_1-error"' in body
    assert 'value="lots"' in body and 'value="£1,250"' in body

    project = tender_at(world, "open", title="Bid rows")
    Bid.objects.filter(project=project, supplier=world.supplier).delete()
    supplier = _client(world, Role.SUPPLIER_USER)
    form = {f"answer_{leaf(project, n).pk}": "Our plan" for n in ("1.1", "1.2", "2")}
    form |= {"unit_price_1": "4.005", "submission_key": "rows", "declaration": "yes"}
    body = supplier.post(f"/tenders/{project.pk}/lots/1/bid/", form).content.decode()
    assert (
        "Item 1: Unit price must have no more than 2 decimal places" in body
        and 'href="#unit_price_1"' in body
    )
    assert 'id="unit_price_1-error"' in body and 'value="4.005"' in body
    body = supplier.post(f"/tenders/{project.pk}/lots/1/bid/", form | {"unit_price_1": ""}).content.decode()
    assert "Enter a unit price for item 1, Paper" in body and 'href="#unit_price_1"' in body

    project = tender_at(world, "declared", title="Score rows")
    ev = _client(world, Role.EVALUATOR)
    criterion = leaf(project, "1.1")
    bids = list(Bid.objects.filter(project=project).order_by("pk"))
    typed = {f"score_{bids[0].pk}": "3", f"justification_{bids[0].pk}": ""}
    page = ev.post(f"/tenders/{project.pk}/criteria/{criterion.pk}/score/", typed)
    body = page.content.decode()
    assert page.status_code == 400 and f'href="#justification_{bids[0].pk}"' in body
    assert "Bid 1: Enter justification" in body and "selected>3</option>" in body


def test_the_procurement_page_keeps_a_rejected_lot_and_opens_its_form(world):
    project = tender_at(world, "draft")
    cm = _client(world, Role.CATEGORY_MANAGER)
    page = cm.post(
        f"/tenders/{project.pk}/act/",
        {"action": "add_lot", "lot_title": "", "lot_specification": "Bins", "estimated_unit_price": "x"},
    )
    body = page.content.decode()
    assert page.status_code == 400 and 'href="#lot_title"' in body and "Enter title" in body
    assert "Estimated unit price must be a number" in body and ">Bins</textarea>" in body
    assert '<details class="govuk-details" open>' in body


def test_a_direct_award_prepares_the_tender_without_asking_members_and_says_why(world):
    from consortium.tendering.models import OcdsRelease

    project = tender_at(world, "draft", title="Extension of the library system")
    client = _client(world, Role.CATEGORY_MANAGER)
    r = client.post(
        f"/tenders/{project.pk}/act/", {"action": "without_demand", "without_demand_reason": "  "}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'href="#without_demand_reason"' in html and 'id="without_demand_reason"' in html
    project.refresh_from_db()
    assert project.status == "draft"
    reason = "Direct award: only the incumbent can extend the system (Schedule 5)"
    r = client.post(
        f"/tenders/{project.pk}/act/", {"action": "without_demand", "without_demand_reason": reason}
    )
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.status == "preparation" and project.without_demand_reason == reason
    assert not project.invited_members.exists()
    # No planning release: there is no aggregated demand to give it a budget.
    assert not OcdsRelease.objects.filter(project=project).exists()
    assert f"Not aggregated: {reason}" in client.get(f"/tenders/{project.pk}/").content.decode()


def test_one_click_scoring_saves_in_place_with_htmx(world):
    project = tender_at(world, "evaluation")
    ev = _client(world, Role.EVALUATOR)
    assert ev.post(f"/tenders/{project.pk}/evaluation/", {"conflict": "no"}).status_code == 302
    criterion = leaf(project, "1.1")
    url = f"/tenders/{project.pk}/criteria/{criterion.pk}/score/"
    bids = list(Bid.objects.filter(project=project))
    scores = {f"score_{b.pk}": "4" for b in bids} | {f"justification_{b.pk}": "Strong evidence" for b in bids}
    bad = {**scores, f"justification_{bids[0].pk}": ""}
    r = ev.post(url, bad, HTTP_HX_REQUEST="true")
    # htmx swaps only successful answers: the error summary comes back as a 200 to it.
    assert r.status_code == 200 and "There is a problem" in r.content.decode()
    assert not EvaluatorScore.objects.filter(criterion=criterion).exists()
    r = ev.post(url, scores, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="scoresheet"' in html and "are saved" in html
    assert EvaluatorScore.objects.filter(criterion=criterion, score=4).count() == len(bids)
    # Without JavaScript the form still posts and moves on.
    assert ev.post(url, scores).status_code == 302
