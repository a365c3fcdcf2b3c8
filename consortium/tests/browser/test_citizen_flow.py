from __future__ import annotations

import pytest
from django.core import mail

from consortium.citizen.models import ServiceRequest
from consortium.citizen.tests.factories import citizen_world
from consortium.organisations.tests.factories import TEST_PASSWORD
from consortium.tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_citizen_reports_confirms_and_the_partner_officer_fixes_it(page, page_as, world):
    c = citizen_world(world)
    page.goto("/report/")
    assert_accessible(page)
    page.get_by_label("What is the problem?").fill("bin")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Missed bin").click()
    page.get_by_role("heading", name="Missed bin").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Send report").click()
    page.get_by_text("There is a problem").wait_for()
    assert_accessible(page)
    page.get_by_label("Postcode").fill("WS11 1BG")
    page.get_by_label("Which bin was missed?").select_option("recycling")
    page.get_by_label("Describe the problem").fill("Recycling not collected on Tuesday")
    page.get_by_label("Email address").fill("resident2@example.org")
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert_accessible(page)
    link = next(
        line for m in reversed(mail.outbox) for line in m.body.splitlines() if "/report/confirm/" in line
    )
    page.goto("/report/confirm/" + link.split("/report/confirm/")[1])
    page.get_by_text("Report sent").wait_for()
    assert_accessible(page)
    reference = ServiceRequest.objects.latest("pk").reference
    assert reference and reference in page.content()
    page.get_by_label("Anything you forgot to tell us").fill("It is the blue bin by the gate")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("we have added it to your report").wait_for()
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)

    officer = page_as("partner_officer@example.org", TEST_PASSWORD)
    officer.get_by_role("link", name="Service requests", exact=True).click()
    officer.get_by_role("heading", name="Service requests").first.wait_for()
    assert_accessible(officer)
    officer.get_by_role("link", name=reference).click()
    officer.get_by_role("heading", name=reference).wait_for()
    assert_accessible(officer)
    officer.get_by_label("Status").select_option("fix")
    officer.get_by_label("Update for the citizen (emailed to them)").fill("Collected this afternoon")
    officer.get_by_role("button", name="Save update").click()
    officer.get_by_text("Update saved.").wait_for()
    assert ServiceRequest.objects.get(reference=reference).status == "fixed"
    assert c.request.reference != reference
