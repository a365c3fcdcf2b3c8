from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from consortium.organisations.constants import Role
from consortium.organisations.models import Invitation, Organisation, Person, RoleAssignment
from consortium.organisations.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_in_any_case(world):
    client = Client()
    response = client.post("/sign-in/", {"email": "MEMBER_BUYER@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert b"Member buyer" in home.content
    assert b"Moorside Primary School" in home.content


def test_sign_in_errors_name_the_field(world):
    response = Client().post("/sign-in/", {"email": "", "password": ""})
    assert response.status_code == 400
    assert b'href="#email"' in response.content and b'href="#password"' in response.content
    wrong = Client().post("/sign-in/", {"email": "member_buyer@example.org", "password": "nope"})
    assert b"Enter the e-mail address and password of your account" in wrong.content


def test_sign_in_is_throttled(world, settings):
    settings.SIGN_IN_MAX_FAILURES = 2
    client = Client()
    for _ in range(2):
        client.post("/sign-in/", {"email": "member_buyer@example.org", "password": "wrong"})
    response = client.post("/sign-in/", {"email": "member_buyer@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content


def test_sign_in_does_not_redirect_off_site(world):
    response = Client().post(
        "/sign-in/",
        {"email": "member_buyer@example.org", "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_switching_organisation(world, signed_in):
    person = world.people[Role.COMMISSIONER]
    RoleAssignment.objects.create(person=person, organisation=world.other_member, role=Role.COMMISSIONER)
    client = signed_in(Role.COMMISSIONER)
    assert b"Acting for" in client.get("/").content
    response = client.post(
        "/switch-organisation/", {"organisation_id": world.other_member.pk, "next": "/people/"}
    )
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert client.get("/api/v1/me").json()["organisation"]["id"] == world.other_member.pk
    refused = client.post("/switch-organisation/", {"organisation_id": world.supplier.pk})
    assert refused.status_code == 403


def test_admin_adds_an_organisation_and_admits_it(world, signed_in):
    client = signed_in(Role.CONSORTIUM_ADMIN)
    bad = client.post("/organisations/new/", {"name": "", "kind": "school", "identifier": "x"})
    assert bad.status_code == 400
    assert b'href="#name"' in bad.content and b'href="#identifier"' in bad.content
    response = client.post(
        "/organisations/new/",
        {
            "name": "Lichfield District Council",
            "kind": "district_council",
            "identifier": "E07000194",
            "postcode": "WS13 6YU",
            "admit": "on",
            "joined_on": "2026-04-01",
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="Lichfield District Council")
    assert org.memberships.get().joined_on.isoformat() == "2026-04-01"


def test_invite_accept_and_sign_in_through_pages(world, signed_in, django_capture_on_commit_callbacks):
    client = signed_in(Role.APPROVER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/invitations/new/",
            {"email": "new.buyer@example.org", "organisation_id": world.member.pk, "role": "member_buyer"},
        )
    assert response.status_code == 302
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line)
    path = link[link.index("/invitations/") :]
    visitor = Client()
    form = visitor.get(path)
    assert b"Join Moorside Primary School" in form.content
    mismatch = visitor.post(
        path, {"full_name": "New Buyer", "password": "a-long-new-password-9", "password_confirm": "different"}
    )
    assert b"The passwords do not match" in mismatch.content
    done = visitor.post(
        path,
        {
            "full_name": "New Buyer",
            "password": "a-long-new-password-9",
            "password_confirm": "a-long-new-password-9",
        },
    )
    assert done.status_code == 302
    assert b"Welcome to Consortium" in visitor.get("/").content
    assert Invitation.objects.get().status == "accepted"
    assert visitor.get(path).status_code == 409


def test_member_buyer_cannot_post_invitations_or_organisations(world, signed_in):
    client = signed_in(Role.MEMBER_BUYER)
    assert client.post("/invitations/new/", {"email": "x@example.org"}).status_code == 403
    assert client.post("/organisations/new/", {"name": "X", "kind": "school"}).status_code == 403
    assert not Invitation.objects.exists()


def test_approver_grants_and_revokes_a_colleague_role(world, signed_in):
    client = signed_in(Role.APPROVER)
    colleague = world.people[Role.MEMBER_BUYER]
    response = client.post(
        f"/people/{colleague.pk}/",
        {"action": "grant", "organisation_id": world.member.pk, "role": "evaluator"},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(person=colleague, role="evaluator")
    client.post(f"/people/{colleague.pk}/", {"action": "revoke", "assignment_id": assignment.pk})
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    refused = client.post(
        f"/people/{colleague.pk}/",
        {"action": "grant", "organisation_id": world.member.pk, "role": "supplier_user"},
    )
    assert refused.status_code == 400 and b"Choose one of" in refused.content


def test_account_creates_and_revokes_tokens(world, signed_in):
    client = signed_in(Role.MEMBER_BUYER)
    response = client.post("/account/", {"action": "create-token", "name": "Finance"})
    assert b"Copy it now" in response.content
    token = world.people[Role.MEMBER_BUYER].api_tokens.get()
    client.post("/account/", {"action": "revoke-token", "token_id": token.pk})
    token.refresh_from_db()
    assert token.revoked_on is not None
    saved = client.post("/account/", {"action": "profile", "full_name": "", "job_title": ""})
    assert saved.status_code == 400 and b"Enter your full name" in saved.content


def test_password_reset_by_email(world, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password-reset/", {"email": "member_buyer@example.org"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link[link.index("/password-reset/") :]
    form = client.get(path, follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "brand-new-password-7", "new_password2": "brand-new-password-7"},
    )
    assert done.status_code == 302
    assert Person.objects.get(email="member_buyer@example.org").check_password("brand-new-password-7")


def test_error_pages_are_styled(world, signed_in):
    response = signed_in(Role.MEMBER_BUYER).get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
