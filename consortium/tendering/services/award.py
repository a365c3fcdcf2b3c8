"""Approving the award and concluding the contract."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from consortium.core.dates import now, today_in_london
from consortium.core.email import absolute_url
from consortium.core.errors import Conflict, PermissionDenied, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.organisations.models import Organisation
from consortium.organisations.selectors import notification_emails
from consortium.tendering import ocds, selectors
from consortium.tendering.models import (
    Bid,
    DemandReturn,
    Project,
)
from consortium.tendering.services._common import S, _locked, _move, _notice, _require_manager, _tell
from consortium.tendering.services.evaluation import _bids_to_score
from consortium.tendering.timetable import add_working_days, term_end


def award_approve(*, actor: Actor, project: Project) -> Project:
    """An authorised person approves the award: winners are fixed, every bidder is told, the
    contract award notice is published and standstill runs for the working days the rules set."""
    if not selectors.approves_awards(actor):
        raise PermissionDenied("The consortium's admins approve award decisions.")
    with transaction.atomic():
        project = _locked(project)
        if project.status != S.EVALUATION:
            raise Conflict("Only a procurement in evaluation can have its award approved.")
        bids = _bids_to_score(project)
        if not bids or any(b.rank is None for b in bids):
            raise Conflict("Work out the results (totals and ranking) before approving the award.")
        Bid.objects.filter(project=project).update(is_winner=False)
        Bid.objects.filter(pk__in=[b.pk for b in bids if b.rank == 1]).update(is_winner=True)
        today = today_in_london()
        standstill_days = project.procedure.standstill_working_days if project.procedure else 8
        standstill_ends = add_working_days(today, standstill_days)
        _move(
            actor,
            project,
            S.STANDSTILL,
            award_approved_by=actor.person,
            award_approved_at=now(),
            award_decision_on=today,
            standstill_ends_on=standstill_ends,
            # No contract starts before standstill ends: a later award moves the start on.
            contract_starts_on=max(
                project.contract_starts_on or standstill_ends, standstill_ends + dt.timedelta(days=1)
            ),
        )
        _notice(project, "UK6", f"Contract award notice: {project.title}")
        ocds.publish(project, "award")
        for b in bids:
            _tell(
                notification_emails([b.supplier_id], [Role.SUPPLIER_USER]),
                f"Award decision: {project.reference} lot {b.lot.number}",
                f"The award decision is made. Your assessment summary (your scores and the winner's) is at "
                f"{absolute_url(f'/tenders/{project.pk}/bids/{b.pk}/summary/')}. Standstill ends {project.standstill_ends_on:%-d %B %Y}.\n",
            )
    return project


def award_conclude(*, actor: Actor, project: Project, signed_on: dt.date | None = None) -> Project:
    """After standstill: the contract is created, usable by the members who registered demand,
    with the winning suppliers per lot and the prices of the winning schedules. `signed_on` is
    the day it was signed (today if not given): after the award decision, not in the future."""
    from consortium.catalogue.models import CatalogueItem
    from consortium.contracts import services as contracts
    from consortium.contracts.constants import Access, ContractKind, ContractStatus, Scope

    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        if project.status != S.STANDSTILL:
            raise Conflict("Only a procurement in standstill can be concluded.")
        standstill = project.procedure.standstill_working_days if project.procedure else 8
        if standstill and project.standstill_ends_on and today_in_london() <= project.standstill_ends_on:
            raise Conflict(f"Standstill runs until the end of {project.standstill_ends_on:%-d %B %Y}.")
        members = list(
            Organisation.objects.filter(
                pk__in=DemandReturn.objects.filter(lot__project=project, will_use=True).values("member_id")
            )
        )
        signed = signed_on or today_in_london()
        if signed > today_in_london() or (project.award_decision_on and signed < project.award_decision_on):
            raise ValidationFailed(
                "Check the date signed",
                field_errors={
                    "signed_on": "The date signed must be today or earlier, and not before the award decision"
                },
            )
        project.contract_signed_on = signed
        project.save(update_fields=["contract_signed_on", "modified_at"])
        start = max(project.contract_starts_on or today_in_london(), today_in_london())
        if start != project.contract_starts_on:
            # Concluded later than planned: the contract (and the open data) start when it does.
            project.contract_starts_on = start
            project.save(update_fields=["contract_starts_on", "modified_at"])
        end = term_end(start, project.term_months)
        contract = contracts.contract_create(
            actor=actor,
            reference=project.reference,
            title=project.title,
            description=project.description,
            kind=ContractKind.FRAMEWORK,
            cpv_codes=project.cpv_codes,
            scope=Scope.REGIONAL,
            let_by=project.run_by,
            access=Access.NAMED if members else Access.ALL_MEMBERS,
            access_named=members,
            start_date=start,
            end_date=max(end, start),
            extension_months=project.extension_months,
        )
        winners = Bid.objects.filter(project=project, is_winner=True).select_related("lot", "supplier")
        category = project.category
        for lot in project.lots.all():
            lot_winners = [b for b in winners if b.lot_id == lot.pk]
            if not lot_winners:
                continue
            contract_lot = contracts.lot_add(
                actor=actor,
                contract=contract,
                number=lot.number,
                title=lot.title,
                suppliers=[b.supplier for b in lot_winners],
            )
            for b in lot_winners:
                for i, line in enumerate(b.price_lines.all(), start=1):
                    CatalogueItem.objects.create(
                        supplier=b.supplier,
                        lot=contract_lot,
                        supplier_code=f"{project.reference}-{lot.number}-{i}",
                        name=line.description,
                        description=f"{lot.title}: {line.description}",
                        category=category,
                        unit_of_measure=line.unit,
                        unit_price=line.unit_price,
                        valid_from=start,
                    )
        contracts.contract_transition(actor=actor, contract=contract, to=ContractStatus.LIVE)
        _move(actor, project, S.AWARDED, awarded_contract=contract)
        _notice(project, "UK7", f"Contract details notice: {contract.reference}")
        # Standstill is over: the award becomes active, and the contract is published with it.
        ocds.publish(project, "awardUpdate", "contract")
    return project
