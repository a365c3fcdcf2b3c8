from __future__ import annotations

import re

import pytest

from consortium.organisations.tests.factories import TEST_PASSWORD
from consortium.tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_commissioner_takes_john_smith_from_needs_to_placement(page, world, care):
    sign_in(page, "commissioner@example.org", TEST_PASSWORD)
    page.get_by_role("link", name="Record a client's needs").first.click()
    page.get_by_role("heading", name="Record a client's needs").wait_for()
    assert_accessible(page)
    page.get_by_label("Client reference").fill("1236")
    page.get_by_label("Moderate").check()
    page.get_by_label("Weekly budget (£)").fill("700")
    page.get_by_label("Accommodation").select_option(label="Own bedroom in shared living")
    page.get_by_label("Daytime shared support (hours a week, 15-hour day)").fill("50")
    page.get_by_label("Daytime ratio: clients per carer").fill("3")
    page.get_by_label("Night sleeping cover (nights a week, 9-hour night)").fill("7")
    page.get_by_label("Night sleeping ratio: clients per carer").fill("3")
    page.get_by_label("One-to-one support (hours a week)").fill("14")
    page.get_by_label("Specialist support (hours a week, by a qualified carer)").fill("7")
    page.get_by_label("Life skills development (hours a week)").fill("10")
    page.get_by_role("button", name="Save and compare homes").click()
    page.get_by_role("heading", name="Every home's weekly cost").wait_for()
    assert_accessible(page)
    assert "£883.00" in page.locator("#quotes").inner_text()
    page.get_by_role("button", name="Negotiate with Cherrytrees").click()
    page.get_by_role("heading", name="Cherrytrees").wait_for()
    assert_accessible(page)
    page.get_by_label("Agreed unit price for Accommodation: own bedroom in shared living").fill("346.00")
    page.get_by_label("Agreed quantity for Night sleeping cover (9-hour night)").fill("0")
    page.get_by_label("Agreed quantity for One-to-one support").fill("13")
    page.get_by_role("button", name="Save agreed prices").click()
    page.get_by_text("Agreed prices saved.").wait_for()
    assert page.locator("#agreed-total").inner_text() == "£685.00"
    assert page.locator("#weekly-saving").inner_text() == "£198.00"
    # The GOV.UK date input: day, month and year boxes.
    page.get_by_role("group", name="Placement start date").get_by_label("Day").fill("7")
    page.get_by_role("group", name="Placement start date").get_by_label("Month").fill("12")
    page.get_by_role("group", name="Placement start date").get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Confirm placement at £685.00 a week").click()
    page.get_by_role("heading", name=re.compile(r"Place client \w+ at Cherrytrees")).wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm the placement").click()
    page.get_by_text("saving £198.00 a week (£10,296.00 a year)").first.wait_for()
    assert_accessible(page)
    page.goto("/care/benchmarks/")
    assert_accessible(page)
    page.goto("/care/reports/")
    assert_accessible(page)


def test_provider_pages_are_accessible(page, world, care):
    sign_in(page, "supplier_user@example.org", TEST_PASSWORD)
    page.get_by_role("heading", name="What you can do").wait_for()
    for path in (
        "/care/",
        "/care/menus/new/",
        "/care/menus/upload/",
        f"/care/menus/{care.cherrytrees_menu.pk}/",
    ):
        page.goto(path)
        assert_accessible(page)
    page.goto("/care/menus/upload/")
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page)
