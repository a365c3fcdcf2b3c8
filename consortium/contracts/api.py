import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from consortium.contracts import selectors, services
from consortium.contracts.models import Contract
from consortium.contracts.schemas import ContractIn, LotIn, TransitionIn
from consortium.core.api_errors import ERRORS
from consortium.core.pagination import Page
from consortium.organisations.api_auth import actor_of

router = Router(tags=["contracts"])


class LotOut(Schema):
    id: int
    number: int
    title: str
    supplier_ids: list[int]

    @staticmethod
    def resolve_supplier_ids(obj: object) -> list[int]:
        return [s.pk for s in obj.suppliers.all()]  # type: ignore[attr-defined]


class ContractOut(Schema):
    id: int
    reference: str
    title: str
    description: str
    kind: str
    cpv_codes: list[str]
    scope: str
    let_by_id: int
    access: str
    start_date: dt.date
    end_date: dt.date
    extension_months: int
    status: str
    rebate_percent: Decimal
    lots: list[LotOut]


@router.get("/contracts", response={200: list[ContractOut], **ERRORS}, operation_id="contract_list")
@paginate(Page)
def contract_list(request: HttpRequest) -> object:
    return selectors.contract_list_for(actor_of(request))


@router.post("/contracts", response={201: ContractOut, **ERRORS}, operation_id="contract_create")
def contract_create(request: HttpRequest, payload: ContractIn) -> Status:
    actor = actor_of(request)
    values = payload.dict()
    named = selectors.members_by_id(actor, values.pop("access_named_ids"))
    let_by = selectors.member_by_id(actor, values.pop("let_by_id"))
    contract = services.contract_create(actor=actor, access_named=named, let_by=let_by, **values)
    return Status(201, contract)


@router.get("/contracts/{contract_id}", response={200: ContractOut, **ERRORS}, operation_id="contract_get")
def contract_get(request: HttpRequest, contract_id: int) -> Contract:
    return selectors.contract_get_for(actor_of(request), contract_id)


@router.post("/contracts/{contract_id}/lots", response={201: ContractOut, **ERRORS}, operation_id="lot_add")
def lot_add(request: HttpRequest, contract_id: int, payload: LotIn) -> Status:
    actor = actor_of(request)
    contract = selectors.contract_get_for(actor, contract_id)
    suppliers = selectors.suppliers_by_id(actor, payload.supplier_ids)
    services.lot_add(
        actor=actor, contract=contract, number=payload.number, title=payload.title, suppliers=suppliers
    )
    return Status(201, selectors.contract_get_for(actor, contract_id))


@router.post(
    "/contracts/{contract_id}/make-live",
    response={200: ContractOut, **ERRORS},
    operation_id="contract_make_live",
)
def contract_make_live(request: HttpRequest, contract_id: int) -> Contract:
    """A draft contract with at least one lot goes live: buyers may order from it within its dates."""
    actor = actor_of(request)
    services.contract_make_live(actor=actor, contract=selectors.contract_get_for(actor, contract_id))
    return selectors.contract_get_for(actor, contract_id)


@router.post(
    "/contracts/{contract_id}/expire", response={200: ContractOut, **ERRORS}, operation_id="contract_expire"
)
def contract_expire(request: HttpRequest, contract_id: int) -> Contract:
    """A live contract ends: no more orders; kept for history and MI."""
    actor = actor_of(request)
    services.contract_expire(actor=actor, contract=selectors.contract_get_for(actor, contract_id))
    return selectors.contract_get_for(actor, contract_id)


@router.post(
    "/contracts/{contract_id}/status",
    response={200: ContractOut, **ERRORS},
    operation_id="contract_transition",
    deprecated=True,
)
def contract_transition(request: HttpRequest, contract_id: int, payload: TransitionIn) -> Contract:
    actor = actor_of(request)
    contract = selectors.contract_get_for(actor, contract_id)
    services.contract_transition(actor=actor, contract=contract, to=payload.to)
    return selectors.contract_get_for(actor, contract_id)
