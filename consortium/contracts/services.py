"""Changes to contracts: set up, lots and awarded suppliers, going live and expiring."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from consortium.audit.services import audit_record
from consortium.contracts.constants import (
    ACTION_FOR_STATUS,
    CONTRACT_ACTIONS,
    CONTRACT_TRANSITIONS,
    Access,
    ContractAction,
    ContractKind,
    ContractStatus,
    Scope,
)
from consortium.contracts.models import Contract, Lot
from consortium.core.errors import Conflict, PermissionDenied, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.constants import MEMBER_KINDS, OrganisationKind
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission


def _require_contract_manager(actor: Actor) -> None:
    if not actor.has(Permission.CONTRACTS_MANAGE):
        raise PermissionDenied("Only the consortium's category managers and admins manage contracts.")


def contract_create(
    *,
    actor: Actor,
    reference: str,
    title: str,
    scope: str,
    start_date: dt.date,
    end_date: dt.date,
    let_by: Organisation | None = None,
    kind: str = ContractKind.FRAMEWORK,
    description: str = "",
    cpv_codes: list[str] | None = None,
    access: str = Access.ALL_MEMBERS,
    access_kinds: list[str] | None = None,
    access_named: list[Organisation] | None = None,
    extension_months: int = 0,
    rebate_percent: Decimal = Decimal(0),
) -> Contract:
    _require_contract_manager(actor)
    errors: dict[str, str] = {}
    if not reference.strip() or len(reference) > 40:
        errors["reference"] = "Enter a reference of up to 40 characters"
    if not title.strip() or len(title) > 200:
        errors["title"] = "Enter a title of up to 200 characters"
    if scope not in Scope.values:
        errors["scope"] = "Choose local, regional or national"
    if kind not in ContractKind.values:
        errors["kind"] = "Choose framework agreement or call-off contract"
    if end_date < start_date:
        errors["end_date"] = "The end date must be on or after the start date"
    if access not in Access.values:
        errors["access"] = "Choose who may use the contract"
    kinds = access_kinds or []
    if access == Access.KINDS and (not kinds or any(k not in MEMBER_KINDS for k in kinds)):
        errors["access_kinds"] = "Choose the kinds of member that may use it"
    if access == Access.NAMED and not access_named:
        errors["access_named"] = "Name the members that may use it"
    try:
        rebate = Decimal(str(rebate_percent))
        if not (0 <= rebate <= 100):
            raise InvalidOperation
    except InvalidOperation:
        errors["rebate_percent"] = "Enter a rebate from 0 to 100 per cent"
        rebate = Decimal(0)
    if errors:
        raise ValidationFailed("Check the contract's details", field_errors=errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                contract = Contract.objects.create(
                    reference=reference.strip(),
                    title=title.strip(),
                    description=description,
                    kind=kind,
                    cpv_codes=cpv_codes or [],
                    scope=scope,
                    let_by=let_by or actor.organisation,
                    access=access,
                    access_kinds=f",{','.join(kinds)}," if kinds else "",
                    start_date=start_date,
                    end_date=end_date,
                    extension_months=extension_months,
                    rebate_percent=rebate,
                )
        except IntegrityError:
            raise Conflict(
                "That reference is taken", field_errors={"reference": "Another contract has this reference"}
            ) from None
        if access_named:
            contract.access_named.set(access_named)
        audit_record(
            actor=actor,
            action="contract.create",
            obj=contract,
            organisation=contract.let_by,
            changes={"reference": contract.reference, "title": contract.title},
        )
    return contract


def lot_add(
    *, actor: Actor, contract: Contract, number: int, title: str, suppliers: list[Organisation]
) -> Lot:
    _require_contract_manager(actor)
    if any(s.kind != OrganisationKind.SUPPLIER for s in suppliers):
        raise ValidationFailed(
            "Only suppliers are awarded lots", field_errors={"suppliers": "Choose suppliers"}
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                lot = Lot.objects.create(contract=contract, number=number, title=title.strip())
        except IntegrityError:
            raise Conflict(
                "That lot number is taken", field_errors={"number": "This contract already has that lot"}
            ) from None
        lot.suppliers.set(suppliers)
        audit_record(
            actor=actor,
            action="lot.create",
            obj=lot,
            organisation=contract.let_by,
            changes={"number": number, "suppliers": [s.pk for s in suppliers]},
        )
    return lot


def contract_actions_for(actor: Actor, contract: Contract) -> list[tuple[str, ContractAction]]:
    """What this actor may do to this contract now, as CONTRACT_ACTIONS says."""
    return [
        (name, a)
        for name, a in CONTRACT_ACTIONS.items()
        if contract.status in a.from_states and actor.has(a.permission) and actor.organisation.is_consortium
    ]


def contract_act(*, actor: Actor, contract: Contract, action: str) -> Contract:
    step = CONTRACT_ACTIONS.get(action)
    if step is None:
        raise ValidationFailed("Unknown action", field_errors={"action": "Choose an action"})
    if not (actor.has(step.permission) and actor.organisation.is_consortium):
        raise PermissionDenied("The consortium's category managers change contracts.")
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.status not in step.from_states or step.to not in CONTRACT_TRANSITIONS[contract.status]:
            raise Conflict(f"A {contract.get_status_display().lower()} contract cannot become {step.to}.")
        if step.to == ContractStatus.LIVE and not contract.lots.exists():
            raise Conflict("Add at least one lot with its suppliers before the contract goes live.")
        before = contract.status
        contract.status = step.to
        contract.save(update_fields=["status", "modified_at"])
        audit_record(
            actor=actor,
            action=f"contract.{step.to}",
            obj=contract,
            organisation=contract.let_by,
            changes={"status": [before, step.to]},
        )
    return contract


def contract_make_live(*, actor: Actor, contract: Contract) -> Contract:
    """Buyers may order from it while today is within its dates."""
    return contract_act(actor=actor, contract=contract, action="make_live")


def contract_expire(*, actor: Actor, contract: Contract) -> Contract:
    """No more orders; kept for history and MI."""
    return contract_act(actor=actor, contract=contract, action="expire")


def contract_transition(*, actor: Actor, contract: Contract, to: str) -> Contract:
    """Deprecated: the old "move to this status" form, mapped onto the actions."""
    if to not in ACTION_FOR_STATUS:
        _require_contract_manager(actor)
        raise Conflict(f"A {contract.get_status_display().lower()} contract cannot become {to}.")
    return contract_act(actor=actor, contract=contract, action=ACTION_FOR_STATUS[to])


def contract_end_date_change(*, actor: Actor, contract: Contract, end_date: dt.date, reason: str) -> Contract:
    """Move a contract's end: a variation that extends it, or a termination that ends it early
    (orders stop the day after). Never before it starts."""
    _require_contract_manager(actor)
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if end_date < contract.start_date:
            raise ValidationFailed(
                "Check the end date", field_errors={"end_date": "A contract cannot end before it starts"}
            )
        before = contract.end_date
        contract.end_date = end_date
        contract.save(update_fields=["end_date", "modified_at"])
        audit_record(
            actor=actor,
            action="contract.end_date_change",
            obj=contract,
            organisation=contract.let_by,
            changes={"end_date": [str(before), str(end_date)], "reason": reason[:200]},
        )
    return contract
