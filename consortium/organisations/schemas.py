import datetime as dt

from ninja import Field, Schema

from consortium.core.schemas import Date, StrictIn
from consortium.organisations.constants import Nation, OrganisationKind, Role


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKind
    identifier_scheme: str
    identifier: str
    address_line_1: str
    address_line_2: str
    town: str
    postcode: str
    parent_id: int | None
    is_sme: bool
    is_voluntary_sector: bool
    is_local: bool
    nation: Nation


class OrganisationIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=200)
    kind: OrganisationKind
    identifier: str = Field("", max_length=20)
    address_line_1: str = Field("", max_length=200)
    address_line_2: str = Field("", max_length=200)
    town: str = Field("", max_length=100)
    postcode: str = Field("", max_length=10)
    parent_id: int | None = Field(None, ge=1, le=2**62)
    is_sme: bool = False
    is_voluntary_sector: bool = False
    is_local: bool = False
    nation: Nation = Field(Nation.ENGLAND, title="Nation (for bank holidays)")


class OrganisationPatch(StrictIn):
    name: str | None = Field(None, min_length=1, max_length=200)
    identifier: str | None = Field(None, max_length=20)
    address_line_1: str | None = Field(None, max_length=200)
    address_line_2: str | None = Field(None, max_length=200)
    town: str | None = Field(None, max_length=100)
    postcode: str | None = Field(None, max_length=10)
    is_sme: bool | None = None
    is_voluntary_sector: bool | None = None
    is_local: bool | None = None
    nation: Nation | None = Field(None, title="Nation (for bank holidays)")


class NationIn(StrictIn):
    nation: Nation = Field(..., title="Nation")


class MembershipOut(Schema):
    id: int
    consortium_id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    joined_on: dt.date
    left_on: dt.date | None


class MembershipIn(StrictIn):
    organisation_id: int = Field(..., ge=1, le=2**62)
    joined_on: Date = Field(..., title="Joining date")


class MembershipEndIn(StrictIn):
    left_on: Date = Field(..., title="Leaving date")


class JoiningIn(StrictIn):
    """The new-organisation page's 'admit as a member' part (today when no date is given)."""

    admit: bool = False
    joined_on: Date | None = Field(None, title="Joining date")


class RoleAssignmentOut(Schema):
    id: int
    person_id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    role: Role


class PersonOut(Schema):
    id: int
    email: str
    full_name: str
    job_title: str
    telephone: str
    is_active: bool


class RoleGrantIn(StrictIn):
    organisation_id: int = Field(..., ge=1, le=2**62, title="an organisation")
    role: Role = Field(..., title="a role")


class NewSupplierIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=200)
    identifier: str = Field("", max_length=20, description="Companies House number")
    postcode: str = Field("", max_length=10)
    is_sme: bool = False
    is_local: bool = False
    is_voluntary_sector: bool = False


class InvitationIn(StrictIn):
    email: str = Field(..., max_length=254)
    role: Role = Role.SUPPLIER_USER
    organisation_id: int | None = Field(None, ge=1, le=2**62)
    new_supplier: NewSupplierIn | None = None


class InvitationOut(Schema):
    id: int
    email: str
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    role: Role
    status: str = Field(..., alias="status_label")
    expires_at: dt.datetime
    created_at: dt.datetime


class InvitationAcceptIn(StrictIn):
    token: str = Field(..., min_length=1, max_length=200)
    password: str = Field(..., min_length=1, max_length=200)
    full_name: str = Field("", max_length=200)


class ApiTokenIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=100, title="the token's name")


class ProfileIn(StrictIn):
    full_name: str = Field(..., min_length=1, max_length=200, title="your full name")
    job_title: str = Field("", max_length=200, title="Job title")
    telephone: str = Field("", max_length=40, title="Telephone")


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    organisation_id: int
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_on: dt.datetime | None


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(..., description="Shown once: store it now. Send as 'Authorization: Bearer <token>'.")


class MeOut(Schema):
    person: PersonOut
    organisation: OrganisationOut
    roles: list[Role]
    permissions: list[str]
    organisations: list[OrganisationOut]
