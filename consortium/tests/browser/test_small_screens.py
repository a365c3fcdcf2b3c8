"""Every page a role's menu leads to reflows on a phone (390 px) and at 320 CSS px (WCAG
1.4.10): nothing scrolls the page sideways, and axe finds nothing at 390 px."""

from __future__ import annotations

import re

import pytest

from consortium.organisations.constants import Role
from consortium.organisations.tests.factories import TEST_PASSWORD
from consortium.tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_menu_page_reflows_on_small_screens(
    chromium, live_server, transactional_db, world, market, care, role
):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, f"{role}@example.org", TEST_PASSWORD)
        page.get_by_role("heading", name="What you can do").wait_for()
        links = page.eval_on_selector_all("#navigation a", "links => links.map(a => a.getAttribute('href'))")
        assert links
        overflowing = []
        for width in (390, 320):
            page.set_viewport_size({"width": width, "height": 844})
            for path in links:
                page.goto(path)
                scroll, inner = page.evaluate(
                    "() => [document.documentElement.scrollWidth, window.innerWidth]"
                )
                if scroll > inner + 1:
                    overflowing.append(f"{path} at {width}px: {scroll}px wide")
                if width == 390:
                    assert_accessible(page)
        assert not overflowing, "\n".join(overflowing)
        # A table stacks into labelled blocks.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/activity/")
        cell = page.locator("table.consortium-table--stacks td[data-label]").first
        assert re.match(r"When|Who|What|On|Changes", cell.get_attribute("data-label") or "")
    finally:
        context.close()
