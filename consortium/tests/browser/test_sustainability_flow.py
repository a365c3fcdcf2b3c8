from __future__ import annotations

import pytest

from consortium.organisations.tests.factories import TEST_PASSWORD
from consortium.sustainability.models import Answer, Criterion
from consortium.tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_buyer_assesses_a_theme_of_the_flexible_framework(page_as, world):
    from consortium.sustainability.services import load_framework

    load_framework()  # a migration loads it; an earlier transactional test may have flushed it
    buyer = page_as("member_buyer@example.org", TEST_PASSWORD)
    buyer.get_by_role("link", name="Sustainability", exact=True).click()
    buyer.get_by_role("heading", name="Flexible Framework self-assessment", exact=False).wait_for()
    assert_accessible(buyer)
    buyer.locator("#main-content").get_by_role("link", name="People", exact=True).click()
    buyer.get_by_role("heading", name="People", exact=True).wait_for()
    first = Criterion.objects.filter(theme="people", level=1).order_by("position").first()
    assert first is not None
    buyer.get_by_role("checkbox", name=first.text).check()
    buyer.get_by_role("button", name="Save answers").click()
    buyer.get_by_text("There is a problem").wait_for()
    assert_accessible(buyer)
    buyer.get_by_label(f"Evidence for: {first.text}").fill("Named at the governors' meeting in March")
    buyer.get_by_role("button", name="Save answers").click()
    buyer.get_by_text("answers saved").wait_for()
    assert Answer.objects.get(criterion=first).met
