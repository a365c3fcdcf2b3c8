from __future__ import annotations

import re

import pytest

from consortium.core.dates import today_in_london
from consortium.organisations.tests.factories import TEST_PASSWORD
from consortium.tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_buyer_orders_approver_approves_supplier_delivers_and_mi_shows_it(page, page_as, world, market):
    # The buyer searches (with a typo), fills the basket and checks out.
    sign_in(page, "member_buyer@example.org", TEST_PASSWORD)
    page.get_by_role("link", name="Search the marketplace").click()
    assert_accessible(page)
    page.get_by_label("Search the catalogue").fill("laptpo")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_text("Refurbished laptop").first.wait_for()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Add Refurbished laptop")).click()
    page.get_by_text("is in your basket").wait_for()

    # Every result's Add button works: the first, a middle one and the last (the first used to
    # sit in a form nested inside the search form, which browsers drop), and the search URL
    # never carries the CSRF token.
    page.goto("/marketplace/")
    page.get_by_label("Category").select_option("stationery")
    page.wait_for_url(re.compile(r"category=stationery"))
    assert "csrfmiddlewaretoken" not in page.url
    adds = page.locator("#results").get_by_role("button", name=re.compile("^Add "))
    count = adds.count()
    assert count >= 3
    for index in sorted({0, count // 2, count - 1}):
        page.goto(page.url)
        adds = page.locator("#results").get_by_role("button", name=re.compile("^Add "))
        label = adds.nth(index).inner_text()
        adds.nth(index).click()
        page.get_by_text("is in your basket").wait_for()
        assert "csrfmiddlewaretoken" not in page.url, label
    assert page.locator("form form").count() == 0
    page.goto("/basket/")
    for remove in page.get_by_label(re.compile(r"^Quantity of (?!Refurbished laptop)")).all():
        remove.fill("0")
    if page.get_by_role("button", name="Update basket").count():
        page.get_by_role("button", name="Update basket").click()
    page.goto("/basket/")
    assert_accessible(page)
    page.get_by_label("Quantity of Refurbished laptop (0 removes it)").fill("2")
    page.get_by_label("Cost centre for Refurbished laptop").fill("ICT-01")
    page.get_by_label("Delivery address").fill("Moorside Primary School, Leek ST13 5AB")
    page.get_by_role("button", name="Place order").click()
    page.get_by_role("heading", name="Order placed").wait_for()
    reference = re.search(r"CO-\d{4}-\d{6}", page.locator(".govuk-panel__body").inner_text()).group(0)
    assert "What happens next" in page.content()
    assert_accessible(page)

    # £900 is over the school's £500 threshold: the approver approves.
    approver = page_as("approver@example.org", TEST_PASSWORD)
    approver.goto("/orders/")
    approver.get_by_role("link", name=reference).click()
    assert approver.locator("#order-status").inner_text() == "Awaiting approval"
    assert_accessible(approver)
    approver.get_by_role("button", name="Approve").click()
    approver.get_by_text(f"Order {reference}: approved").wait_for()

    # The supplier acknowledges and dispatches.
    supplier = page_as("supplier_user@example.org", TEST_PASSWORD)
    supplier.goto("/orders/")
    supplier.get_by_role("link", name=reference).click()
    assert_accessible(supplier)
    supplier.get_by_role("button", name="Acknowledge").click()
    supplier.get_by_text(f"Order {reference}: acknowledged").wait_for()
    supplier.get_by_role("button", name="Mark dispatched").click()
    supplier.get_by_text(f"Order {reference}: dispatched").wait_for()

    # The buyer records delivery, then sees the order in the MI.
    page.goto("/orders/")
    page.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Record delivery").click()
    page.get_by_text(f"Order {reference}: delivered").wait_for()
    assert page.locator("#order-status").inner_text() == "Delivered"
    page.goto("/mi/")
    assert page.locator("#mi-spend").inner_text() == "£900.00"
    assert_accessible(page)

    # The supplier invoices what was delivered; it matches the order and is approved for payment.
    world.supplier.vat_number = "GB123456789"
    world.supplier.save(update_fields=["vat_number"])
    supplier.goto("/orders/")
    supplier.get_by_role("link", name=reference).click()
    supplier.get_by_role("link", name="Send an invoice or credit note").click()
    supplier.get_by_label("Your invoice or credit note number").fill("MOS-1001")
    supplier.get_by_label("Date of the invoice").fill("today")
    supplier.get_by_role("button", name="Send").click()
    supplier.locator(".govuk-error-summary").wait_for()
    assert_accessible(supplier)
    supplier.get_by_label("Date of the invoice").fill(today_in_london().strftime("%d/%m/%Y"))
    supplier.get_by_role("button", name="Send").click()
    supplier.locator(".govuk-notification-banner").get_by_text(
        "matched the order and goods received"
    ).wait_for()
    assert supplier.locator("#invoice-status").inner_text() == "Approved for payment"
    assert_accessible(supplier)


def test_supplier_and_category_manager_pages_are_accessible(page, page_as, world, market):
    sign_in(page, "supplier_user@example.org", TEST_PASSWORD)
    page.get_by_role("heading", name="What you can do").wait_for()
    for path in (
        "/supplier/catalogue/",
        "/supplier/catalogue/upload/",
        "/orders/",
        "/contracts/",
        f"/contracts/{market.contract.pk}/",
    ):
        page.goto(path)
        assert_accessible(page)
    page.get_by_role("heading", name=re.compile("CBC-T1")).wait_for()
    page.goto("/supplier/catalogue/")
    page.get_by_label("New price for Blue ballpoint pens (P-2)").fill("3.10")
    page.get_by_role("button", name="Propose price for P-2").click()
    page.get_by_text("sent to the category manager").wait_for()
    manager = page_as("category_manager@example.org", TEST_PASSWORD)
    manager.goto("/price-changes/")
    assert_accessible(manager)
    manager.get_by_role("button", name="Approve Blue ballpoint pens").click()
    manager.get_by_text("approved").first.wait_for()
    manager.goto("/mi/")
    assert_accessible(manager)
    buyer = page_as("member_buyer@example.org", TEST_PASSWORD)
    buyer.goto("/spend/")
    assert_accessible(buyer)
    buyer.goto(f"/marketplace/items/{market.pens.pk}/")
    assert "£3.10" in buyer.content()
    assert_accessible(buyer)
