"""Changing a tender after publication (Procurement Act 2023 s.31): the amendment is recorded,
told to every bidder, published as a revised tender notice and as an OCDS tenderAmendment; a
significant one keeps the procedure's minimum tendering period from the day it is made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from consortium.audit.services import audit_record
from consortium.core.dates import LONDON, now, today_in_london
from consortium.core.email import absolute_url
from consortium.core.errors import Conflict, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.organisations.selectors import notification_emails
from consortium.tendering import ocds, selectors
from consortium.tendering.models import Bid, Project, TenderAmendment
from consortium.tendering.services._common import (
    TENDER_DEADLINE_TIME,
    S,
    _locked,
    _notice,
    _require_manager,
    _tell,
)
from consortium.tendering.services.documents import DocumentUpload, _store, checked
from consortium.tendering.timetable import add_working_days


def earliest_deadline_after_amendment(project: Project) -> dt.date:
    """The first day a significant amendment made today may leave as the deadline."""
    days = project.procedure.min_tender_days if project.procedure else 10
    return today_in_london() + dt.timedelta(days=days)


def tender_amend(
    *,
    actor: Actor,
    project: Project,
    description: str,
    rationale: str,
    significant: bool = False,
    tender_deadline: dt.date | None = None,
    documents: Sequence[DocumentUpload] = (),
) -> TenderAmendment:
    _require_manager(actor)
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = "Say what changes, in the words bidders will read"
    if not rationale.strip():
        errors["rationale"] = "Say why the tender is changed"
    for upload in documents:  # each file checked before anything is stored
        try:
            checked(upload, field="documents")
        except ValidationFailed as exc:
            errors.update(exc.field_errors)
    with transaction.atomic():
        project = _locked(project)
        if project.status != S.OPEN or selectors.deadline_passed(project) or project.tender_deadline is None:
            raise Conflict("Only a tender open for bids, before its deadline, can be amended.")
        before = project.tender_deadline
        after = (
            dt.datetime.combine(tender_deadline, TENDER_DEADLINE_TIME, tzinfo=LONDON)
            if tender_deadline
            else before
        )
        if after < before:
            errors["tender_deadline"] = "An amendment cannot bring the deadline forward"
        elif significant:
            earliest = earliest_deadline_after_amendment(project)
            if after.astimezone(LONDON).date() < earliest:
                errors["tender_deadline"] = (
                    f"A significant amendment leaves bidders the procedure's minimum tendering period: "
                    f"set the deadline to {earliest:%-d %B %Y} or later"
                )
        if errors:
            raise ValidationFailed("Check the amendment", field_errors=errors)
        shift = (after.astimezone(LONDON).date() - before.astimezone(LONDON).date()).days
        if shift:
            # The rest of the timetable moves with the deadline; standstill stays in working days.
            days = dt.timedelta(days=shift)
            standstill = project.procedure.standstill_working_days if project.procedure else 8
            project.tender_deadline = after
            if project.clarification_deadline:
                project.clarification_deadline += days
            if project.evaluation_ends_on:
                project.evaluation_ends_on += days
            if project.award_decision_on:
                project.award_decision_on += days
                project.standstill_ends_on = add_working_days(project.award_decision_on, standstill)
            if project.contract_starts_on:
                project.contract_starts_on = max(
                    project.contract_starts_on + days,
                    (project.standstill_ends_on or project.contract_starts_on) + dt.timedelta(days=1),
                )
            project.save()
        amendment = TenderAmendment.objects.create(
            project=project,
            number=project.amendments.count() + 1,
            description=description.strip(),
            rationale=rationale.strip(),
            significant=significant,
            deadline_before=before,
            deadline_after=after,
            made_by=actor.person,
            made_at=now(),
        )
        for upload in documents:
            _store(actor, project, upload.name, upload, amendment)
        _notice(project, "UK4", f"Revised tender notice (amendment {amendment.number}): {project.title}")
        ocds.publish(project, "tenderAmendment")
        audit_record(
            actor=actor,
            action="procurement.amend",
            obj=project,
            organisation=project.run_by,
            changes={
                "amendment": amendment.number,
                "significant": significant,
                "tender_deadline": [before.isoformat(), after.isoformat()],
            },
        )
        bidders = set(project.interests.values_list("supplier_id", flat=True)) | set(
            Bid.objects.filter(project=project).values_list("supplier_id", flat=True)
        )
        deadline = after.astimezone(LONDON)
        _tell(
            notification_emails(sorted(bidders), [Role.SUPPLIER_USER]),
            f"Tender amendment {amendment.number}: {project.reference}",
            f"{project.title} has been amended.\n\n{amendment.description}\n\n"
            f"Tenders are due by {deadline:%-d %B %Y %H:%M}"
            + (" (extended)" if shift else "")
            + f". You may change or withdraw your bid until then: {absolute_url(f'/tenders/{project.pk}/')}\n",
        )
    return amendment
