from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from consortium.check.models import Case, Study
from consortium.organisations.tests.factories import TEST_PASSWORD
from consortium.tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_partner_officer_checks_their_requests_and_records_a_change(page_as, world):
    start = timezone.now() - dt.timedelta(days=60)
    rows = []
    for i in range(50):
        ended = start + dt.timedelta(days=i)
        on = timezone.localtime(ended).date()
        rows.append(
            Case(
                stream="citizen.requests",
                source_id=i + 1,
                reference=f"SR-2026-{i + 1:06d}",
                started_at=ended - dt.timedelta(days=5),
                ended_at=ended,
                ended_on=on,
                week=on - dt.timedelta(days=on.weekday()),
                value=(9 + i % 5) if i < 30 else (3 + i % 3),
                organisation=world.member,
            )
        )
    Case.objects.bulk_create(rows)
    officer = page_as("partner_officer@example.org", TEST_PASSWORD)
    officer.get_by_role("link", name="Check", exact=True).click()
    officer.get_by_role("heading", name="Check a service").wait_for()
    assert_accessible(officer)
    officer.locator("#main-content").get_by_role("link", name="Service requests").click()
    officer.get_by_text("What to expect").wait_for()
    assert_accessible(officer)
    officer.get_by_label("Study name").fill("Requests since the new rota")
    officer.get_by_role("button", name="Save as a study").click()
    officer.get_by_text("Study saved").wait_for()
    officer.get_by_label("Date of the change").fill("31/2/2026")
    officer.get_by_label("What changed").fill("New crew rota")
    officer.get_by_role("button", name="Record the change").click()
    officer.get_by_text("There is a problem").wait_for()
    assert officer.get_by_label("What changed").input_value() == "New crew rota"
    assert_accessible(officer)
    change = timezone.localtime(rows[30].ended_at).date()
    officer.get_by_label("Date of the change").fill(change.strftime("%d/%m/%Y"))
    officer.get_by_role("button", name="Record the change").click()
    officer.get_by_text("Change recorded").wait_for()
    officer.locator("table").filter(has_text="New crew rota").wait_for()
    assert_accessible(officer)
    study = Study.objects.get()
    assert study.splits.get().on == change
