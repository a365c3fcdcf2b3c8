from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from consortium.organisations.permissions import Permission


class ContractKind(models.TextChoices):
    FRAMEWORK = "framework", "Framework agreement"
    CALL_OFF = "call_off", "Call-off contract"


class Scope(models.TextChoices):
    LOCAL = "local", "Local"
    REGIONAL = "regional", "Regional"
    NATIONAL = "national", "National"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"  # being set up; not visible to buyers
    LIVE = "live", "Live"  # buyers may order while today is within its dates
    EXPIRED = "expired", "Expired"  # ended; kept for history and MI


CONTRACT_TRANSITIONS: dict[str, frozenset[str]] = {
    ContractStatus.DRAFT: frozenset({ContractStatus.LIVE}),
    ContractStatus.LIVE: frozenset({ContractStatus.EXPIRED}),
    ContractStatus.EXPIRED: frozenset(),
}


@dataclass(frozen=True)
class ContractAction:
    """One thing a category manager can do to a contract: services, API and pages read this."""

    label: str
    from_states: frozenset[str]
    to: str
    permission: Permission
    warning: bool = False


CONTRACT_ACTIONS: dict[str, ContractAction] = {
    "make_live": ContractAction(
        "Make live for buyers",
        frozenset({ContractStatus.DRAFT}),
        ContractStatus.LIVE,
        Permission.CONTRACTS_MANAGE,
    ),
    "expire": ContractAction(
        "Mark as expired",
        frozenset({ContractStatus.LIVE}),
        ContractStatus.EXPIRED,
        Permission.CONTRACTS_MANAGE,
        warning=True,
    ),
}
# The old `…/status {"to": status}` form, kept working for a release (deprecated).
ACTION_FOR_STATUS: dict[str, str] = {ContractStatus.LIVE: "make_live", ContractStatus.EXPIRED: "expire"}


class Access(models.TextChoices):
    ALL_MEMBERS = "all_members", "All members of the consortium"
    KINDS = "kinds", "Members of the kinds listed"
    NAMED = "named", "The members named"
