"""Who may do what in care price benchmarking."""

from __future__ import annotations

from consortium.core.errors import PermissionDenied
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission


def is_commissioner(actor: Actor) -> bool:
    return actor.has(Permission.CARE_COMMISSION)


def is_provider(actor: Actor) -> bool:
    return actor.has(Permission.CARE_PROVIDE) and actor.organisation.is_supplier


def is_consortium_officer(actor: Actor) -> bool:
    return actor.has(Permission.CARE_OVERSEE)


def require_commissioner(actor: Actor) -> None:
    if not is_commissioner(actor):
        raise PermissionDenied("Only a commissioner can work on care clients' records.")


def require_care_access(actor: Actor) -> None:
    if not (is_commissioner(actor) or is_provider(actor) or is_consortium_officer(actor)):
        raise PermissionDenied("Care price benchmarking is for commissioners, providers and the consortium.")
