"""The procedure and its statutory timetable, and how prices are compared."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from consortium.audit.services import audit_record
from consortium.core.dates import LONDON, today_in_london
from consortium.core.errors import ValidationFailed
from consortium.organisations.acting import Actor
from consortium.tendering import selectors
from consortium.tendering.constants import (
    PriceMethod,
    ProcedureCode,
)
from consortium.tendering.models import (
    Notice,
    NoticeType,
    Project,
)
from consortium.tendering.notices import notice_body
from consortium.tendering.services._common import TENDER_DEADLINE_TIME, _locked, _require_manager
from consortium.tendering.services.setup import _before_publication
from consortium.tendering.timetable import Timetable, check_timetable


def timetable_set(
    *,
    actor: Actor,
    project: Project,
    procedure_code: str,
    timetable: Timetable,
    planned_notice_on: dt.date | None = None,
) -> Project:
    """Choose the procedure and set the timetable; a date earlier than the rules allow is
    refused with the rule named."""
    _require_manager(actor)
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        procedure = selectors.procedure_in_force(procedure_code, timetable.publication)
        if procedure is None:
            raise ValidationFailed(
                "Choose a procedure",
                field_errors={"procedure": "That procedure is not in force on the publication date"},
            )
        aggregate = selectors.aggregate_demand(project, on=timetable.publication)
        if procedure.code == ProcedureCode.QUOTATION and aggregate.above_threshold:
            raise ValidationFailed(
                "Choose a procedure",
                field_errors={
                    "procedure": f"{aggregate.regime}; a quotation process is only for below-threshold contracts"
                },
            )
        if procedure.code == ProcedureCode.CALL_OFF and project.framework_id is None:
            raise ValidationFailed(
                "Choose a procedure", field_errors={"procedure": "A call-off names the framework it is under"}
            )
        errors = {}
        if timetable.publication < today_in_london():
            errors["publication"] = "Publication cannot be in the past"
        errors |= check_timetable(selectors.rules_of(procedure), timetable, planned_notice=planned_notice_on)
        if errors:
            raise ValidationFailed("The timetable breaks a rule", field_errors=errors)
        project.procedure = procedure
        project.planned_notice_on = planned_notice_on
        project.publication_on = timetable.publication
        project.clarification_deadline = timetable.clarification_deadline
        project.tender_deadline = dt.datetime.combine(
            timetable.tender_deadline, TENDER_DEADLINE_TIME, tzinfo=LONDON
        )
        project.evaluation_ends_on = timetable.evaluation_ends
        project.award_decision_on = timetable.award_decision
        project.standstill_ends_on = timetable.standstill_ends
        project.contract_starts_on = timetable.contract_start
        project.save()
        if planned_notice_on and not project.notices.filter(notice_type__code="UK3").exists():
            # The planned procurement notice, with what the procurement says now.
            Notice.objects.create(
                project=project,
                notice_type=NoticeType.objects.get(code="UK3"),
                published_at=dt.datetime.combine(planned_notice_on, dt.time(9), tzinfo=LONDON),
                summary=f"Planned procurement notice: {project.title}",
                body=notice_body(project, "UK3"),
            )
        audit_record(
            actor=actor,
            action="procurement.timetable_set",
            obj=project,
            organisation=project.run_by,
            changes={"procedure": procedure.code, "tender_deadline": str(timetable.tender_deadline)},
        )
    return project


def price_method_set(
    *,
    actor: Actor,
    project: Project,
    method: str,
    discount_rate: Decimal,
    carbon_price: Decimal | None = None,
) -> Project:
    _require_manager(actor)
    if method not in PriceMethod.values:
        raise ValidationFailed(
            "Choose a price method", field_errors={"price_method": "Choose a price method"}
        )
    if not Decimal(0) <= discount_rate <= Decimal(20):
        raise ValidationFailed(
            "Check the rate", field_errors={"discount_rate": "Enter a rate from 0% to 20%"}
        )
    if carbon_price is not None and not Decimal(0) <= carbon_price <= Decimal(10000):
        raise ValidationFailed(
            "Check the carbon price",
            field_errors={"carbon_price": "Enter £0 to £10,000 a tonne, or leave it blank"},
        )
    with transaction.atomic():
        project = _locked(project)
        _before_publication(project)
        project.price_method, project.discount_rate = method, discount_rate
        project.carbon_price = carbon_price if method == PriceMethod.WHOLE_LIFE_COST else None
        project.save(update_fields=["price_method", "discount_rate", "carbon_price", "modified_at"])
        audit_record(
            actor=actor,
            action="procurement.price_method_set",
            obj=project,
            organisation=project.run_by,
            changes={
                "price_method": method,
                "discount_rate": str(discount_rate),
                "carbon_price": str(project.carbon_price or ""),
            },
        )
    return project
