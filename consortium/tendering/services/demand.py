"""Aggregating demand: members register what they will buy before the procurement is sized."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from consortium.audit.services import audit_record
from consortium.core.dates import today_in_london
from consortium.core.email import absolute_url
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.constants import MEMBER_KINDS, Role
from consortium.organisations.models import Organisation
from consortium.organisations.selectors import notification_emails
from consortium.tendering import ocds, selectors
from consortium.tendering.models import (
    DemandReturn,
    Project,
)
from consortium.tendering.services._common import S, _locked, _move, _require_manager, _tell


def demand_open(
    *, actor: Actor, project: Project, closes_on: dt.date, members: Sequence[Organisation] | None = None
) -> Project:
    """Invite members to register demand by a closing date (all current members by default)."""
    _require_manager(actor)
    if closes_on <= today_in_london():
        raise ValidationFailed(
            "Check the closing date", field_errors={"closes_on": "Choose a date after today"}
        )
    invited = (
        list(members)
        if members is not None
        else list(
            Organisation.objects.filter(
                kind__in=MEMBER_KINDS,
                memberships__consortium=actor.organisation,
                memberships__left_on__isnull=True,
            ).distinct()
        )
    )
    if not invited:
        raise ValidationFailed("Invite members", field_errors={"members": "Choose the members to invite"})
    with transaction.atomic():
        project = _locked(project)
        if not project.lots.exists():
            raise Conflict("Add at least one lot before inviting members to register demand.")
        _move(actor, project, S.DEMAND, demand_closes_on=closes_on)
        project.invited_members.set(invited)
        ocds.publish(project, "planning")
        _tell(
            notification_emails(
                [m.pk for m in invited], [Role.MEMBER_BUYER, Role.APPROVER, Role.COMMISSIONER]
            ),
            f"Register your demand: {project.reference} {project.title}",
            f"The consortium is buying {project.title} together. Tell us what you need for each lot by "
            f"{closes_on:%-d %B %Y}: {absolute_url(f'/tenders/{project.pk}/demand/')}\n",
        )
    return project


@dataclass
class DemandIn:
    lot_number: int
    needed_from: dt.date
    estimated_quantity: int | None = None
    annual_value: Decimal | None = None
    will_use: bool = False


def _check_demand(project: Project, rows: Sequence[DemandIn], where: Sequence[str]) -> dict[str, str]:
    lots = {lot.number for lot in project.lots.all()}
    errors: dict[str, str] = {}
    for row, at in zip(rows, where, strict=True):
        if row.lot_number not in lots:
            errors[f"{at}lot"] = f"There is no lot {row.lot_number}"
        if row.estimated_quantity is None and row.annual_value is None:
            errors[f"{at}annual_value"] = "Give an estimated quantity or an annual value"
        if row.estimated_quantity is not None and not 0 <= row.estimated_quantity <= 10**9:
            errors[f"{at}estimated_quantity"] = "Enter a quantity of 0 or more"
        if row.annual_value is not None and not 0 <= row.annual_value < 10**11:
            errors[f"{at}annual_value"] = "Enter an annual value of £0 or more"
    return errors


def demand_record(
    *, actor: Actor, project: Project, rows: Sequence[DemandIn], where: Sequence[str] | None = None
) -> list[DemandReturn]:
    """A member's demand return for one or more lots: replaces what it said before for those lots.
    All rows are stored or none (each error names its row and field)."""
    if not selectors.registers_demand(actor):
        raise PermissionDenied("Member buyers and approvers register their organisation's demand.")
    where = where or [f"lot {r.lot_number}: " if len(rows) > 1 else "" for r in rows]
    with transaction.atomic():
        project = _locked(project)
        if not project.invited_members.filter(pk=actor.organisation.pk).exists():
            raise NotFound("No such procurement you may see")
        if project.status != S.DEMAND or (
            project.demand_closes_on and today_in_london() > project.demand_closes_on
        ):
            raise Conflict("Demand for this procurement has closed.")
        errors = _check_demand(project, rows, where)
        if errors:
            raise ValidationFailed("Check your demand return", field_errors=errors)
        lots = {lot.number: lot for lot in project.lots.all()}
        saved = []
        for row in rows:
            demand, _ = DemandReturn.objects.update_or_create(
                lot=lots[row.lot_number],
                member=actor.organisation,
                defaults={
                    "estimated_quantity": row.estimated_quantity,
                    "annual_value": row.annual_value,
                    "needed_from": row.needed_from,
                    "will_use": row.will_use,
                    "submitted_by": actor.person,
                },
            )
            saved.append(demand)
        audit_record(
            actor=actor,
            action="procurement.demand_record",
            obj=project,
            organisation=actor.organisation,
            changes={"lots": [r.lot_number for r in rows]},
        )
    return saved


def preparation_without_demand(*, actor: Actor, project: Project, reason: str) -> Project:
    """Straight from set-up to preparing the tender — a direct award, a call-off under a
    framework, or a need the consortium already knows — with the reason recorded. Members are
    not asked, and no planning release is published: there is no aggregated demand to give it
    a budget; the tender notice is the first release."""
    _require_manager(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(
            "Say why members are not asked",
            field_errors={"reason": "Say why demand is not being aggregated, for example a direct award"},
        )
    with transaction.atomic():
        project = _locked(project)
        if project.status == S.DRAFT and not project.lots.exists():
            raise Conflict("Add at least one lot before preparing the tender.")
        _move(actor, project, S.PREPARATION, without_demand_reason=reason)
    return project


def demand_close(*, actor: Actor, project: Project) -> Project:
    """Close demand: the aggregate is fixed and the planning release published."""
    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        _move(actor, project, S.PREPARATION)
        ocds.publish(project, "planning")
    return project
