"""While the tender is open: interest, clarifications, sealed bids and their withdrawal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from consortium.audit.services import Conceal, audit_record
from consortium.core.dates import now, today_in_london
from consortium.core.email import absolute_url
from consortium.core.errors import Conflict, NotFound, ValidationFailed
from consortium.core.files import sniff_document
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.organisations.selectors import notification_emails
from consortium.tendering import ocds, selectors
from consortium.tendering.constants import (
    BidStatus,
    CriterionKind,
    PriceMethod,
)
from consortium.tendering.models import (
    Bid,
    BidDocument,
    Clarification,
    Interest,
    Project,
)
from consortium.tendering.scoring import (
    CostProfile,
)
from consortium.tendering.sealing import COST_FIELDS, BidContent, PriceLine, seal_content, seal_document
from consortium.tendering.services._common import (
    MAX_DOCUMENT_BYTES,
    S,
    _locked,
    _require_manager,
    _require_supplier_for,
    _tell,
    _until_opened,
)


def interest_register(*, actor: Actor, project: Project) -> Interest:
    _require_supplier_for(actor, project)
    if project.status != S.OPEN or selectors.deadline_passed(project):
        raise Conflict("This tender is not open.")
    interest, created = Interest.objects.get_or_create(project=project, supplier=actor.organisation)
    if created:
        audit_record(
            actor=actor,
            action="procurement.interest",
            obj=interest,
            organisation=actor.organisation,
            conceal=_until_opened(project),
        )
    return interest


def clarification_ask(*, actor: Actor, project: Project, question: str) -> Clarification:
    _require_supplier_for(actor, project)
    if not question.strip() or len(question) > 5000:
        raise ValidationFailed(
            "Ask a question", field_errors={"question": "Ask a question of up to 5,000 characters"}
        )
    if project.status != S.OPEN or (
        project.clarification_deadline and today_in_london() > project.clarification_deadline
    ):
        raise Conflict("Clarification questions have closed for this tender.")
    with transaction.atomic():
        interest_register(actor=actor, project=project)
        clarification = Clarification.objects.create(
            project=project, asked_by=actor.organisation, question=question.strip()
        )
        audit_record(
            actor=actor,
            action="procurement.clarification_ask",
            obj=clarification,
            organisation=actor.organisation,
            # Who asked is never shown to anyone outside the asking supplier.
            conceal=Conceal(shown_as=clarification, shown_organisation=project.run_by),
        )
        _tell(
            notification_emails([project.run_by_id], [Role.CATEGORY_MANAGER]),
            f"Clarification question: {project.reference}",
            f"A bidder asked a question: {absolute_url(f'/tenders/{project.pk}/clarifications/')}\n",
        )
    return clarification


def clarification_answer(*, actor: Actor, clarification: Clarification, answer: str) -> Clarification:
    """Answers go to every bidder who registered interest; the asker is never named."""
    _require_manager(actor)
    if not answer.strip():
        raise ValidationFailed("Give an answer", field_errors={"answer": "Write the answer"})
    with transaction.atomic():
        clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
        clarification.answer = answer.strip()
        clarification.answered_at = now()
        clarification.save()
        project = clarification.project
        # The answer is published to everyone: the open data says the tender has enquiries.
        ocds.publish(project, "tenderUpdate")
        audit_record(
            actor=actor,
            action="procurement.clarification_answer",
            obj=clarification,
            organisation=project.run_by,
        )
        bidders = list(project.interests.values_list("supplier_id", flat=True))
        _tell(
            notification_emails(bidders, [Role.SUPPLIER_USER]),
            f"Clarification published: {project.reference}",
            f"A clarification has been answered for every bidder: {absolute_url(f'/tenders/{project.pk}/clarifications/')}\n",
        )
    return clarification


@dataclass
class PriceLineIn:
    """A bidder's unit price for one item (by number) of the lot's schedule."""

    item: int
    unit_price: Decimal


@dataclass
class DocumentIn:
    name: str
    content_type: str
    content: bytes


def bid_submit(
    *,
    actor: Actor,
    project: Project,
    lot_number: int,
    answers: Mapping[int, str],
    price_lines: Sequence[PriceLineIn] = (),
    cost_profile: CostProfile | None = None,
    documents: Sequence[DocumentIn] = (),
    submission_key: str = "",
) -> Bid:
    """Submit (or resubmit) a bid for a lot before the deadline. A repeat with the same
    submission key returns the bid as it is (a double click submits once)."""
    _require_supplier_for(actor, project)
    with transaction.atomic():
        project = _locked(project)
        if project.status != S.OPEN or selectors.deadline_passed(project):
            raise Conflict("The tender deadline has passed: no bid can be submitted or changed.")
        lot = project.lots.filter(number=lot_number).first()
        if lot is None:
            raise ValidationFailed("Choose a lot", field_errors={"lot": f"There is no lot {lot_number}"})
        existing = Bid.objects.filter(lot=lot, supplier=actor.organisation).first()
        if (
            existing
            and submission_key
            and existing.submission_key == submission_key
            and existing.status == BidStatus.SUBMITTED
        ):
            return existing
        errors: dict[str, str] = {}
        asked = [c for c in selectors.leaf_criteria(project) if c.kind != CriterionKind.PRICE]
        answers = dict(answers)
        for c in asked:
            if c.appraisal_question and not (answers.get(c.pk) or "").strip():
                answers[c.pk] = appraisal_answer(actor.organisation, c.appraisal_question)
        for c in asked:
            text = (answers.get(c.pk) or "").strip()
            if not text:
                errors[f"answer_{c.pk}"] = f"Answer criterion {c.number} {c.title}"
            elif len(text) > 20000:
                errors[f"answer_{c.pk}"] = f"Keep the answer to criterion {c.number} to 20,000 characters"
        unknown = set(answers) - {c.pk for c in asked}
        if unknown:
            errors["answers"] = "Answer only this tender's criteria"
        if project.price_method == PriceMethod.WHOLE_LIFE_COST and (
            cost_profile is None or cost_profile.acquisition <= 0
        ):
            errors["acquisition_cost"] = (
                "Give the acquisition cost (and the running, maintenance and end-of-life costs)"
            )
        # The buyer's schedule: every bidder prices the same items in the same quantities.
        schedule = {item.number: item for item in lot.items.all()}
        priced: dict[int, Decimal] = {}
        for i, line in enumerate(price_lines, start=1):
            if line.item not in schedule:
                errors[f"price_lines[{i}].item"] = f"Lot {lot.number}'s schedule has no item {line.item}"
            elif line.item in priced:
                errors[f"price_lines[{i}].item"] = f"Item {line.item} is priced twice: give one price"
            elif line.unit_price < 0:
                errors[f"price_lines[{i}].unit_price"] = f"Give item {line.item} a price of £0 or more"
            else:
                priced[line.item] = line.unit_price
        for n, item in schedule.items():
            if n not in priced and not any(k.startswith("price_lines[") for k in errors):
                errors[f"items[{n}].unit_price"] = f"Enter a unit price for item {n}, {item.description}"
        lines = [
            PriceLine(item.description, item.unit, item.quantity or Decimal(0), priced[n], n)
            for n, item in schedule.items()
            if n in priced
        ]
        schedule_total = sum((line.total for line in lines), Decimal("0.00"))
        # The bid's price is its schedule's total a year, whatever the method: whole-life cost
        # compares the cost profile (evaluation), the award's value is still the schedule's.
        price = schedule_total
        if project.price_method == PriceMethod.LOWEST_PRICE and price <= 0 and not errors:
            errors["price_lines"] = "Price the schedule: its total must be above £0"
        kinds: list[str] = []
        for i, doc in enumerate(documents, start=1):
            # What the file really is, from its first bytes: never the browser's word for it.
            kinds.append(sniff_document(doc.content) or "")
            if len(doc.content) > MAX_DOCUMENT_BYTES:
                errors[f"documents[{i}]"] = f"“{doc.name}” is larger than 5 MB"
            elif not kinds[-1]:
                errors[f"documents[{i}]"] = (
                    f"“{doc.name}” must be a PDF, a Word document, a spreadsheet (.xlsx or CSV), an image or text"
                )
        if errors:
            raise ValidationFailed("Check your bid", field_errors=errors)
        content = BidContent(
            price=price,
            answers={c.pk: answers[c.pk].strip() for c in asked},
            price_lines=lines,
            costs={
                "acquisition_cost": cost_profile.acquisition if cost_profile else None,
                "annual_running_cost": cost_profile.annual_running if cost_profile else None,
                "annual_maintenance_cost": cost_profile.annual_maintenance if cost_profile else None,
                "end_of_life_cost": cost_profile.end_of_life if cost_profile else None,
                "residual_value": cost_profile.residual_value if cost_profile else None,
                "annual_emissions": cost_profile.annual_emissions if cost_profile else None,
            },
        )
        # Nothing the bid says reaches a table in the clear before the opening: the price and
        # cost fields stay empty, the content is sealed with the procurement's key.
        fields = {
            "project": project,
            "status": BidStatus.SUBMITTED,
            "submitted_at": now(),
            "submitted_by": actor.person,
            "submission_key": submission_key[:64],
            "price": Decimal("0.00"),
            **{f: None for f in COST_FIELDS},
            "sealed_content": seal_content(project, content),
        }
        bid, created = Bid.objects.update_or_create(lot=lot, supplier=actor.organisation, defaults=fields)
        if documents:
            bid.documents.all().delete()
            BidDocument.objects.bulk_create(
                [
                    BidDocument(
                        bid=bid,
                        name=d.name[:200],
                        content_type=kind,
                        content=seal_document(project, d.content),
                        size=len(d.content),
                        sealed=True,
                    )
                    for d, kind in zip(documents, kinds, strict=True)
                ]
            )
        Interest.objects.get_or_create(project=project, supplier=actor.organisation)
        # The audit says that a bid was made, never what it says.
        audit_record(
            actor=actor,
            action="bid.submit" if created else "bid.resubmit",
            obj=bid,
            organisation=actor.organisation,
            changes={"lot": lot.number},
            conceal=_until_opened(project),
        )
    return bid


def bid_withdraw(*, actor: Actor, bid: Bid) -> Bid:
    if not selectors.bids(actor) or bid.supplier_id != actor.organisation.pk:
        raise NotFound("No such bid")
    with transaction.atomic():
        project = _locked(bid.project)
        if project.status != S.OPEN or selectors.deadline_passed(project):
            raise Conflict("The tender deadline has passed: a bid can no longer be withdrawn.")
        bid = Bid.objects.select_for_update().get(pk=bid.pk)
        bid.status = BidStatus.WITHDRAWN
        bid.submission_key = ""
        bid.save(update_fields=["status", "submission_key", "modified_at"])
        audit_record(
            actor=actor,
            action="bid.withdraw",
            obj=bid,
            organisation=actor.organisation,
            changes={"lot": bid.lot.number},
            conceal=_until_opened(project),
        )
    return bid


def appraisal_answer(supplier: Any, code: str) -> str:
    """The supplier's current, unexpired sustainability appraisal's answer to a question, as a
    bid answer ("" when it has none): answered once, reused rather than retyped."""
    from consortium.sustainability.appraisal import reused_answer

    return reused_answer(supplier, code)
