"""JSON API for organisations, memberships, people, roles, invitations and tokens.

Thin: parse, ask a selector (which scopes to the actor), call a service, serialise.
"""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from consortium.core.api_errors import ERRORS
from consortium.core.pagination import Page
from consortium.organisations import selectors, services
from consortium.organisations.acting import organisations_of
from consortium.organisations.api_auth import actor_of
from consortium.organisations.constants import OrganisationKind
from consortium.organisations.models import (
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    Person,
)
from consortium.organisations.schemas import (
    ApiTokenCreatedOut,
    ApiTokenIn,
    ApiTokenOut,
    InvitationAcceptIn,
    InvitationIn,
    InvitationOut,
    MembershipEndIn,
    MembershipIn,
    MembershipOut,
    MeOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PersonOut,
    RoleAssignmentOut,
    RoleGrantIn,
)

router = Router(tags=["organisations"])


@router.get("/me", response={200: MeOut, **ERRORS}, operation_id="me_get")
def me_get(request: HttpRequest) -> dict[str, object]:
    actor = actor_of(request)
    return {
        "person": actor.person,
        "organisation": actor.organisation,
        "roles": sorted(actor.roles),
        "permissions": sorted(actor.permissions),
        "organisations": organisations_of(actor.person),
    }


# --- organisations ---


@router.get(
    "/organisations", response={200: list[OrganisationOut], **ERRORS}, operation_id="organisation_list"
)
@paginate(Page)
def organisation_list(
    request: HttpRequest,
    kind: OrganisationKind | None = None,
    search: str | None = Query(None, max_length=100),
    members_only: bool = False,
) -> object:
    return selectors.organisation_list_for(
        actor_of(request), kind=kind, search=search, members_only=members_only
    )


@router.post("/organisations", response={201: OrganisationOut, **ERRORS}, operation_id="organisation_create")
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Status:
    actor = actor_of(request)
    values = payload.dict()
    parent_id = values.pop("parent_id")
    values["parent"] = selectors.organisation_get_for(actor, parent_id) if parent_id else None
    return Status(201, services.organisation_create(actor=actor, **values))


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **ERRORS},
    operation_id="organisation_get",
)
def organisation_get(request: HttpRequest, organisation_id: int) -> Organisation:
    return selectors.organisation_get_for(actor_of(request), organisation_id)


@router.patch(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **ERRORS},
    operation_id="organisation_update",
)
def organisation_update(
    request: HttpRequest, organisation_id: int, payload: OrganisationPatch
) -> Organisation:
    actor = actor_of(request)
    organisation = selectors.organisation_get_for(actor, organisation_id)
    return services.organisation_update(
        actor=actor, organisation=organisation, **payload.dict(exclude_unset=True, exclude_none=True)
    )


# --- memberships ---


@router.get("/memberships", response={200: list[MembershipOut], **ERRORS}, operation_id="membership_list")
@paginate(Page)
def membership_list(
    request: HttpRequest,
    organisation_id: int | None = Query(None, ge=1, le=2**62),
    current_only: bool = False,
) -> object:
    return selectors.membership_list_for(
        actor_of(request), organisation_id=organisation_id, current_only=current_only
    )


@router.post("/memberships", response={201: MembershipOut, **ERRORS}, operation_id="membership_start")
def membership_start(request: HttpRequest, payload: MembershipIn) -> Status:
    actor = actor_of(request)
    organisation = selectors.organisation_get_for(actor, payload.organisation_id)
    return Status(
        201, services.membership_start(actor=actor, organisation=organisation, joined_on=payload.joined_on)
    )


@router.post(
    "/memberships/{membership_id}/end",
    response={200: MembershipOut, **ERRORS},
    operation_id="membership_end",
)
def membership_end(request: HttpRequest, membership_id: int, payload: MembershipEndIn) -> Membership:
    actor = actor_of(request)
    membership = selectors.membership_get_for(actor, membership_id)
    return services.membership_end(actor=actor, membership=membership, left_on=payload.left_on)


# --- people and roles ---


@router.get("/people", response={200: list[PersonOut], **ERRORS}, operation_id="person_list")
@paginate(Page)
def person_list(
    request: HttpRequest,
    organisation_id: int | None = Query(None, ge=1, le=2**62),
    search: str | None = Query(None, max_length=100),
) -> object:
    return selectors.person_list_for(actor_of(request), organisation_id=organisation_id, search=search)


@router.get("/people/{person_id}", response={200: PersonOut, **ERRORS}, operation_id="person_get")
def person_get(request: HttpRequest, person_id: int) -> Person:
    return selectors.person_get_for(actor_of(request), person_id)


@router.get(
    "/role-assignments",
    response={200: list[RoleAssignmentOut], **ERRORS},
    operation_id="role_assignment_list",
)
@paginate(Page)
def role_assignment_list(
    request: HttpRequest,
    person_id: int | None = Query(None, ge=1, le=2**62),
    organisation_id: int | None = Query(None, ge=1, le=2**62),
) -> object:
    return selectors.role_assignment_list_for(
        actor_of(request), person_id=person_id, organisation_id=organisation_id
    )


@router.post(
    "/people/{person_id}/roles",
    response={201: RoleAssignmentOut, **ERRORS},
    operation_id="role_grant",
)
def role_grant(request: HttpRequest, person_id: int, payload: RoleGrantIn) -> Status:
    actor = actor_of(request)
    person = selectors.person_get_for(actor, person_id)
    organisation = selectors.organisation_get_for(actor, payload.organisation_id)
    return Status(
        201, services.role_grant(actor=actor, person=person, organisation=organisation, role=payload.role)
    )


@router.delete(
    "/role-assignments/{assignment_id}",
    response={204: None, **ERRORS},
    operation_id="role_revoke",
)
def role_revoke(request: HttpRequest, assignment_id: int) -> Status:
    actor = actor_of(request)
    assignment = selectors.role_assignment_get_for(actor, assignment_id)
    services.role_revoke(actor=actor, assignment=assignment)
    return Status(204, None)


# --- invitations ---


@router.get("/invitations", response={200: list[InvitationOut], **ERRORS}, operation_id="invitation_list")
@paginate(Page)
def invitation_list(request: HttpRequest) -> object:
    return selectors.invitation_list_for(actor_of(request))


@router.post("/invitations", response={201: InvitationOut, **ERRORS}, operation_id="invitation_create")
def invitation_create(request: HttpRequest, payload: InvitationIn) -> Status:
    actor = actor_of(request)
    organisation = (
        selectors.organisation_get_for(actor, payload.organisation_id) if payload.organisation_id else None
    )
    new_supplier = services.NewSupplier(**payload.new_supplier.dict()) if payload.new_supplier else None
    invitation, _token = services.invitation_create(
        actor=actor,
        email=payload.email,
        role=payload.role,
        organisation=organisation,
        new_supplier=new_supplier,
    )
    return Status(201, invitation)


@router.post(
    "/invitations/{invitation_id}/revoke",
    response={200: InvitationOut, **ERRORS},
    operation_id="invitation_revoke",
)
def invitation_revoke(request: HttpRequest, invitation_id: int) -> Invitation:
    actor = actor_of(request)
    invitation = selectors.invitation_get_for(actor, invitation_id)
    return services.invitation_revoke(actor=actor, invitation=invitation)


@router.post(
    "/invitations/accept",
    response={200: PersonOut, **ERRORS},
    auth=None,
    operation_id="invitation_accept",
)
def invitation_accept(request: HttpRequest, payload: InvitationAcceptIn) -> Person:
    """Accept an invitation with the token from its e-mail. No sign-in: the token is the credential."""
    return services.invitation_accept(
        raw_token=payload.token, password=payload.password, full_name=payload.full_name
    )


# --- personal API tokens ---


@router.get("/tokens", response={200: list[ApiTokenOut], **ERRORS}, operation_id="api_token_list")
@paginate(Page)
def api_token_list(request: HttpRequest) -> object:
    return selectors.api_token_list_for(actor_of(request))


@router.post("/tokens", response={201: ApiTokenCreatedOut, **ERRORS}, operation_id="api_token_create")
def api_token_create(request: HttpRequest, payload: ApiTokenIn) -> Status:
    token, raw = services.api_token_create(actor=actor_of(request), name=payload.name)
    return Status(201, {**ApiTokenOut.from_orm(token).dict(), "token": raw})


@router.post(
    "/tokens/{token_id}/revoke", response={200: ApiTokenOut, **ERRORS}, operation_id="api_token_revoke"
)
def api_token_revoke(request: HttpRequest, token_id: int) -> ApiToken:
    actor = actor_of(request)
    token = selectors.api_token_get_for(actor, token_id)
    return services.api_token_revoke(actor=actor, token=token)
