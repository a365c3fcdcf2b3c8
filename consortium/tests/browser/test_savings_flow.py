from __future__ import annotations

import pytest

from consortium.organisations.tests.factories import TEST_PASSWORD
from consortium.savings.models import Budget, BudgetLine, Saving
from consortium.tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_member_records_a_saving_another_validates_it_and_the_admin_shares_the_cost(
    page_as, world, tmp_path
):
    buyer = page_as("member_buyer@example.org", TEST_PASSWORD)
    buyer.get_by_role("link", name="Savings", exact=True).click()
    buyer.get_by_role("heading", name="Savings register").wait_for()
    assert_accessible(buyer)
    buyer.get_by_role("link", name="Record a saving").click()
    buyer.get_by_role("heading", name="Record a saving").wait_for()
    buyer.get_by_label("What was saved").fill("Photocopier lease renegotiated")
    buyer.get_by_label("Category").select_option("goods")
    buyer.get_by_label("Method").select_option("previous_price")
    buyer.get_by_role("radio", name="Recurring").check()
    buyer.get_by_label("Amount (£)").fill("twelve hundred")
    buyer.get_by_label("Date", exact=True).fill("1/4/2026")
    buyer.get_by_role("button", name="Propose the saving").click()
    buyer.get_by_text("There is a problem").wait_for()
    assert_accessible(buyer)
    assert buyer.get_by_label("What was saved").input_value() == "Photocopier lease renegotiated"
    buyer.get_by_label("Amount (£)").fill("1,200.00")
    quote = tmp_path / "old-lease.pdf"
    quote.write_bytes(b"%PDF-1.4 the old lease")
    buyer.get_by_label("Evidence").set_input_files(str(quote))
    buyer.get_by_role("button", name="Propose the saving").click()
    saving = Saving.objects.get()
    buyer.get_by_role("heading", name=f"{saving.reference}: Photocopier lease renegotiated").wait_for()
    assert_accessible(buyer)
    assert saving.status == "proposed" and saving.total == 1200

    manager = page_as("category_manager@example.org", TEST_PASSWORD)
    manager.goto(f"/savings/{saving.pk}/")
    manager.get_by_role("button", name="Validate").click()
    manager.get_by_text("Saving validate: done.").wait_for()
    saving.refresh_from_db()
    assert saving.status == "validated"
    manager.goto("/savings/report/?group_by=member")
    assert_accessible(manager)
    assert "£1,200.00" in manager.content()

    budget = Budget.objects.create(year=2026)
    BudgetLine.objects.create(budget=budget, name="Core team", amount=350000)
    admin = page_as("consortium_admin@example.org", TEST_PASSWORD)
    admin.goto("/savings/costs/?year=2026")
    admin.get_by_label("Scenario name").fill("Equal shares")
    admin.get_by_label("Equal shares").fill("100")
    admin.get_by_role("button", name="Add scenario").click()
    admin.get_by_role("button", name="Approve “Equal shares”").wait_for()
    assert_accessible(admin)
    assert "£116,666.67" in admin.content()
