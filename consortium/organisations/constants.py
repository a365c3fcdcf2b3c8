"""Kinds of organisation, roles, and which roles each kind of organisation can hold."""

from __future__ import annotations

from django.db import models


class OrganisationKind(models.TextChoices):
    CONSORTIUM = "consortium", "Consortium"
    COUNTY_COUNCIL = "county_council", "County council"
    DISTRICT_COUNCIL = "district_council", "District council"
    UNITARY_COUNCIL = "unitary_council", "Unitary council"
    SCHOOL = "school", "School"
    ACADEMY_TRUST = "academy_trust", "Academy trust"
    POLICE = "police", "Police"
    FIRE_AND_RESCUE = "fire_and_rescue", "Fire and rescue"
    NHS_BODY = "nhs_body", "NHS body"
    VOLUNTARY_ORGANISATION = "voluntary_organisation", "Voluntary organisation"
    SUPPLIER = "supplier", "Supplier"


class Nation(models.TextChoices):
    """The UK nation whose bank holidays an organisation keeps (the `holidays` package's
    subdivisions of GB): England and Wales share theirs, Scotland and Northern Ireland differ."""

    ENGLAND = "ENG", "England"
    WALES = "WLS", "Wales"
    SCOTLAND = "SCT", "Scotland"
    NORTHERN_IRELAND = "NIR", "Northern Ireland"


COUNCIL_KINDS = frozenset(
    {
        OrganisationKind.COUNTY_COUNCIL,
        OrganisationKind.DISTRICT_COUNCIL,
        OrganisationKind.UNITARY_COUNCIL,
    }
)
# Bodies that can be members of the consortium and buy through it.
MEMBER_KINDS = frozenset(
    k for k in OrganisationKind if k not in (OrganisationKind.CONSORTIUM, OrganisationKind.SUPPLIER)
)


class IdentifierScheme(models.TextChoices):
    """The official identifier each kind of organisation carries, where one exists."""

    GSS = "GB-GSS", "GSS code"
    URN = "GB-URN", "School unique reference number (URN)"
    COMPANIES_HOUSE = "GB-COH", "Companies House number"
    CHARITY = "GB-CHC", "Charity number"
    ODS = "GB-NHS", "NHS ODS code"
    PPON = "GB-PPON", "Public Procurement Organisation Number (PPON)"


IDENTIFIER_SCHEME_BY_KIND: dict[str, IdentifierScheme] = {
    OrganisationKind.COUNTY_COUNCIL: IdentifierScheme.GSS,
    OrganisationKind.DISTRICT_COUNCIL: IdentifierScheme.GSS,
    OrganisationKind.UNITARY_COUNCIL: IdentifierScheme.GSS,
    OrganisationKind.SCHOOL: IdentifierScheme.URN,
    OrganisationKind.ACADEMY_TRUST: IdentifierScheme.COMPANIES_HOUSE,
    OrganisationKind.SUPPLIER: IdentifierScheme.COMPANIES_HOUSE,
    OrganisationKind.VOLUNTARY_ORGANISATION: IdentifierScheme.CHARITY,
    OrganisationKind.NHS_BODY: IdentifierScheme.ODS,
    # A contracting authority's number on the Central Digital Platform (Procurement Act 2023).
    OrganisationKind.CONSORTIUM: IdentifierScheme.PPON,
}


class Role(models.TextChoices):
    CONSORTIUM_ADMIN = "consortium_admin", "Consortium admin"
    CATEGORY_MANAGER = "category_manager", "Category manager"
    MEMBER_BUYER = "member_buyer", "Member buyer"
    APPROVER = "approver", "Approver"
    COMMISSIONER = "commissioner", "Commissioner"
    EVALUATOR = "evaluator", "Evaluator"
    SUPPLIER_USER = "supplier_user", "Supplier user"
    PARTNER_OFFICER = "partner_officer", "Partner officer"
    FINANCE_OFFICER = "finance_officer", "Finance officer"


ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.CONSORTIUM_ADMIN: "Runs the consortium: members, people, contracts and cost sharing.",
    Role.CATEGORY_MANAGER: "Owns contracts and collaborative tenders, and approves supplier prices.",
    Role.MEMBER_BUYER: "Searches, orders and sees the organisation's own spend.",
    Role.APPROVER: "Signs off orders above the organisation's threshold and invites colleagues.",
    Role.COMMISSIONER: "Assesses care clients' needs, compares provider prices and negotiates.",
    Role.EVALUATOR: "Scores tender responses after declaring no conflict of interest.",
    Role.SUPPLIER_USER: "Keeps the supplier's catalogue and price menus, receives orders, bids.",
    Role.PARTNER_OFFICER: "Handles citizens' service requests for a partner organisation.",
    Role.FINANCE_OFFICER: "Keeps the organisation's payment funds, refunds and reconciles payments.",
}

CONSORTIUM_ROLES = frozenset({Role.CONSORTIUM_ADMIN, Role.CATEGORY_MANAGER, Role.EVALUATOR})
MEMBER_ROLES = frozenset(
    {
        Role.MEMBER_BUYER,
        Role.APPROVER,
        Role.COMMISSIONER,
        Role.EVALUATOR,
        Role.PARTNER_OFFICER,
        Role.FINANCE_OFFICER,
    }
)
SUPPLIER_ROLES = frozenset({Role.SUPPLIER_USER})


# Councils with adult social care responsibility (county and unitary councils,
# which include metropolitan and London boroughs): only they commission care
# placements, so only they hold the commissioner role and feed care benchmarks.
ADULT_SOCIAL_CARE_KINDS = frozenset({OrganisationKind.COUNTY_COUNCIL, OrganisationKind.UNITARY_COUNCIL})


def roles_allowed_for_kind(kind: str) -> frozenset[Role]:
    if kind == OrganisationKind.CONSORTIUM:
        return CONSORTIUM_ROLES
    if kind == OrganisationKind.SUPPLIER:
        return SUPPLIER_ROLES
    if kind not in ADULT_SOCIAL_CARE_KINDS:
        return MEMBER_ROLES - {Role.COMMISSIONER}
    return MEMBER_ROLES


def side_of(kind: str) -> str:
    """Which side of a procurement an organisation is on: 'supplier' or 'buyer' (members and
    the consortium). One person never holds roles on both sides (sealed bids depend on it)."""
    return "supplier" if kind == OrganisationKind.SUPPLIER else "buyer"


# Roles whose holders manage an organisation's people: an organisation always keeps one.
MANAGING_ROLES: dict[str, frozenset[Role]] = {
    "consortium": frozenset({Role.CONSORTIUM_ADMIN}),
    "supplier": frozenset({Role.SUPPLIER_USER}),
    "member": frozenset({Role.APPROVER}),
}


def managing_roles_for_kind(kind: str) -> frozenset[Role]:
    if kind == OrganisationKind.CONSORTIUM:
        return MANAGING_ROLES["consortium"]
    if kind == OrganisationKind.SUPPLIER:
        return MANAGING_ROLES["supplier"]
    return MANAGING_ROLES["member"]


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # sent, not yet accepted; may have expired
    ACCEPTED = "accepted", "Accepted"  # the person set a password or signed in and took the role
    REVOKED = "revoked", "Revoked"  # withdrawn by someone who could send it


# The invitation workflow: the only transitions there are.
INVITATION_TRANSITIONS: dict[str, frozenset[str]] = {
    InvitationStatus.PENDING: frozenset({InvitationStatus.ACCEPTED, InvitationStatus.REVOKED}),
    InvitationStatus.ACCEPTED: frozenset(),
    InvitationStatus.REVOKED: frozenset(),
}
