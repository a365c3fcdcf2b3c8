"""Playwright driving Debian's chromium (never a browser download), with axe-core."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE.read_text(encoding="utf-8") if AXE.exists() else ""


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: run `make browser-deps` (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _watch_csp(page: Any, violations: list[str]) -> None:
    """Collect what the Content-Security-Policy blocked: every journey must run under it."""
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )


@pytest.fixture
def page(chromium: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    blocked: list[str] = []
    _watch_csp(page, blocked)
    yield page
    context.close()
    assert not blocked, "\n".join(blocked)


def assert_accessible(page: Any) -> None:
    """No axe-core violations on the page as it stands: WCAG 2.2 A and AA, and axe's best
    practices (landmarks covering the page, one main, headings in order)."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy (no
    # inline scripts) does not govern; a <script> tag would be refused, as it should be.
    # A click on a link starts a navigation that may not have finished when this is called:
    # wait for the new document, and if it is swapped out under axe anyway, run it again on
    # the page that replaced it (a handful of tries, then the real error).
    for attempt in range(4):
        page.wait_for_load_state("load")
        try:
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.evaluate(AXE_SOURCE)
            result = page.evaluate(
                """async () => await axe.run(document, {
                    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}
                })"""
            )
            break
        except PlaywrightError as error:
            navigated = "documentElement" in str(error) or "context was destroyed" in str(error)
            if attempt == 3 or not navigated:
                raise
    violations = [
        f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]
    ]
    assert not violations, f"{page.url}\n" + "\n".join(violations)


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def page_as(chromium: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    """page_as(email) -> another person's page, signed in; closed with the test so no late
    request reaches the live server after its database is gone."""
    contexts = []
    blocked: list[str] = []

    def make(email: str, password: str) -> Any:
        context = chromium.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        other = context.new_page()
        _watch_csp(other, blocked)
        sign_in(other, email, password)
        other.get_by_role("heading", name="What you can do").wait_for()
        return other

    yield make
    for context in contexts:
        context.close()
    assert not blocked, "\n".join(blocked)
