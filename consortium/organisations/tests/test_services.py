from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from consortium.audit.models import AuditEvent
from consortium.core.errors import Conflict, NotFound, PermissionDenied, TooManyAttempts, ValidationFailed
from consortium.organisations import services
from consortium.organisations.constants import InvitationStatus, OrganisationKind, Role
from consortium.organisations.models import Invitation, Membership, Organisation, Person, RoleAssignment
from consortium.organisations.tests.factories import TEST_PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db


# --- organisations ---


def test_admin_creates_an_organisation_with_normalised_identifier_and_postcode(world):
    org = services.organisation_create(
        actor=world.actor(Role.CONSORTIUM_ADMIN),
        name="  Lichfield District Council ",
        kind=OrganisationKind.DISTRICT_COUNCIL,
        identifier="e07000194",
        postcode="ws136yu",
    )
    assert (org.name, org.identifier, org.postcode) == ("Lichfield District Council", "E07000194", "WS13 6YU")
    event = AuditEvent.objects.get(action="organisation.create", object_id=str(org.pk))
    assert event.actor == world.people[Role.CONSORTIUM_ADMIN]
    assert event.changes["identifier"] == "E07000194"


@pytest.mark.parametrize(
    "values, field",
    [
        ({"name": ""}, "name"),
        ({"kind": "castle"}, "kind"),
        ({"identifier": "123"}, "identifier"),
        ({"postcode": "NOT A POSTCODE"}, "postcode"),
        ({"is_sme": True}, "is_sme"),
    ],
)
def test_bad_organisation_details_name_the_field_and_store_nothing(world, values, field):
    before = Organisation.objects.count()
    base = {"name": "A council", "kind": OrganisationKind.DISTRICT_COUNCIL}
    with pytest.raises(ValidationFailed) as exc:
        services.organisation_create(actor=world.actor(Role.CONSORTIUM_ADMIN), **{**base, **values})
    assert field in exc.value.field_errors
    assert Organisation.objects.count() == before


def test_duplicate_identifier_is_refused_by_field(world):
    with pytest.raises(ValidationFailed) as exc:
        services.organisation_create(
            actor=world.actor(Role.CONSORTIUM_ADMIN),
            name="Copy",
            kind=OrganisationKind.SCHOOL,
            identifier="124301",
        )
    assert "identifier" in exc.value.field_errors


@pytest.mark.parametrize("role", [r for r in Role if r != Role.CONSORTIUM_ADMIN])
def test_only_admin_creates_organisations(world, role):
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=world.actor(role), name="X", kind=OrganisationKind.SCHOOL)


def test_member_updates_own_address_but_not_its_name(world):
    approver = world.actor(Role.APPROVER)
    services.organisation_update(actor=approver, organisation=world.member, town="Leek")
    world.member.refresh_from_db()
    assert world.member.town == "Leek"
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=approver, organisation=world.member, name="Renamed")
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=approver, organisation=world.other_member, town="Leek")
    event = AuditEvent.objects.get(action="organisation.update")
    assert event.changes == {"town": ["Stafford", "Leek"]}


# --- memberships ---


def test_membership_starts_and_ends_with_dates_checked(world):
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    newcomer = Organisation.objects.create(name="Tamworth Fire", kind=OrganisationKind.FIRE_AND_RESCUE)
    membership = services.membership_start(actor=admin, organisation=newcomer, joined_on=dt.date(2026, 1, 5))
    with pytest.raises(Conflict):
        services.membership_start(actor=admin, organisation=newcomer, joined_on=dt.date(2026, 2, 1))
    with pytest.raises(ValidationFailed) as exc:
        services.membership_end(actor=admin, membership=membership, left_on=dt.date(2025, 12, 31))
    assert "left_on" in exc.value.field_errors
    services.membership_end(actor=admin, membership=membership, left_on=dt.date(2026, 3, 31))
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2026, 3, 31)
    with pytest.raises(Conflict):
        services.membership_end(actor=admin, membership=membership, left_on=dt.date(2026, 4, 1))
    # After leaving, it can join again.
    services.membership_start(actor=admin, organisation=newcomer, joined_on=dt.date(2026, 6, 1))
    assert Membership.objects.filter(organisation=newcomer).count() == 2


def test_suppliers_cannot_be_members(world):
    with pytest.raises(ValidationFailed):
        services.membership_start(
            actor=world.actor(Role.CONSORTIUM_ADMIN),
            organisation=world.supplier,
            joined_on=dt.date(2026, 1, 1),
        )


# --- roles ---


def test_role_must_fit_the_kind_of_organisation(world):
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    person = PersonFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.role_grant(actor=admin, person=person, organisation=world.supplier, role=Role.APPROVER)
    assert "role" in exc.value.field_errors


def test_approver_manages_roles_in_own_organisation_only(world):
    approver = world.actor(Role.APPROVER)
    person = PersonFactory()
    services.role_grant(actor=approver, person=person, organisation=world.member, role=Role.MEMBER_BUYER)
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=approver, person=person, organisation=world.other_member, role=Role.MEMBER_BUYER
        )
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=approver, person=person, organisation=world.consortium, role=Role.CONSORTIUM_ADMIN
        )


def test_duplicate_grant_conflicts_and_revoke_is_audited(world):
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    person = PersonFactory()
    a = services.role_grant(actor=admin, person=person, organisation=world.member, role=Role.EVALUATOR)
    with pytest.raises(Conflict):
        services.role_grant(actor=admin, person=person, organisation=world.member, role=Role.EVALUATOR)
    services.role_revoke(actor=admin, assignment=a)
    assert not RoleAssignment.objects.filter(pk=a.pk).exists()
    assert AuditEvent.objects.filter(action="role.revoke", object_id=str(a.pk)).exists()


def test_last_consortium_admin_cannot_be_removed(world):
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    assignment = RoleAssignment.objects.get(person=admin.person, role=Role.CONSORTIUM_ADMIN)
    with pytest.raises(Conflict):
        services.role_revoke(actor=admin, assignment=assignment)


# --- invitations ---


def _invite(
    world, role=Role.MEMBER_BUYER, org=None, actor_role=Role.CONSORTIUM_ADMIN, email="new@example.org"
):
    return services.invitation_create(
        actor=world.actor(actor_role), email=email, role=role, organisation=org or world.member
    )


def test_invitation_is_emailed_on_commit_and_accepted_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = _invite(world)
    assert len(mail.outbox) == 1
    assert token in mail.outbox[0].body
    assert invitation.token_hash != token  # only the hash is stored
    person = services.invitation_accept(
        raw_token=token, password="a-long-new-password-9", full_name="Nia New"
    )
    assert person.check_password("a-long-new-password-9")
    assert RoleAssignment.objects.filter(
        person=person, organisation=world.member, role=Role.MEMBER_BUYER
    ).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    with pytest.raises(Conflict):
        services.invitation_accept(raw_token=token, password="a-long-new-password-9", full_name="Nia New")


def test_invitation_refuses_weak_password_and_keeps_nothing(world):
    _, token = _invite(world)
    with pytest.raises(ValidationFailed) as exc:
        services.invitation_accept(raw_token=token, password="password", full_name="Nia New")
    assert "password" in exc.value.field_errors
    assert not Person.objects.filter(email="new@example.org").exists()


def test_existing_person_accepts_with_their_own_password(world):
    outsider = world.outsider
    _, token = _invite(world, email=outsider.email, role=Role.EVALUATOR)
    with pytest.raises(ValidationFailed):
        services.invitation_accept(raw_token=token, password="wrong-password-123")
    services.invitation_accept(raw_token=token, password=TEST_PASSWORD)
    assert RoleAssignment.objects.filter(
        person=outsider, organisation=world.member, role=Role.EVALUATOR
    ).exists()


def test_expired_and_revoked_invitations_cannot_be_accepted(world):
    invitation, token = _invite(world)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(Conflict, match="expired"):
        services.invitation_accept(raw_token=token, password="a-long-new-password-9", full_name="X")
    invitation2, token2 = _invite(world, email="two@example.org")
    services.invitation_revoke(actor=world.actor(Role.CONSORTIUM_ADMIN), invitation=invitation2)
    with pytest.raises(Conflict):
        services.invitation_accept(raw_token=token2, password="a-long-new-password-9", full_name="X")
    with pytest.raises(NotFound):
        services.invitation_accept(raw_token="made-up", password="a-long-new-password-9", full_name="X")


@pytest.mark.parametrize(
    "start, target, allowed",
    [
        (InvitationStatus.PENDING, InvitationStatus.ACCEPTED, True),
        (InvitationStatus.PENDING, InvitationStatus.REVOKED, True),
        (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED, False),
        (InvitationStatus.ACCEPTED, InvitationStatus.ACCEPTED, False),
        (InvitationStatus.REVOKED, InvitationStatus.ACCEPTED, False),
        (InvitationStatus.REVOKED, InvitationStatus.REVOKED, False),
    ],
)
def test_invitation_transitions(world, start, target, allowed):
    invitation, token = _invite(world)
    Invitation.objects.filter(pk=invitation.pk).update(status=start)
    invitation.refresh_from_db()
    admin = world.actor(Role.CONSORTIUM_ADMIN)

    def act():
        if target == InvitationStatus.REVOKED:
            services.invitation_revoke(actor=admin, invitation=invitation)
        else:
            services.invitation_accept(raw_token=token, password="a-long-new-password-9", full_name="Nia")

    if allowed:
        act()
        invitation.refresh_from_db()
        assert invitation.status == target
    else:
        with pytest.raises(Conflict):
            act()


def test_category_manager_invites_a_new_supplier(world):
    invitation, _ = services.invitation_create(
        actor=world.actor(Role.CATEGORY_MANAGER),
        email="owner@newco.example",
        role=Role.SUPPLIER_USER,
        new_supplier=services.NewSupplier(
            name="Newco Ltd", identifier="12345678", is_sme=True, is_local=True
        ),
    )
    assert invitation.organisation.kind == OrganisationKind.SUPPLIER
    assert invitation.organisation.is_sme
    with pytest.raises(PermissionDenied):
        _invite(world, actor_role=Role.CATEGORY_MANAGER)  # a member buyer at a school: not theirs to invite


@pytest.mark.parametrize(
    "actor_role, allowed",
    [
        (Role.CONSORTIUM_ADMIN, True),
        (Role.APPROVER, True),
        (Role.MEMBER_BUYER, False),
        (Role.COMMISSIONER, False),
        (Role.EVALUATOR, False),
        (Role.PARTNER_OFFICER, False),
        (Role.SUPPLIER_USER, False),
        (Role.CATEGORY_MANAGER, False),
    ],
)
def test_who_may_invite_a_member_buyer_to_the_school(world, actor_role, allowed):
    if allowed:
        _invite(world, actor_role=actor_role)
    else:
        with pytest.raises(PermissionDenied):
            _invite(world, actor_role=actor_role)


def test_invitation_with_bad_email_names_the_field(world):
    with pytest.raises(ValidationFailed) as exc:
        _invite(world, email="not an email")
    assert "email" in exc.value.field_errors
    assert not Invitation.objects.exists()


# --- tokens ---


def test_token_is_shown_once_stored_hashed_and_revocable(world):
    actor = world.actor(Role.MEMBER_BUYER)
    token, raw = services.api_token_create(actor=actor, name="Finance export")
    assert raw.startswith("csm_") and token.token_hash != raw
    found = services.api_token_authenticate(raw)
    assert found is not None and found.person == actor.person and found.organisation == world.member
    services.api_token_revoke(actor=actor, token=token)
    assert services.api_token_authenticate(raw) is None
    with pytest.raises(NotFound):
        services.api_token_revoke(actor=world.actor(Role.APPROVER), token=token)


def test_token_follows_roles_removed_later(world):
    actor = world.actor(Role.MEMBER_BUYER)
    _, raw = services.api_token_create(actor=actor, name="x")
    RoleAssignment.objects.filter(person=actor.person).delete()
    assert services.api_token_authenticate(raw) is None


# --- sign-in throttling ---


def test_sign_in_is_throttled_after_repeated_failures(settings):
    settings.SIGN_IN_MAX_FAILURES = 3
    settings.SIGN_IN_MAX_ACCOUNT_FAILURES = 6
    for _ in range(3):
        services.sign_in_check_allowed(email="a@example.org", ip_address="10.0.0.1")
        services.sign_in_record_attempt(email="a@example.org", ip_address="10.0.0.1", succeeded=False)
    # The guessing client is locked out of that account...
    with pytest.raises(TooManyAttempts):
        services.sign_in_check_allowed(email="A@example.org", ip_address="10.0.0.1")
    # ...but the account's owner, elsewhere, is not, and the client may still try other accounts.
    services.sign_in_check_allowed(email="a@example.org", ip_address="10.0.0.2")
    services.sign_in_check_allowed(email="b@example.org", ip_address="10.0.0.1")
    # Many clients against one account: the account is protected as a whole.
    for n in range(3):
        services.sign_in_record_attempt(email="a@example.org", ip_address=f"10.0.1.{n}", succeeded=False)
    with pytest.raises(TooManyAttempts):
        services.sign_in_check_allowed(email="a@example.org", ip_address="10.0.0.3")
