"""What each role may do, in one place. Selectors and services ask here."""

from __future__ import annotations

import enum

from consortium.organisations.constants import Role


class Permission(enum.StrEnum):
    # People and organisations
    ORGANISATION_MANAGE = "organisation.manage"  # create and edit any organisation
    MEMBERSHIP_MANAGE = "membership.manage"  # admit members and record leaving
    PEOPLE_VIEW_ALL = "people.view_all"  # people of every organisation
    PEOPLE_MANAGE_ALL = "people.manage_all"  # grant and revoke any role anywhere
    PEOPLE_MANAGE_OWN = "people.manage_own"  # grant and revoke roles in own organisation
    INVITE_ANY = "invitation.any"  # invite anyone to any organisation, any role
    INVITE_SUPPLIER = "invitation.supplier"  # invite suppliers (new or existing)
    INVITE_OWN = "invitation.own"  # invite colleagues to own organisation
    AUDIT_VIEW_ALL = "audit.view_all"  # the whole audit trail
    # Marketplace
    CONTRACTS_MANAGE = "contracts.manage"  # set up contracts and lots, make them live, expire them
    CATALOGUE_KEEP = "catalogue.keep"  # keep own catalogue, propose price changes
    PRICE_CHANGES_DECIDE = "price_changes.decide"  # approve or reject suppliers' new prices
    BASELINES_SET = "baselines.set"  # set the prices MI savings are measured against
    ORDERS_PLACE = "orders.place"  # basket and checkout for own organisation
    ORDERS_APPROVE = "orders.approve"  # approve or reject own organisation's orders (not one's own)
    ORDERS_FULFIL = "orders.fulfil"  # acknowledge and dispatch own supplier's orders
    ORDERS_VIEW_ALL = "orders.view_all"  # every member's orders
    APPROVAL_RULES_SET = "approval_rules.set"  # own organisation's approval thresholds
    INVOICES_SUBMIT = "invoices.submit"  # send own supplier's invoices and credit notes
    INVOICES_APPROVE = "invoices.approve"  # own organisation's held invoices, payments, exports
    INVOICES_VIEW_ALL = "invoices.view_all"  # every member's invoices; the match tolerances
    SPEND_UPLOAD = "spend.upload"  # upload own organisation's spend files
    SPEND_VIEW_ALL = "spend.view_all"  # every member's spend and MI
    # Collaborative tendering
    PROCUREMENTS_RUN = "procurements.run"  # run procurements: demand, timetable, criteria, opening
    AWARDS_APPROVE = "awards.approve"  # approve an award decision
    DEMAND_REGISTER = "demand.register"  # register own organisation's demand
    BIDS_SUBMIT = "bids.submit"  # register interest, ask, bid for own supplier
    # Care price benchmarking
    CARE_COMMISSION = "care.commission"  # clients, negotiations, placements for own council
    CARE_PROVIDE = "care.provide"  # own homes and price menus
    CARE_OVERSEE = "care.oversee"  # every council's reports, homes for any provider
    # Shared citizen services
    SERVICES_DEFINE = "services.define"  # own partner's service catalogue and questions
    REQUESTS_WORK = "requests.work"  # own partner's service requests: queue, updates, routing
    REQUESTS_OVERSEE = "requests.oversee"  # the partnership: triage, totals, routing and areas
    # Contact routing
    CONTACTS_ANSWER = "contacts.answer"  # answer contacts as an agent; own partner's queue figures
    CONTACTS_SUPERVISE = "contacts.supervise"  # queues, agents, routing rules, platforms, all figures
    # Joined-up directory
    DIRECTORY_SEARCH = "directory.search"  # search the directory (what each agency lets them see)
    DIRECTORY_SELECT = "directory.select"  # select people, export them, e-mail them
    DIRECTORY_PRIVACY_OWN = "directory.privacy_own"  # who sees each field of own agency's entries
    DIRECTORY_ADMIN = "directory.admin"  # feeds and syncs, every agency's visibility, leavers
    # Payments
    PAYMENTS_FINANCE = "payments.finance"  # own partner's funds, account, payments, refunds, reconciling
    PAYMENTS_OVERSEE = "payments.oversee"  # the partnership's totals by partner and fund
    # Savings and cost sharing
    SAVINGS_RECORD = "savings.record"  # propose own organisation's savings; its register, charge, net benefit
    SAVINGS_VALIDATE = "savings.validate"  # validate others' savings, record for any member, rebates
    SAVINGS_VIEW_ALL = "savings.view_all"  # every member's savings, charges and rebates
    COSTS_SHARE = "costs.share"  # the shared service's budget, members' figures, scenarios, approval
    # Sustainable procurement
    SUSTAINABILITY_ASSESS = "sustainability.assess"  # own organisation's Flexible Framework self-assessment
    SUSTAINABILITY_OVERSEE = "sustainability.oversee"  # every member's assessment; the framework's criteria


# Permissions about one side of a procurement or a market: never the admin's by default.
_SIDE_SPECIFIC = frozenset(
    {
        Permission.CATALOGUE_KEEP,
        Permission.ORDERS_PLACE,
        Permission.ORDERS_APPROVE,
        Permission.ORDERS_FULFIL,
        Permission.INVOICES_SUBMIT,
        Permission.INVOICES_APPROVE,
        Permission.APPROVAL_RULES_SET,
        Permission.SPEND_UPLOAD,
        Permission.DEMAND_REGISTER,
        Permission.BIDS_SUBMIT,
        Permission.CARE_COMMISSION,
        Permission.CARE_PROVIDE,
        Permission.SERVICES_DEFINE,
        Permission.REQUESTS_WORK,
        Permission.CONTACTS_ANSWER,
        Permission.DIRECTORY_PRIVACY_OWN,
        Permission.PAYMENTS_FINANCE,
        Permission.SAVINGS_RECORD,
        Permission.SUSTAINABILITY_ASSESS,
    }
)
# Everyone who works for a public body may find, select and e-mail colleagues elsewhere.
_DIRECTORY_STAFF = frozenset({Permission.DIRECTORY_SEARCH, Permission.DIRECTORY_SELECT})

# The one table of who may do what: every check in the services, selectors, API and pages
# asks `actor.has(permission)`. Which organisations may hold each role is in constants.py.
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.CONSORTIUM_ADMIN: frozenset(Permission) - _SIDE_SPECIFIC,
    Role.CATEGORY_MANAGER: frozenset(
        {
            Permission.INVITE_SUPPLIER,
            Permission.CONTRACTS_MANAGE,
            Permission.PRICE_CHANGES_DECIDE,
            Permission.BASELINES_SET,
            Permission.ORDERS_VIEW_ALL,
            Permission.INVOICES_VIEW_ALL,
            Permission.SPEND_VIEW_ALL,
            Permission.PROCUREMENTS_RUN,
            Permission.CARE_OVERSEE,
            Permission.SAVINGS_VALIDATE,
            Permission.SAVINGS_VIEW_ALL,
            Permission.SUSTAINABILITY_OVERSEE,
        }
    )
    | _DIRECTORY_STAFF,
    Role.MEMBER_BUYER: frozenset(
        {
            Permission.ORDERS_PLACE,
            Permission.SPEND_UPLOAD,
            Permission.DEMAND_REGISTER,
            Permission.SAVINGS_RECORD,
            Permission.SUSTAINABILITY_ASSESS,
        }
    )
    | _DIRECTORY_STAFF,
    Role.APPROVER: frozenset(
        {
            Permission.INVITE_OWN,
            Permission.PEOPLE_MANAGE_OWN,
            Permission.ORDERS_PLACE,
            Permission.ORDERS_APPROVE,
            Permission.INVOICES_APPROVE,
            Permission.APPROVAL_RULES_SET,
            Permission.SPEND_UPLOAD,
            Permission.DEMAND_REGISTER,
            Permission.SAVINGS_RECORD,
            Permission.SUSTAINABILITY_ASSESS,
        }
    )
    | _DIRECTORY_STAFF,
    Role.COMMISSIONER: frozenset(
        {Permission.CARE_COMMISSION, Permission.DEMAND_REGISTER, Permission.SAVINGS_RECORD}
    )
    | _DIRECTORY_STAFF,
    # Evaluators score only what they are assigned, after declaring; suppliers find people but
    # see only what agencies open to everyone signed in, and cannot mail them in bulk.
    Role.EVALUATOR: frozenset({Permission.DIRECTORY_SEARCH}),
    Role.SUPPLIER_USER: frozenset(
        {
            Permission.INVITE_OWN,
            Permission.PEOPLE_MANAGE_OWN,
            Permission.CATALOGUE_KEEP,
            Permission.ORDERS_FULFIL,
            Permission.INVOICES_SUBMIT,
            Permission.BIDS_SUBMIT,
            Permission.CARE_PROVIDE,
            Permission.DIRECTORY_SEARCH,
        }
    ),
    Role.PARTNER_OFFICER: frozenset(
        {
            Permission.SERVICES_DEFINE,
            Permission.REQUESTS_WORK,
            Permission.CONTACTS_ANSWER,
            Permission.DIRECTORY_PRIVACY_OWN,
        }
    )
    | _DIRECTORY_STAFF,
    # A partner's finance: its funds and the payments into them, never another partner's.
    # A member's finance officer also clears its supplier invoices for payment.
    Role.FINANCE_OFFICER: frozenset(
        {Permission.PAYMENTS_FINANCE, Permission.SAVINGS_RECORD, Permission.INVOICES_APPROVE}
    )
    | _DIRECTORY_STAFF,
}


# Roles that only a consortium admin may hand out, whoever else can invite.
ADMIN_ONLY_ROLES = frozenset({Role.CONSORTIUM_ADMIN, Role.CATEGORY_MANAGER})


def permissions_for(roles: frozenset[str]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)
