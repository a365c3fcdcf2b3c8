"""Every change to organisations, memberships, people, roles, invitations and tokens.

One function per action; each runs in a transaction, checks the actor may do
it, and writes the audit trail. Errors are `consortium.core.errors` types with
the offending field named.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from consortium.audit.services import audit_record, diff, snapshot
from consortium.core.email import absolute_url, send_email_on_commit
from consortium.core.errors import Conflict, NotFound, PermissionDenied, TooManyAttempts, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.constants import (
    INVITATION_TRANSITIONS,
    MEMBER_KINDS,
    InvitationStatus,
    OrganisationKind,
    Role,
    managing_roles_for_kind,
    roles_allowed_for_kind,
    side_of,
)
from consortium.organisations.models import (
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    Person,
    RoleAssignment,
    SignInAttempt,
)
from consortium.organisations.permissions import ADMIN_ONLY_ROLES, Permission
from consortium.organisations.validators import normalise_identifier, normalise_postcode

ORGANISATION_FIELDS = (
    "name",
    "kind",
    "identifier",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "parent",
    "is_sme",
    "is_voluntary_sector",
    "is_local",
    "nation",
)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.has(permission):
        raise PermissionDenied("Your role does not allow this.")


# --- organisations ---------------------------------------------------------------


def _clean_organisation(values: dict[str, Any], *, existing: Organisation | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = dict(values)
    name = (cleaned.get("name") or "").strip()
    if "name" in cleaned or existing is None:
        if not name:
            errors["name"] = "Enter the organisation's name"
        elif len(name) > 200:
            errors["name"] = "Name must be 200 characters or fewer"
        cleaned["name"] = name
    kind = cleaned.get("kind", existing.kind if existing else None)
    if kind not in OrganisationKind.values:
        errors["kind"] = "Choose a kind of organisation from the list"
    if "identifier" in cleaned and kind in OrganisationKind.values:
        try:
            cleaned["identifier"] = normalise_identifier(kind, cleaned["identifier"] or "")
        except ValidationError as e:
            errors["identifier"] = e.messages[0]
    if "postcode" in cleaned:
        try:
            cleaned["postcode"] = normalise_postcode(cleaned["postcode"] or "")
        except ValidationError as e:
            errors["postcode"] = e.messages[0]
    for text in ("address_line_1", "address_line_2", "town"):
        if text in cleaned:
            cleaned[text] = (cleaned[text] or "").strip()
            if len(cleaned[text]) > (100 if text == "town" else 200):
                errors[text] = "That is too long"
    if kind != OrganisationKind.SUPPLIER:
        for flag in ("is_sme", "is_voluntary_sector", "is_local"):
            if cleaned.get(flag):
                errors[flag] = "Only suppliers are marked SME, voluntary sector or local"
    if "parent" in cleaned and cleaned["parent"] is not None:
        parent = cleaned["parent"]
        if existing is not None and parent.pk == existing.pk:
            errors["parent"] = "An organisation cannot be its own parent"
    if errors:
        raise ValidationFailed("Check the organisation's details", field_errors=errors)
    return cleaned


def organisation_problems(values: dict[str, Any]) -> dict[str, str]:
    """The rules beyond the schema (identifier schemes, postcodes, supplier-only flags) for a
    new organisation, so a page can report them with the schema's errors, all at once."""
    try:
        _clean_organisation({k: v for k, v in values.items() if k in ORGANISATION_FIELDS}, existing=None)
    except ValidationFailed as e:
        return dict(e.field_errors)
    return {}


def organisation_create(*, actor: Actor, **values: Any) -> Organisation:
    _require(actor, Permission.ORGANISATION_MANAGE)
    values = {k: v for k, v in values.items() if k in ORGANISATION_FIELDS}
    cleaned = _clean_organisation(values, existing=None)
    with transaction.atomic():
        organisation = Organisation(**cleaned)
        _save_organisation(organisation)
        audit_record(
            actor=actor,
            action="organisation.create",
            obj=organisation,
            organisation=organisation,
            changes=snapshot(organisation, ORGANISATION_FIELDS),
        )
    return organisation


def organisation_update(*, actor: Actor, organisation: Organisation, **values: Any) -> Organisation:
    own = organisation.pk == actor.organisation.pk and actor.has(Permission.PEOPLE_MANAGE_OWN)
    if not (actor.has(Permission.ORGANISATION_MANAGE) or own):
        raise PermissionDenied("Your role does not allow changing this organisation.")
    values = {k: v for k, v in values.items() if k in ORGANISATION_FIELDS}
    if not actor.has(Permission.ORGANISATION_MANAGE):
        # Members keep their own address; what they are is the consortium's to say.
        for locked in ("kind", "identifier", "parent", "name"):
            if locked in values and values[locked] != getattr(organisation, locked):
                raise PermissionDenied(f"Only a consortium admin can change the {locked}.")
    cleaned = _clean_organisation(values, existing=organisation)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        new_kind = cleaned.get("kind", organisation.kind)
        if side_of(new_kind) != side_of(organisation.kind) and (
            RoleAssignment.objects.filter(organisation=organisation).exists()
            or Invitation.objects.filter(organisation=organisation, status=InvitationStatus.PENDING).exists()
        ):
            # Turning a supplier into a buyer (or back) would carry its people, and anyone
            # given a role meanwhile, across the line that keeps bids sealed.
            raise ValidationFailed(
                "An organisation with people cannot change between supplier and buyer",
                field_errors={"kind": "Remove its people first, or add a new organisation of the right kind"},
            )
        before = snapshot(organisation, ORGANISATION_FIELDS)
        for name, value in cleaned.items():
            setattr(organisation, name, value)
        if organisation.kind != OrganisationKind.SUPPLIER and any(
            (organisation.is_sme, organisation.is_voluntary_sector, organisation.is_local)
        ):
            raise ValidationFailed(
                "Only suppliers are marked SME, voluntary sector or local",
                field_errors={"kind": "Clear the supplier flags before changing the kind"},
            )
        _save_organisation(organisation)
        changes = diff(before, snapshot(organisation, ORGANISATION_FIELDS))
        if changes:
            audit_record(
                actor=actor,
                action="organisation.update",
                obj=organisation,
                organisation=organisation,
                changes=changes,
            )
    return organisation


def _save_organisation(organisation: Organisation) -> None:
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as e:
        raise ValidationFailed(
            "Another organisation of this kind already has that identifier",
            field_errors={"identifier": "Another organisation of this kind already has this identifier"},
        ) from e


# --- memberships -----------------------------------------------------------------


def membership_start(*, actor: Actor, organisation: Organisation, joined_on: dt.date) -> Membership:
    _require(actor, Permission.MEMBERSHIP_MANAGE)
    if organisation.kind not in MEMBER_KINDS:
        raise ValidationFailed(
            "Only public bodies and voluntary organisations can be members",
            field_errors={"organisation_id": "This organisation cannot be a member"},
        )
    consortium = actor.organisation
    if not consortium.is_consortium:
        raise PermissionDenied("Act for the consortium to admit members.")
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        if Membership.objects.filter(
            consortium=consortium, organisation=organisation, left_on__isnull=True
        ).exists():
            raise Conflict(
                f"{organisation.name} is already a member",
                field_errors={"organisation_id": "Already a current member"},
            )
        membership = Membership.objects.create(
            consortium=consortium, organisation=organisation, joined_on=joined_on
        )
        audit_record(
            actor=actor,
            action="membership.start",
            obj=membership,
            organisation=organisation,
            changes={"joined_on": joined_on},
        )
    return membership


def membership_end(*, actor: Actor, membership: Membership, left_on: dt.date) -> Membership:
    _require(actor, Permission.MEMBERSHIP_MANAGE)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.left_on is not None:
            raise Conflict("This membership has already ended")
        if left_on < membership.joined_on:
            raise ValidationFailed(
                "The leaving date is before the joining date",
                field_errors={"left_on": f"Enter a date on or after {membership.joined_on:%d %B %Y}"},
            )
        membership.left_on = left_on
        membership.save(update_fields=["left_on", "modified_at"])
        audit_record(
            actor=actor,
            action="membership.end",
            obj=membership,
            organisation=membership.organisation,
            changes={"left_on": [None, left_on.isoformat()]},
        )
    return membership


# --- people and roles --------------------------------------------------------------


def _supplier_has_people(organisation: Organisation) -> bool:
    return RoleAssignment.objects.filter(organisation=organisation, role=Role.SUPPLIER_USER).exists()


def _outsider_may_add_to(actor: Actor, organisation: Organisation) -> bool:
    """Someone outside a supplier may give it its first user (onboarding), never a later one:
    once a supplier has people, only they decide who speaks (and bids) for it."""
    if organisation.kind != OrganisationKind.SUPPLIER or organisation.pk == actor.organisation.pk:
        return True
    return not _supplier_has_people(organisation)


def can_manage_role(actor: Actor, organisation: Organisation, role: str) -> bool:
    if actor.has(Permission.PEOPLE_MANAGE_ALL):
        return True
    return (
        actor.has(Permission.PEOPLE_MANAGE_OWN)
        and organisation.pk == actor.organisation.pk
        and role not in ADMIN_ONLY_ROLES
    )


def can_grant_role(actor: Actor, organisation: Organisation, role: str) -> bool:
    return can_manage_role(actor, organisation, role) and _outsider_may_add_to(actor, organisation)


def can_invite(actor: Actor, organisation: Organisation, role: str) -> bool:
    return _outsider_may_add_to(actor, organisation) and _invites_there(actor, organisation, role)


def may_revoke_invitation(actor: Actor, invitation: Invitation) -> bool:
    return _invites_there(actor, invitation.organisation, invitation.role)


def _invites_there(actor: Actor, organisation: Organisation, role: str) -> bool:
    if actor.has(Permission.INVITE_ANY):
        return True
    if (
        actor.has(Permission.INVITE_SUPPLIER)
        and organisation.kind == OrganisationKind.SUPPLIER
        and role == Role.SUPPLIER_USER
    ):
        return True
    return (
        actor.has(Permission.INVITE_OWN)
        and organisation.pk == actor.organisation.pk
        and role not in ADMIN_ONLY_ROLES
    )


ONE_SIDE_MESSAGE = (
    "A person cannot hold roles both at a supplier and at a buying body or the consortium: "
    "use a separate account for each side"
)


def _check_one_side(email: str, organisation: Organisation, *, lock: bool = False) -> None:
    """Refuse a role that would put one person on both sides of a procurement.

    With `lock`, the person's row is locked first so two grants at once cannot both pass."""
    people = Person.objects.filter(email=email.strip().lower())
    if lock:
        people = people.select_for_update()
    person = people.first()
    if person is None:
        return
    sides = {
        side_of(kind)
        for kind in RoleAssignment.objects.filter(person=person).values_list("organisation__kind", flat=True)
    }
    if sides - {side_of(organisation.kind)}:
        raise ValidationFailed(ONE_SIDE_MESSAGE, field_errors={"email": ONE_SIDE_MESSAGE})


def _tell_supplier_of_new_user(organisation: Organisation, person: Person, granted_by: Person | None) -> None:
    """A supplier's existing users hear at once of anyone given a role at their supplier."""
    if organisation.kind != OrganisationKind.SUPPLIER:
        return
    from consortium.organisations.selectors import notification_emails

    to = [e for e in notification_emails([organisation.pk], [Role.SUPPLIER_USER]) if e != person.email]
    if not to:
        return
    by = f" by {granted_by.full_name} ({granted_by.email})" if granted_by else ""
    for address in to:
        send_email_on_commit(
            to=address,
            subject=f"New user at {organisation.name} on Consortium",
            body=(
                f"{person.full_name} ({person.email}) has been given the supplier user role at "
                f"{organisation.name}{by}.\n\nThey can see and submit your bids. If you do not "
                "know this person, remove their role on the People page and tell the consortium.\n"
            ),
        )


def _check_role_fits(organisation: Organisation, role: str) -> None:
    if role not in Role.values:
        raise ValidationFailed("Unknown role", field_errors={"role": "Choose a role from the list"})
    if role not in roles_allowed_for_kind(organisation.kind):
        allowed = ", ".join(sorted(Role(r).label for r in roles_allowed_for_kind(organisation.kind)))
        raise ValidationFailed(
            f"A {organisation.get_kind_display().lower()} cannot hold that role",
            field_errors={"role": f"Choose one of: {allowed}"},
        )


def role_grant(*, actor: Actor, person: Person, organisation: Organisation, role: str) -> RoleAssignment:
    _check_role_fits(organisation, role)
    if not can_grant_role(actor, organisation, role):
        raise PermissionDenied("Your role does not allow granting that role there.")
    with transaction.atomic():
        _check_one_side(person.email, organisation, lock=True)
        assignment, created = RoleAssignment.objects.get_or_create(
            person=person, organisation=organisation, role=role, defaults={"granted_by": actor.person}
        )
        if not created:
            raise Conflict(
                f"{person} already holds that role there",
                field_errors={"role": "Already held"},
            )
        audit_record(
            actor=actor,
            action="role.grant",
            obj=assignment,
            organisation=organisation,
            changes={"person": person.pk, "role": role},
        )
        _tell_supplier_of_new_user(organisation, person, actor.person)
    return assignment


def role_revoke(*, actor: Actor, assignment: RoleAssignment) -> None:
    if not can_manage_role(actor, assignment.organisation, assignment.role):
        raise PermissionDenied("Your role does not allow revoking that role.")
    with transaction.atomic():
        # Lock the organisation so two revocations at once cannot each leave "the other one".
        organisation = Organisation.objects.select_for_update().get(pk=assignment.organisation_id)
        assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        managing = managing_roles_for_kind(organisation.kind)
        if assignment.role in managing:
            others = (
                RoleAssignment.objects.filter(organisation=organisation, role__in=managing)
                .exclude(person_id=assignment.person_id)
                .filter(person__is_active=True)
            )
            if not others.exists():
                names = " or ".join(Role(r).label.lower() for r in sorted(managing))
                raise Conflict(
                    f"{organisation.name} must keep at least one {names}: "
                    "give the role to someone else first.",
                    field_errors={"role": f"This is the last {names} of {organisation.name}"},
                )
        audit_record(
            actor=actor,
            action="role.revoke",
            obj=assignment,
            organisation=assignment.organisation,
            changes={"person": assignment.person_id, "role": assignment.role},
        )
        assignment.delete()


def person_update_profile(
    *, actor: Actor, full_name: str, job_title: str = "", telephone: str = ""
) -> Person:
    errors = {}
    if not full_name.strip():
        errors["full_name"] = "Enter your full name"
    if len(full_name) > 200:
        errors["full_name"] = "Full name must be 200 characters or fewer"
    if len(job_title) > 200:
        errors["job_title"] = "Job title must be 200 characters or fewer"
    if len(telephone) > 40:
        errors["telephone"] = "Telephone must be 40 characters or fewer"
    if errors:
        raise ValidationFailed("Check your details", field_errors=errors)
    fields = ("full_name", "job_title", "telephone")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=actor.person.pk)
        before = snapshot(person, fields)
        person.full_name, person.job_title, person.telephone = (
            full_name.strip(),
            job_title.strip(),
            telephone.strip(),
        )
        person.save(update_fields=list(fields))
        changes = diff(before, snapshot(person, fields))
        if changes:
            audit_record(actor=actor, action="person.update", obj=person, organisation=None, changes=changes)
    return person


# --- invitations -----------------------------------------------------------------


@dataclass(frozen=True)
class NewSupplier:
    name: str
    identifier: str = ""
    postcode: str = ""
    is_sme: bool = False
    is_local: bool = False
    is_voluntary_sector: bool = False


def _invitation_email(invitation: Invitation, raw_token: str, *, inviter: Person) -> tuple[str, str]:
    link = absolute_url(f"/invitations/{raw_token}/")
    subject = f"You are invited to join {invitation.organisation.name} on Consortium"
    body = (
        f"{inviter} has invited you to Consortium as {invitation.get_role_display().lower()} "
        f"for {invitation.organisation.name}.\n\n"
        f"Accept the invitation and set your password here:\n{link}\n\n"
        f"The link works once and expires on "
        f"{timezone.localtime(invitation.expires_at):%d %B %Y at %H:%M}.\n"
        "If you did not expect this, you can ignore this e-mail.\n"
    )
    return subject, body


def invitation_create(
    *,
    actor: Actor,
    email: str,
    role: str,
    organisation: Organisation | None = None,
    new_supplier: NewSupplier | None = None,
) -> tuple[Invitation, str]:
    """Invite a person to an organisation (or to a new supplier organisation).

    Returns the invitation and the raw token, which only the e-mail carries.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(
            "Enter an e-mail address in the right format",
            field_errors={"email": "Enter an e-mail address in the right format, like name@example.org"},
        ) from None
    if (organisation is None) == (new_supplier is None):
        raise ValidationFailed(
            "Choose an organisation, or name a new supplier",
            field_errors={"organisation_id": "Choose an organisation or name a new supplier"},
        )
    with transaction.atomic():
        if new_supplier is not None:
            if not (actor.has(Permission.INVITE_ANY) or actor.has(Permission.INVITE_SUPPLIER)):
                raise PermissionDenied("Your role does not allow inviting new suppliers.")
            cleaned = _clean_organisation(
                {
                    "name": new_supplier.name,
                    "kind": OrganisationKind.SUPPLIER,
                    "identifier": new_supplier.identifier,
                    "postcode": new_supplier.postcode,
                    "is_sme": new_supplier.is_sme,
                    "is_local": new_supplier.is_local,
                    "is_voluntary_sector": new_supplier.is_voluntary_sector,
                },
                existing=None,
            )
            organisation = Organisation(**cleaned)
            _save_organisation(organisation)
            audit_record(
                actor=actor,
                action="organisation.create",
                obj=organisation,
                organisation=organisation,
                changes=snapshot(organisation, ORGANISATION_FIELDS),
            )
            role = Role.SUPPLIER_USER
        assert organisation is not None
        _check_role_fits(organisation, role)
        if not can_invite(actor, organisation, role):
            raise PermissionDenied("Your role does not allow inviting people there with that role.")
        _check_one_side(email, organisation)
        if RoleAssignment.objects.filter(person__email=email, organisation=organisation, role=role).exists():
            raise Conflict(
                "That person already holds this role there",
                field_errors={"email": "This person already holds the role in this organisation"},
            )
        raw = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            email=email,
            organisation=organisation,
            role=role,
            token_hash=_hash_token(raw),
            expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_VALID_DAYS),
            invited_by=actor.person,
            invited_by_organisation=actor.organisation,
        )
        audit_record(
            actor=actor,
            action="invitation.create",
            obj=invitation,
            organisation=organisation,
            changes={"email": email, "role": role},
        )
        subject, body = _invitation_email(invitation, raw, inviter=actor.person)
        send_email_on_commit(to=email, subject=subject, body=body)
    return invitation, raw


def _transition(invitation: Invitation, to: str) -> None:
    if to not in INVITATION_TRANSITIONS[invitation.status]:
        raise Conflict(f"This invitation is {invitation.status_label.lower()}: it cannot be {to}.")


def invitation_revoke(*, actor: Actor, invitation: Invitation) -> Invitation:
    if not may_revoke_invitation(actor, invitation):
        raise PermissionDenied("Your role does not allow revoking this invitation.")
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _transition(invitation, InvitationStatus.REVOKED)
        invitation.status = InvitationStatus.REVOKED
        invitation.revoked_on = timezone.now()
        invitation.revoked_by = actor.person
        invitation.save(update_fields=["status", "revoked_on", "revoked_by", "modified_at"])
        audit_record(
            actor=actor,
            action="invitation.revoke",
            obj=invitation,
            organisation=invitation.organisation,
            changes={"status": [InvitationStatus.PENDING, InvitationStatus.REVOKED]},
        )
    return invitation


def invitation_for_token(raw_token: str) -> Invitation:
    """The pending, unexpired invitation a token opens. The token is the credential."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=_hash_token(raw_token or ""))
        .first()
    )
    if invitation is None:
        raise NotFound("This invitation link is not valid. Check you copied the whole link.")
    if invitation.status != InvitationStatus.PENDING:
        raise Conflict(f"This invitation has already been {invitation.status_label.lower()}.")
    if invitation.is_expired:
        raise Conflict("This invitation has expired. Ask the person who invited you to send another.")
    return invitation


def invitation_accept(*, raw_token: str, password: str, full_name: str = "") -> Person:
    """Accept an invitation: a new person sets a password, an existing one confirms theirs.

    Single use: the invitation row is locked and must still be pending.
    """
    with transaction.atomic():
        found = invitation_for_token(raw_token)
        invitation = Invitation.objects.select_for_update().get(pk=found.pk)
        if invitation.status != InvitationStatus.PENDING:
            raise Conflict("This invitation has already been used.")
        # Checked again on acceptance: the person may have taken a role on the other side since.
        _check_one_side(invitation.email, invitation.organisation, lock=True)
        organisation = Organisation.objects.select_for_update().get(pk=invitation.organisation_id)
        if (
            organisation.kind == OrganisationKind.SUPPLIER
            and invitation.invited_by_organisation_id != organisation.pk
            and _supplier_has_people(organisation)
        ):
            # An onboarding invitation from outside is for the supplier's first user only.
            raise Conflict(
                f"{organisation.name} already has people on Consortium: ask one of them to invite you."
            )
        person = Person.objects.filter(email=invitation.email).first()
        if person is None:
            if not full_name.strip():
                raise ValidationFailed(
                    "Enter your full name", field_errors={"full_name": "Enter your full name"}
                )
            candidate = Person(email=invitation.email, full_name=full_name.strip())
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as e:
                raise ValidationFailed(
                    "Choose a stronger password", field_errors={"password": " ".join(e.messages)}
                ) from None
            candidate.set_password(password)
            candidate.save()
            person = candidate
            action_person_created = True
        else:
            if not person.check_password(password):
                raise ValidationFailed(
                    "You already have an account: enter its password",
                    field_errors={"password": "Enter the password of your existing account"},
                )
            action_person_created = False
        assignment, _ = RoleAssignment.objects.get_or_create(
            person=person,
            organisation=invitation.organisation,
            role=invitation.role,
            defaults={"granted_by": invitation.invited_by},
        )
        _transition(invitation, InvitationStatus.ACCEPTED)
        invitation.status = InvitationStatus.ACCEPTED
        invitation.accepted_on = timezone.now()
        invitation.accepted_by = person
        invitation.save(update_fields=["status", "accepted_on", "accepted_by", "modified_at"])
        acting = Actor(person=person, organisation=invitation.organisation, roles=frozenset())
        if action_person_created:
            audit_record(
                actor=acting, action="person.create", obj=person, organisation=invitation.organisation
            )
        audit_record(
            actor=acting,
            action="invitation.accept",
            obj=invitation,
            organisation=invitation.organisation,
            changes={"status": [InvitationStatus.PENDING, InvitationStatus.ACCEPTED]},
        )
        audit_record(
            actor=acting,
            action="role.grant",
            obj=assignment,
            organisation=invitation.organisation,
            changes={"person": person.pk, "role": invitation.role},
        )
        _tell_supplier_of_new_user(invitation.organisation, person, invitation.invited_by)
    return person


# --- API tokens --------------------------------------------------------------------

API_TOKEN_PREFIX = "csm_"


def api_token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token acting in the actor's current organisation.

    The raw token is returned once and never stored.
    """
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(
            "Name the token", field_errors={"name": "Enter a name of up to 100 characters"}
        )
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            person=actor.person,
            organisation=actor.organisation,
            name=name,
            prefix=raw[:10],
            token_hash=_hash_token(raw),
        )
        audit_record(
            actor=actor,
            action="api_token.create",
            obj=token,
            organisation=actor.organisation,
            changes={"name": name},
        )
    return token, raw


def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.person_id != actor.person.pk:
        raise NotFound("No such token")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_on is not None:
            raise Conflict("This token has already been revoked")
        token.revoked_on = timezone.now()
        token.save(update_fields=["revoked_on", "modified_at"])
        audit_record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            organisation=token.organisation,
        )
    return token


def api_token_authenticate(raw: str) -> Actor | None:
    """The actor a bearer token stands for, or None. Roles are read afresh each time."""
    if not raw or not raw.startswith(API_TOKEN_PREFIX) or len(raw) > 100:
        return None
    # One read (every API call makes it): the owner's roles in the token's organisation, with
    # the owner, the organisation and the token's last use. No roles there, no actor.
    assignments = list(
        RoleAssignment.objects.filter(
            person__api_tokens__token_hash=_hash_token(raw),
            person__api_tokens__revoked_on__isnull=True,
            organisation=F("person__api_tokens__organisation"),
            person__is_active=True,
        )
        .select_related("person", "organisation")
        .annotate(token_id=F("person__api_tokens__id"), token_used=F("person__api_tokens__last_used_at"))
        .order_by()
    )
    if not assignments:
        return None
    first = assignments[0]
    now = timezone.now()
    # Record use at most once a minute, so busy integrations don't write on every call.
    if first.token_used is None or now - first.token_used > dt.timedelta(minutes=1):  # type: ignore[attr-defined]
        ApiToken.objects.filter(pk=first.token_id).update(last_used_at=now)  # type: ignore[attr-defined]
    return Actor(
        person=first.person, organisation=first.organisation, roles=frozenset(a.role for a in assignments)
    )


def person_password_changed(*, person: Person, how: str) -> int:
    """After a password reset or change: every API token of the person is revoked (sessions
    end through Django's session hash, which the new password changes). Returns how many
    tokens were revoked. Call inside the transaction that saved the password."""
    revoked = ApiToken.objects.filter(person=person, revoked_on__isnull=True).update(
        revoked_on=timezone.now()
    )
    audit_record(
        actor=None,
        action=f"person.password_{how}",
        obj=person,
        organisation=None,
        changes={"api_tokens_revoked": revoked, "sessions": "ended"},
    )
    return revoked


# --- sign-in throttling ----------------------------------------------------------------


def sign_in_check_allowed(*, email: str, ip_address: str) -> None:
    """Refuse sign-in while too many recent failures stand against this account from this
    client, against this client, or against this account from everywhere.

    Keyed on the account and the client together, so one attacker guessing at a victim's
    password locks only themselves out, never the victim or the rest of the site."""
    window_start = timezone.now() - dt.timedelta(minutes=settings.SIGN_IN_WINDOW_MINUTES)
    recent = SignInAttempt.objects.filter(at__gte=window_start, succeeded=False)
    email = email.strip().lower()
    limit = settings.SIGN_IN_MAX_FAILURES
    from_here = recent.filter(ip_address=ip_address) if ip_address else recent.none()
    too_many = (
        from_here.filter(email=email).count() >= limit
        # An address shared by many staff (a council's network) gets a wider allowance.
        or from_here.count() >= limit * 4
        or recent.filter(email=email).count() >= settings.SIGN_IN_MAX_ACCOUNT_FAILURES
    )
    if too_many:
        raise TooManyAttempts(
            f"Too many failed sign-in attempts. Try again in {settings.SIGN_IN_WINDOW_MINUTES} minutes, "
            "or reset your password.",
            field_errors={"email": "Too many failed attempts: try again later"},
        )


def sign_in_record_attempt(*, email: str, ip_address: str, succeeded: bool) -> None:
    SignInAttempt.objects.create(
        email=email.strip().lower()[:254], ip_address=ip_address[:45], succeeded=succeeded
    )
