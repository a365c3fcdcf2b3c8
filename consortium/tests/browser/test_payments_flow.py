from __future__ import annotations

import pytest

from consortium.organisations.tests.factories import TEST_PASSWORD
from consortium.payments.models import Payment
from consortium.payments.tests.factories import GOOD_INVOICE, payments_world
from consortium.tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_citizen_pays_and_finance_asks_for_a_refund(page, page_as, world, live_server, settings):
    # The provider sends the citizen back to this site's own address (the sandbox's card page
    # is served here too), as a real provider would.
    settings.SITE_URL = live_server.url
    payments_world(world)
    page.goto("/pay/")
    assert_accessible(page)
    page.get_by_role("link", name="Hall lettings invoice").click()
    page.get_by_role("heading", name="Hall lettings invoice").wait_for()
    assert_accessible(page)
    page.get_by_label("Invoice number").fill("12345675")
    page.get_by_label("Amount").fill("5000")
    page.get_by_label("Email address").fill("payer@example.org")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_text("There is a problem").wait_for()
    assert "one of its digits is wrong" in page.content()
    assert_accessible(page)
    page.get_by_label("Invoice number").fill(GOOD_INVOICE)
    page.get_by_label("Amount").fill("125.50")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("heading", name="Enter card details").wait_for()
    assert_accessible(page)
    page.get_by_label("Card number").fill("4444 3333 2222 1111")
    page.get_by_label("Expiry date").fill("12/40")
    page.get_by_label("Name on card").fill("A Payer")
    page.get_by_label("Card security code").fill("123")
    page.get_by_role("button", name="Pay £125.50").click()
    page.get_by_role("heading", name="Payment received").wait_for()
    assert_accessible(page)
    payment = Payment.objects.get()
    assert payment.reference in page.content() and payment.status == "success"

    finance = page_as("finance_officer@example.org", TEST_PASSWORD)
    finance.get_by_role("link", name="Payments", exact=True).click()
    finance.get_by_role("heading", name="Payments", exact=True).wait_for()
    assert_accessible(finance)
    finance.get_by_role("link", name=payment.reference).click()
    finance.get_by_role("heading", name=f"Payment {payment.reference}").wait_for()
    finance.get_by_label("Amount (£)").fill("25.50")
    finance.get_by_label("Reason").fill("Hall booking shortened")
    finance.get_by_role("button", name="Ask for refund").click()
    finance.get_by_text("Another finance officer decides").wait_for()
    assert_accessible(finance)
    assert payment.refunds.get().status == "requested"
