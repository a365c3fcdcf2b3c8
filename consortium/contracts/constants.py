from __future__ import annotations

from django.db import models


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


class Access(models.TextChoices):
    ALL_MEMBERS = "all_members", "All members of the consortium"
    KINDS = "kinds", "Members of the kinds listed"
    NAMED = "named", "The members named"
