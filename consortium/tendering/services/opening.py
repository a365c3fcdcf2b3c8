"""The two-person opening after the deadline, which unseals the bids."""

from __future__ import annotations

from django.db import transaction

from consortium.audit.services import audit_record
from consortium.core.dates import now
from consortium.core.errors import Conflict, PermissionDenied
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.organisations.models import RoleAssignment
from consortium.tendering import selectors
from consortium.tendering.models import (
    BidOpening,
    Project,
)
from consortium.tendering.sealing import open_bids
from consortium.tendering.services._common import S, _locked, _move, _require_manager


def opening_record(*, actor: Actor, project: Project) -> Project:
    """After the deadline, each of two different authorised people records the opening; the
    second opens the bids and starts evaluation."""
    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        if project.status != S.OPEN:
            raise Conflict("Only a tender that is open for bids can be opened.")
        if not selectors.deadline_passed(project):
            raise Conflict("Bids cannot be opened before the tender deadline.")
        # Each key-holder must have held their role since before the deadline: a role (or an
        # account) created afterwards cannot be the second key.
        held_before = RoleAssignment.objects.filter(
            person=actor.person,
            organisation=project.run_by,
            role__in=(Role.CONSORTIUM_ADMIN, Role.CATEGORY_MANAGER),
            created_at__lte=project.tender_deadline,
        ).exists()
        if not held_before:
            raise PermissionDenied(
                "Only someone who ran procurements here before the tender deadline can record the opening."
            )
        _, created = BidOpening.objects.get_or_create(project=project, person=actor.person)
        if not created:
            raise Conflict(
                "You have recorded the opening already: a second authorised person must record it too."
            )
        audit_record(
            actor=actor, action="procurement.opening_record", obj=project, organisation=project.run_by
        )
        if project.openings.count() >= 2:
            _move(actor, project, S.EVALUATION, opened_at=now())
            # The second key: every submitted bid unsealed, the procurement's key destroyed.
            opened = open_bids(project)
            audit_record(
                actor=actor,
                action="procurement.bids_unsealed",
                obj=project,
                organisation=project.run_by,
                changes={"bids": opened},
            )
    return project
