"""Savings: where each saving comes from, the methods it may be measured by (each with its
formula), the register's workflow, the keys the shared service's cost is split by, and the
rebate statement's states."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from consortium.organisations.permissions import Permission


class Source(models.TextChoices):
    MARKETPLACE = "marketplace", "Marketplace orders"
    TENDER = "tender", "Tender award"
    CARE = "care", "Care placement"
    PROJECT = "project", "Shared-services project"
    MANUAL = "manual", "Manual entry with evidence"


# Sources whose savings the systems that know them create; nobody types these.
GENERATED_SOURCES = frozenset({Source.MARKETPLACE, Source.TENDER, Source.CARE})


class Category(models.TextChoices):
    GOODS = "goods", "Goods and supplies"
    SERVICES = "services", "Services"
    WORKS = "works", "Works"
    SOCIAL_CARE = "social_care", "Adult social care"
    ICT = "ict", "ICT and systems"
    SHARED_SERVICES = "shared_services", "Shared services"
    PROFESSIONAL = "professional", "Professional services (legal, consultancy)"


class Method(models.TextChoices):
    PREVIOUS_PRICE = "previous_price", "Price reduction against the previous price"
    QUOTES_AVERAGE = "quotes_average", "Price reduction against the average of compliant quotes"
    PRE_TENDER_ESTIMATE = "pre_tender_estimate", "Price reduction against the pre-tender estimate"
    NEGOTIATED = "negotiated", "Negotiated reduction against the price asked"
    COST_AVOIDANCE = "cost_avoidance", "Cost avoidance"
    PROCESS = "process", "Process and staff-time saving"


# Each method's formula, shown beside it on every page and in the annual statement, so a
# member can defend the figure. "Quantity" is what was bought in the period counted.
METHOD_FORMULAS: dict[str, str] = {
    Method.PREVIOUS_PRICE: "(previous unit price − new unit price) × quantity bought",
    Method.QUOTES_AVERAGE: "average of the compliant quotes received − price accepted",
    Method.PRE_TENDER_ESTIMATE: "pre-tender estimate of the annual cost − annual cost at the awarded prices",
    Method.NEGOTIATED: "(price asked − price agreed) a week × 52 weeks (care) or × the units agreed",
    Method.COST_AVOIDANCE: "increase the supplier sought or the market moved by − increase accepted",
    Method.PROCESS: "hours no longer spent × the fully loaded hourly cost, or a cost stopped",
}


class Recurrence(models.TextChoices):
    ONE_OFF = "one_off", "One-off"
    RECURRING = "recurring", "Recurring"


class SavingStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    VALIDATED = "validated", "Validated"
    REPORTED = "reported", "Reported"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Statuses whose figures are locked: a correction is a new entry that references the old.
LOCKED = frozenset({SavingStatus.VALIDATED, SavingStatus.REPORTED})
# Statuses that count in reports (unless a validated correction has replaced them).
COUNTED = LOCKED


@dataclass(frozen=True)
class SavingAction:
    label: str
    from_statuses: frozenset[str]
    to: str
    permission: Permission
    # The person who proposed a saving may not validate it (or reject it): a second pair of eyes.
    not_the_proposer: bool = False
    proposer_only: bool = False


# The register's workflow: services, API and pages all read this one table.
SAVING_ACTIONS: dict[str, SavingAction] = {
    "validate": SavingAction(
        "Validate",
        frozenset({SavingStatus.PROPOSED}),
        SavingStatus.VALIDATED,
        Permission.SAVINGS_VALIDATE,
        not_the_proposer=True,
    ),
    "reject": SavingAction(
        "Reject",
        frozenset({SavingStatus.PROPOSED}),
        SavingStatus.REJECTED,
        Permission.SAVINGS_VALIDATE,
        not_the_proposer=True,
    ),
    "withdraw": SavingAction(
        "Withdraw",
        frozenset({SavingStatus.PROPOSED}),
        SavingStatus.WITHDRAWN,
        Permission.SAVINGS_RECORD,
        proposer_only=True,
    ),
    "report": SavingAction(
        "Mark as reported",
        frozenset({SavingStatus.VALIDATED}),
        SavingStatus.REPORTED,
        Permission.SAVINGS_VALIDATE,
    ),
}


class Key(models.TextChoices):
    """What the shared service's running cost may be split by."""

    EQUAL = "equal", "Equal shares"
    POPULATION = "population", "Population"
    PUPILS = "pupils", "Pupils"
    SPEND = "spend", "Spend through the consortium's contracts"
    USAGE = "usage", "Usage (orders, tenders joined, placements)"
    SAVINGS = "savings", "Validated savings"


# Keys whose figures members' data supply (with a source and year); the rest come from the
# systems' own records for the budget's financial year.
DATA_KEYS = frozenset({Key.POPULATION, Key.PUPILS})


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class RebateStatus(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    SENT = "sent", "Statement sent"
    RECEIVED = "received", "Received"


REBATE_NEXT: dict[str, str] = {
    RebateStatus.OUTSTANDING: RebateStatus.SENT,
    RebateStatus.SENT: RebateStatus.RECEIVED,
}
