from __future__ import annotations

import re

import pytest
from django.core import mail

from consortium.organisations.constants import Role
from consortium.organisations.models import RoleAssignment
from consortium.organisations.services import invitation_create
from consortium.organisations.tests.factories import TEST_PASSWORD
from consortium.tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_sign_in_shows_errors_then_the_home_page(page, world):
    page.goto("/")
    assert "/sign-in/" in page.url
    assert_accessible(page)
    sign_in(page, "member_buyer@example.org", "wrong password")
    page.get_by_role("alert").get_by_text("There is a problem").wait_for()
    assert_accessible(page)
    sign_in(page, "member_buyer@example.org", TEST_PASSWORD)
    page.get_by_role("heading", name="What you can do").wait_for()
    assert page.get_by_role("heading", name="Member buyer").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to Consortium").wait_for()


def test_invitation_acceptance(page, world):
    _invitation, token = invitation_create(
        actor=world.actor(Role.CONSORTIUM_ADMIN),
        email="new.officer@example.org",
        role=Role.PARTNER_OFFICER,
        organisation=world.member,
    )
    page.goto(f"/invitations/{token}/")
    page.get_by_role("heading", name=re.compile("Join Moorside Primary School")).wait_for()
    assert_accessible(page)
    page.get_by_label("Your full name").fill("Nia Officer")
    page.get_by_label("Choose a password").fill("a-long-new-password-9")
    page.get_by_label("Type the password again").fill("a-long-new-password-9")
    page.get_by_role("button", name="Accept invitation").click()
    page.get_by_text("Welcome to Consortium").wait_for()
    assert page.get_by_role("heading", name="Partner officer").is_visible()
    # The link works once.
    page.goto(f"/invitations/{token}/")
    assert page.get_by_role("heading", name="This invitation link cannot be used").is_visible()


def test_switching_organisation(page, world):
    person = world.people[Role.COMMISSIONER]
    RoleAssignment.objects.create(person=person, organisation=world.other_member, role=Role.COMMISSIONER)
    sign_in(page, person.email, TEST_PASSWORD)
    page.get_by_label("Acting for").select_option(label="Tamworth Borough Council")
    page.get_by_role("button", name="Switch organisation").click()
    page.get_by_text("You are now acting for Tamworth Borough Council").wait_for()
    assert page.get_by_role("heading", name=re.compile("What you can do")).is_visible()
    assert "Tamworth Borough Council" in page.locator(".govuk-caption-l").inner_text()
    assert_accessible(page)


def test_every_admin_page_is_accessible(page, world):
    sign_in(page, "consortium_admin@example.org", TEST_PASSWORD)
    page.get_by_role("heading", name="What you can do").wait_for()
    for path in [
        "/members/",
        "/members/?show=all",
        f"/organisations/{world.member.pk}/",
        "/organisations/new/",
        "/people/",
        f"/people/{world.outsider.pk}/",
        "/invitations/",
        "/invitations/new/",
        "/account/",
        "/activity/",
        f"/activity/organisations.organisation/{world.member.pk}/",
        "/no-such-page/",
    ]:
        page.goto(path)
        assert_accessible(page)
    # A form with errors, too.
    page.goto("/organisations/new/")
    page.get_by_role("button", name="Add organisation").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page)


def test_password_reset_pages_are_accessible(page, world):
    page.goto("/password-reset/")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("member_buyer@example.org")
    page.get_by_role("button", name="Send reset link").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    assert_accessible(page)
    assert any("Reset your Consortium password" in m.subject for m in mail.outbox)


def test_refusal_page_is_accessible(page, world):
    sign_in(page, "member_buyer@example.org", TEST_PASSWORD)
    page.get_by_role("heading", name="What you can do").wait_for()
    page.goto("/organisations/new/")
    page.get_by_role("heading", name="You do not have permission to see this page").wait_for()
    assert_accessible(page)
