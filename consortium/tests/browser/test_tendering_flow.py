"""A collaborative tender on the pages: demand, bid, sealed opening, scoring, moderation,
award approval, the bidders' assessment summaries, the contract and its first variation."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from consortium.core.dates import today_in_london
from consortium.organisations.constants import Role
from consortium.organisations.tests.factories import TEST_PASSWORD
from consortium.tendering import selectors, services
from consortium.tendering.models import Bid, Project
from consortium.tendering.tests.factories import ensure_rules, leaf, pass_deadline, rival, tender_at
from consortium.tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_demand_bid_evaluate_moderate_award_and_summaries(page, page_as, world):
    ensure_rules()
    project = tender_at(world, "demand")
    # A member buyer registers demand.
    sign_in(page, "member_buyer@example.org", TEST_PASSWORD)
    page.goto(f"/tenders/{project.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Register demand").click()
    assert_accessible(page)
    page.get_by_label("Annual value (£ ex VAT)").fill("90000")
    page.get_by_label("Needed from").fill("1 Sep 2027")
    page.get_by_role("button", name="Save demand").click()
    page.get_by_text("Your demand is recorded").wait_for()

    # The category manager closes demand, sets the timetable and publishes.
    cm = page_as("category_manager@example.org", TEST_PASSWORD)
    cm.goto(f"/tenders/{project.pk}/")
    cm.get_by_text("Above the sub-central goods and services threshold").wait_for()
    assert_accessible(cm)
    cm.get_by_role("button", name="Close demand").click()
    # Irreversible steps are checked and confirmed first.
    cm.get_by_role("heading", name=re.compile("Close demand for")).wait_for()
    assert_accessible(cm)
    cm.get_by_role("button", name="Close demand").click()
    cm.get_by_text("Demand closed").wait_for()
    cm.get_by_role("link", name="Set procedure and timetable").click()
    assert_accessible(cm)
    cm.get_by_role("button", name="Save timetable").click()
    cm.get_by_text("Procedure and timetable set").wait_for()
    cm.get_by_role("button", name="Publish the tender").click()
    cm.get_by_role("heading", name=re.compile("Publish the tender for")).wait_for()
    cm.get_by_role("button", name="Publish the tender").click()
    cm.get_by_text("Tender notice published").wait_for()

    # A supplier bids on the page; its rival bids too.
    supplier = page_as("supplier_user@example.org", TEST_PASSWORD)
    supplier.goto(f"/tenders/{project.pk}/")
    supplier.get_by_role("link", name="Bid for lot 1").click()
    assert_accessible(supplier)
    for number in ("1.1", "1.2", "2"):
        supplier.locator(f"#answer_{leaf(project, number).pk}").fill(
            "Next-day delivery from our Stafford depot."
        )
    # The buyer's schedule fixes the item and quantity; the supplier enters its unit price.
    supplier.get_by_label("Item 1 unit price").fill("4.20")
    supplier.get_by_label(re.compile("I confirm this bid is complete")).check()
    supplier.get_by_role("button", name="Submit bid").click()
    supplier.get_by_text("Bid submitted").wait_for()
    project.refresh_from_db()
    answers = {c.pk: "Our answer" for c in selectors.leaf_criteria(project) if c.kind != "price"}
    services.bid_submit(
        actor=rival(world),
        project=project,
        lot_number=1,
        answers=answers,
        price_lines=[services.PriceLineIn(1, Decimal("3.90"))],
    )  # type: ignore[arg-type]

    # After the deadline, two people record the opening; evaluators are assigned.
    pass_deadline(project)
    cm.goto(f"/tenders/{project.pk}/")
    cm.get_by_role("button", name="Record the opening").click()
    cm.get_by_text("Your opening is recorded").wait_for()
    admin = page_as("consortium_admin@example.org", TEST_PASSWORD)
    admin.goto(f"/tenders/{project.pk}/")
    admin.get_by_role("button", name="Record the opening").click()
    admin.get_by_text("Your opening is recorded").wait_for()
    assert Project.objects.get(pk=project.pk).status == "evaluation"
    judged = [leaf(project, n) for n in ("1.1", "1.2", "2")]
    for c in judged:
        services.evaluator_assign(
            actor=world.actor(Role.CATEGORY_MANAGER), criterion=c, evaluator=world.people[Role.EVALUATOR]
        )

    # The evaluator declares no conflict and scores each criterion alone.
    evaluator = page_as("evaluator@example.org", TEST_PASSWORD)
    evaluator.goto(f"/tenders/{project.pk}/evaluation/")
    assert_accessible(evaluator)
    evaluator.get_by_role("button", name="Make declaration").click()
    evaluator.get_by_text("Declaration recorded").wait_for()
    bids = list(Bid.objects.filter(project=project).order_by("id"))
    for c in judged:
        evaluator.get_by_role("link", name=f"Score {c.number} {c.title}").click()
        assert_accessible(evaluator)
        for b in bids:
            evaluator.locator(f"#score_{b.pk}").select_option(
                "4" if b.supplier_id == world.supplier.pk else "3"
            )
            evaluator.locator(f"#justification_{b.pk}").fill("Specific, evidenced plan")
        # One click saves in place (htmx): the page says so and stays on the criterion.
        evaluator.get_by_role("button", name="Save my scores").click()
        evaluator.get_by_text("Your scores for").wait_for()
        assert f"/criteria/{c.pk}/" in evaluator.url
        if c is judged[0]:
            assert_accessible(evaluator)
        evaluator.get_by_role("link", name="Back to your criteria").click()

    # The moderator records the consensus, works out the results; the admin approves the award.
    for c in judged:
        cm.goto(f"/tenders/{project.pk}/criteria/{c.pk}/moderate/")
        if c is judged[0]:
            assert_accessible(cm)
        for b in bids:
            cm.locator(f"#score_{b.pk}").select_option("4" if b.supplier_id == world.supplier.pk else "3")
            cm.locator(f"#justification_{b.pk}").fill("Agreed at moderation")
        cm.get_by_role("button", name="Record consensus").click()
        cm.get_by_text("Consensus scores for").wait_for()
    cm.get_by_role("button", name="Work out the results").click()
    cm.get_by_role("heading", name="Results").wait_for()
    assert_accessible(cm)
    admin.goto(f"/tenders/{project.pk}/results/")
    admin.get_by_role("button", name="Approve the award").click()
    admin.get_by_role("heading", name=re.compile("Approve the award for")).wait_for()
    admin.get_by_role("button", name="Approve the award").click()
    admin.get_by_text("Award approved").wait_for()

    # Each bidder reads its assessment summary.
    supplier.goto(f"/tenders/{project.pk}/")
    supplier.get_by_role("link", name="Assessment summary").click()
    supplier.get_by_text("Your bid is the winning bid").wait_for()
    assert_accessible(supplier)
    other = page_as("rival@example.org", TEST_PASSWORD)
    other.goto(f"/tenders/{project.pk}/")
    other.get_by_role("link", name="Assessment summary").click()
    other.get_by_text(re.compile("Your bid was ranked 2")).wait_for()

    # After standstill the contract is concluded, signed the day before, and then varied.
    Project.objects.filter(pk=project.pk).update(
        standstill_ends_on=today_in_london() - dt.timedelta(days=2),
        award_decision_on=today_in_london() - dt.timedelta(days=12),
    )
    signed = today_in_london() - dt.timedelta(days=1)
    cm.goto(f"/tenders/{project.pk}/")
    cm.locator("#signed_on").fill(str(signed.day))
    cm.locator("#signed_on-month").fill(str(signed.month))
    cm.locator("#signed_on-year").fill(str(signed.year))
    cm.get_by_role("button", name="Create the contract").click()
    cm.get_by_role("heading", name=re.compile("Conclude the contract for")).wait_for()
    cm.get_by_role("button", name="Conclude the contract").click()
    cm.get_by_text("Contract created and live").wait_for()
    cm.get_by_role("link", name="Managing the contract").click()
    assert_accessible(cm)
    cm.get_by_role("link", name="Vary the contract").click()
    assert_accessible(cm)
    cm.get_by_label("What changes").fill("A3 paper added to lot 1")
    cm.get_by_label("Why, and the Act's ground for it").fill("The contract's price review clause")
    cm.get_by_label(re.compile("Change in value a year")).fill("1200.00")
    cm.get_by_role("button", name="Vary the contract").click()
    cm.get_by_text("Variation recorded").wait_for()
    cm.get_by_role("link", name=re.compile("UK10 Contract change notice")).click()
    cm.get_by_text("A3 paper added to lot 1").first.wait_for()
    assert_accessible(cm)
    final = Project.objects.get(pk=project.pk)
    assert final.contract_signed_on == signed and final.variations.count() == 1


def test_tender_and_contract_set_up_pages_are_accessible(page, world):
    ensure_rules()
    sign_in(page, "category_manager@example.org", TEST_PASSWORD)
    page.get_by_role("heading", name="What you can do").wait_for()
    for path in ("/tenders/", "/tenders/new/", "/contracts/new/"):
        page.goto(path)
        assert_accessible(page)
